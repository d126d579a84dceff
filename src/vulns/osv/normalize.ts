import { isRecord } from "../../core/object.js";
import type { OsvAffected, OsvEvent, OsvRange, OsvRecord } from "./types.js";

/** A record that cannot be used; the importer reports it (with its origin) and goes on. */
export class RecordError extends Error {
  constructor(
    readonly code: "record-json" | "record-invalid",
    message: string,
  ) {
    super(message);
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strList = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

/** Parses and checks one OSV JSON document. Pure: no I/O. Throws RecordError naming what is wrong. */
export function parseOsvRecord(text: string | Buffer): OsvRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof text === "string" ? text : text.toString("utf8"));
  } catch (e) {
    throw new RecordError("record-json", `not JSON: ${(e as Error).message}`);
  }
  return normalizeOsv(raw);
}

export function normalizeOsv(raw: unknown): OsvRecord {
  if (!isRecord(raw)) throw new RecordError("record-invalid", "an OSV record must be a JSON object");
  const id = str(raw.id);
  if (!id) throw new RecordError("record-invalid", "missing id");
  const modified = str(raw.modified);
  if (!modified) throw new RecordError("record-invalid", `${id}: missing modified`);
  if (raw.affected !== undefined && !Array.isArray(raw.affected))
    throw new RecordError("record-invalid", `${id}: affected must be an array`);
  const affected: OsvAffected[] = [];
  for (const [i, a] of ((raw.affected as unknown[]) ?? []).entries()) {
    if (!isRecord(a) || !isRecord(a.package))
      throw new RecordError("record-invalid", `${id}: affected[${i}] has no package`);
    const ecosystem = str(a.package.ecosystem);
    const name = str(a.package.name);
    if (!ecosystem || !name)
      throw new RecordError("record-invalid", `${id}: affected[${i}].package needs ecosystem and name`);
    const ranges: OsvRange[] = [];
    for (const [j, r] of (Array.isArray(a.ranges) ? a.ranges : []).entries()) {
      if (!isRecord(r) || !str(r.type) || !Array.isArray(r.events))
        throw new RecordError("record-invalid", `${id}: affected[${i}].ranges[${j}] needs type and events`);
      const events: OsvEvent[] = [];
      for (const e of r.events) {
        if (!isRecord(e))
          throw new RecordError(
            "record-invalid",
            `${id}: affected[${i}].ranges[${j}] has a non-object event`,
          );
        const ev: OsvEvent = {};
        for (const k of ["introduced", "fixed", "last_affected", "limit"] as const) {
          if (e[k] !== undefined) {
            if (typeof e[k] !== "string")
              throw new RecordError("record-invalid", `${id}: event ${k} must be a string`);
            ev[k] = e[k] as string;
          }
        }
        if (Object.keys(ev).length !== 1)
          throw new RecordError(
            "record-invalid",
            `${id}: each range event needs exactly one of introduced/fixed/last_affected/limit`,
          );
        events.push(ev);
      }
      ranges.push({ type: r.type as string, ...(str(r.repo) ? { repo: str(r.repo) } : {}), events });
    }
    const eco = isRecord(a.ecosystem_specific) ? a.ecosystem_specific : {};
    const dbs = isRecord(a.database_specific) ? a.database_specific : {};
    const severity = str(eco.urgency) ?? str(eco.severity) ?? str(dbs.severity);
    affected.push({
      package: { ecosystem, name, ...(str(a.package.purl) ? { purl: str(a.package.purl) } : {}) },
      ranges,
      versions: strList(a.versions),
      ...(severity ? { severity } : {}),
    });
  }
  const severity = (Array.isArray(raw.severity) ? raw.severity : [])
    .filter(isRecord)
    .filter((s) => str(s.type) && str(s.score))
    .map((s) => ({ type: s.type as string, score: s.score as string }));
  // A distribution's own rating at record level (Ubuntu writes {"type": "Ubuntu", "score": "medium"}).
  const distroRating = severity.find((s) => !s.type.startsWith("CVSS_"))?.score;
  if (distroRating) for (const a of affected) a.severity ??= distroRating;
  const dbs = isRecord(raw.database_specific) ? raw.database_specific : {};
  const rec: OsvRecord = {
    id,
    modified,
    aliases: strList(raw.aliases),
    severity,
    affected,
    references: (Array.isArray(raw.references) ? raw.references : [])
      .filter(isRecord)
      .flatMap((r) => strList([r.url])),
  };
  if (str(raw.published)) rec.published = str(raw.published);
  if (str(raw.withdrawn)) rec.withdrawn = str(raw.withdrawn);
  if (str(raw.summary)) rec.summary = str(raw.summary);
  if (str(raw.details)) rec.details = str(raw.details);
  if (str(dbs.severity)) rec.ratedSeverity = str(dbs.severity);
  return rec;
}
