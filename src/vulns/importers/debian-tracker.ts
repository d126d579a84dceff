import { isRecord } from "../../core/object.js";
import type { OsvAffected, OsvRecord } from "../osv/types.js";

/** Debian code names to the release numbers OSV's "Debian:N" ecosystems use. */
export const DEBIAN_RELEASES: Readonly<Record<string, string>> = {
  jessie: "8",
  stretch: "9",
  buster: "10",
  bullseye: "11",
  bookworm: "12",
  trixie: "13",
  forky: "14",
};

/** Tracker urgencies to kubeward severities ("unimportant" is Debian's "no security impact worth a DSA"). */
export function debianUrgency(u: string | undefined): string | undefined {
  const v = (u ?? "").replace(/\*+$/, "").trim();
  if (v === "low" || v === "medium" || v === "high") return v;
  if (v === "unimportant") return "low";
  return undefined;
}

export interface TrackerResult {
  records: OsvRecord[];
  /** Entries that say the package is not affected (fixed in "0") or that give no verdict. */
  notAffected: number;
}

/**
 * Converts one source package of the Debian Security Tracker JSON (security-tracker.debian.org/tracker/data/json)
 * into OSV-shaped records, one per issue: `DEBIAN-<CVE>-<package>`, one affected entry per release.
 * Pure: `modified` comes from the caller.
 */
export function trackerPackageToOsv(pkg: string, issues: unknown, modified: string): TrackerResult {
  const out: TrackerResult = { records: [], notAffected: 0 };
  if (!isRecord(issues)) throw new Error(`package ${pkg}: expected an object of issues`);
  for (const [issue, body] of Object.entries(issues)) {
    if (!isRecord(body) || !isRecord(body.releases)) {
      out.notAffected++;
      continue;
    }
    const affected: OsvAffected[] = [];
    for (const [codename, rel] of Object.entries(body.releases)) {
      const release = DEBIAN_RELEASES[codename];
      if (!release || !isRecord(rel)) continue;
      const status = String(rel.status ?? "");
      const fixed = typeof rel.fixed_version === "string" ? rel.fixed_version : undefined;
      const severity = debianUrgency(typeof rel.urgency === "string" ? rel.urgency : undefined);
      const base = {
        package: { ecosystem: `Debian:${release}`, name: pkg },
        versions: [],
        ...(severity ? { severity } : {}),
      };
      if (status === "resolved") {
        if (!fixed || fixed === "0") {
          out.notAffected++;
          continue;
        }
        affected.push({
          ...base,
          ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }],
          fixState: "fixed",
        });
      } else if (status === "open") {
        const eol = rel.urgency === "end-of-life" || rel.nodsa !== undefined;
        affected.push({
          ...base,
          ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }],
          fixState: eol ? "wont-fix" : "not-fixed",
        });
      } else {
        out.notAffected++;
      }
    }
    if (affected.length === 0) continue;
    out.records.push({
      id: `DEBIAN-${issue}-${pkg}`,
      modified,
      aliases: [issue],
      ...(typeof body.description === "string" ? { summary: body.description } : {}),
      severity: [],
      affected,
      references: issue.startsWith("CVE-") ? [`https://security-tracker.debian.org/tracker/${issue}`] : [],
    });
  }
  return out;
}
