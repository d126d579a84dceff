// Resource rules: CPU/memory requests and limits required, per-container maximums.
import { isRecord } from "../../core/object.js";
import { containersOf } from "../../core/podspec.js";
import { parseQuantity } from "../quantity.js";
import type { AdmissionRuleFamily, RuleHit } from "./types.js";

function valueAt(container: Record<string, unknown>, field: string): unknown {
  const [which, name] = field.split(".") as [string, string];
  const res = container.resources;
  if (!isRecord(res)) return undefined;
  const group = res[which];
  return isRecord(group) ? group[name] : undefined;
}

export const resourcesFamily: AdmissionRuleFamily = {
  name: "resources",
  enabled: (config) => config.resources.length > 0,
  evaluate(ctx) {
    if (!ctx.pod) return [];
    const hits: RuleHit[] = [];
    const containers = containersOf(ctx.pod).filter((c) => c.type !== "ephemeralContainers");
    for (const rule of ctx.config.resources) {
      if (!ctx.inScope(rule)) continue;
      for (const c of containers) {
        for (const field of rule.require) {
          let v = valueAt(c.container, field);
          // A request left unset defaults to the container's limit.
          if (v === undefined && field.startsWith("requests."))
            v = valueAt(c.container, field.replace("requests.", "limits."));
          if (v === undefined)
            hits.push({
              rule: "resources-required",
              mode: rule.mode,
              message: `container "${c.name}" has no resources.${field}`,
              container: c.name,
              path: [...c.path, "resources"],
              severity: "medium",
            });
        }
        for (const [field, max] of Object.entries(rule.max)) {
          const raw = valueAt(c.container, field);
          if (raw === undefined) continue;
          const v = parseQuantity(raw);
          const path = [...c.path, "resources", ...field.split(".")];
          if (v === undefined) {
            hits.push({
              rule: "resources-invalid",
              mode: rule.mode,
              message: `container "${c.name}" resources.${field} ${JSON.stringify(raw)} is not a quantity`,
              container: c.name,
              path,
              severity: "medium",
            });
          } else if (v > max.value) {
            hits.push({
              rule: "resources-max",
              mode: rule.mode,
              message: `container "${c.name}" resources.${field} ${String(raw)} exceeds the maximum ${max.text}`,
              container: c.name,
              path,
              severity: "medium",
            });
          }
        }
      }
    }
    return hits;
  },
};
