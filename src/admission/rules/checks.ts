// Scanner checks by id, per namespace selector and mode: the very check modules `scan manifests`
// runs (MANIFEST_CHECKS), called on the admitted object alone.
import picomatch from "picomatch";
import { MANIFEST_CHECKS } from "../../config/registry.js";
import { isSetCheck, type ObjectCheck, type ScanContext } from "../../core/check.js";
import type { AdmissionConfig } from "../config.js";
import { AdmissionError } from "../errors.js";
import type { AdmissionRuleFamily, RuleHit } from "./types.js";

const compiled = new WeakMap<AdmissionConfig, ObjectCheck[][]>();

/** The object checks each `checks:` entry selects; unknown ids and set-level checks are config errors. */
export function selectedChecks(config: AdmissionConfig): ObjectCheck[][] {
  const hit = compiled.get(config);
  if (hit) return hit;
  const problems: string[] = [];
  const out = config.checks.map((rule, i) =>
    rule.ids.flatMap((id) => {
      const match = picomatch(id, { nocase: true });
      const found = MANIFEST_CHECKS.filter((c) => match(c.id));
      if (found.length === 0)
        problems.push(`checks[${i}].ids: no scanner check matches ${JSON.stringify(id)}`);
      const sets = found.filter(isSetCheck);
      if (sets.length > 0 && !/[*?]/.test(id))
        problems.push(
          `checks[${i}].ids: ${id} relates several objects (network/RBAC set check) and cannot run at admission`,
        );
      return found.filter((c): c is ObjectCheck => !isSetCheck(c));
    }),
  );
  if (problems.length > 0)
    throw new AdmissionError("config-invalid", `${config.file}: ${problems.join("; ")}`);
  compiled.set(config, out);
  return out;
}

export const checksFamily: AdmissionRuleFamily = {
  name: "checks",
  enabled: (config) => config.checks.length > 0,
  evaluate(ctx) {
    const hits: RuleHit[] = [];
    const selected = selectedChecks(ctx.config);
    const scan: ScanContext = {
      objects: [ctx.obj],
      options: { pssLevel: "restricted", pssVersion: "latest" },
    };
    ctx.config.checks.forEach((rule, i) => {
      if (!ctx.inScope(rule)) return;
      for (const check of selected[i]!) {
        if (!check.kinds.includes("*") && !check.kinds.includes(ctx.obj.kind)) continue;
        for (const v of check.run(ctx.obj, scan)) {
          if (v.status === "pass" || v.status === "manual") continue;
          hits.push({
            rule: check.id,
            mode: rule.mode,
            message: v.message,
            ...(v.container !== undefined ? { container: v.container } : {}),
            ...(v.path ? { path: v.path } : {}),
            severity: v.severity ?? check.severity,
          });
        }
      }
    });
    return hits;
  },
};
