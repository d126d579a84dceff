import type { ObjectCheck, Violation } from "../../core/check.js";
import { containersOf, POD_KINDS, podOf } from "../../core/podspec.js";
import { deepestExisting, namespaceOf } from "./lib/k8s.js";
import { missingResources, namespaceDefaults, resourceContainers } from "./lib/resources.js";

/** KW-WL-004: containers without CPU or memory limits (after LimitRange defaults of the scanned set). */
export const resourceLimits: ObjectCheck = {
  id: "KW-WL-004",
  title: "Container without CPU or memory limits",
  severity: "medium",
  layer: "workload",
  description:
    "A container without a memory limit can exhaust the node's memory and get other pods evicted; without a " +
    "CPU limit it can starve its neighbours. A LimitRange with default limits in the same namespace, or " +
    "pod-level resources, satisfy this check.",
  remediation:
    "Set resources.limits.memory (and resources.limits.cpu where CPU isolation matters) on each container, " +
    "or give the namespace a LimitRange with default container limits.",
  references: [
    "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    "https://kubernetes.io/docs/concepts/policy/limit-range/",
  ],
  frameworks: { cis: [], nsa: ["network-separation"] },
  kinds: POD_KINDS,
  run(obj, ctx) {
    const pod = podOf(obj);
    if (!pod) return [];
    const defaults = namespaceDefaults(ctx, namespaceOf(obj));
    const out: Violation[] = [];
    for (const c of resourceContainers(containersOf(pod))) {
      const missing = missingResources(c, pod, defaults, "limits");
      if (missing.length === 0) continue;
      out.push({
        message: `container "${c.name}" has no ${missing.map((r) => `resources.limits.${r}`).join(" or ")}`,
        path: deepestExisting(obj.raw, [...c.path, "resources", "limits"]),
        container: c.name,
        severity: missing.includes("memory") ? "medium" : "low",
      });
    }
    return out;
  },
};
