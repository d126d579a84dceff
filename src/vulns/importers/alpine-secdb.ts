import { isRecord } from "../../core/object.js";
import type { OsvRecord } from "../osv/types.js";

export interface SecdbContext {
  /** "Alpine" or "Wolfi". */
  distro: string;
  /** Alpine's "distroversion" ("v3.20"); empty for Wolfi, which has one rolling release. */
  release: string;
  modified: string;
}

/**
 * Converts one element of an Alpine/Wolfi secdb `packages` array ({"pkg": {"name", "secfixes": {fixed: [ids]}}})
 * into OSV-shaped records. A fixed version of "0" means the package was never affected: no record.
 * Pure: no I/O.
 */
export function secdbPackageToOsv(
  element: unknown,
  ctx: SecdbContext,
): { records: OsvRecord[]; notAffected: number } {
  if (!isRecord(element) || !isRecord(element.pkg) || typeof element.pkg.name !== "string")
    throw new Error("secdb package entry needs pkg.name");
  const name = element.pkg.name;
  const fixes = isRecord(element.pkg.secfixes) ? element.pkg.secfixes : {};
  const ecosystem = ctx.release ? `${ctx.distro}:${ctx.release}` : ctx.distro;
  const records: OsvRecord[] = [];
  let notAffected = 0;
  for (const [fixed, ids] of Object.entries(fixes)) {
    if (!Array.isArray(ids)) continue;
    for (const entry of ids) {
      if (typeof entry !== "string") continue;
      for (const id of entry.split(/\s+/).filter((t) => /^[A-Z]+-\d{4}-[\w-]+$/.test(t) || /^CVE-/.test(t))) {
        if (fixed === "0") {
          notAffected++;
          continue;
        }
        records.push({
          id: `${ctx.distro.toUpperCase()}-${ctx.release || "rolling"}-${name}-${id}`,
          modified: ctx.modified,
          aliases: [id],
          severity: [],
          affected: [
            {
              package: { ecosystem, name },
              ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }],
              versions: [],
              fixState: "fixed",
            },
          ],
          references: [],
        });
      }
    }
  }
  return { records, notAffected };
}
