import type { ObjectCheck } from "../../core/check.js";
import { POD_KINDS } from "../../core/podspec.js";
import { missingResourceViolations } from "./lib/resources.js";

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
  run: (obj, ctx) => missingResourceViolations(obj, ctx, "limits"),
};
