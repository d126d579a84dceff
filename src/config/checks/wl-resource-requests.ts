import type { ObjectCheck } from "../../core/check.js";
import { POD_KINDS } from "../../core/podspec.js";
import { missingResourceViolations } from "./lib/resources.js";

/**
 * KW-WL-005: containers without CPU or memory requests. A request that is left out defaults to the
 * container's limit, then to a LimitRange defaultRequest, so those cases pass.
 */
export const resourceRequests: ObjectCheck = {
  id: "KW-WL-005",
  title: "Container without CPU or memory requests",
  severity: "low",
  layer: "workload",
  description:
    "Without requests the scheduler places the pod as if it needed nothing, so nodes get overcommitted and the " +
    "pod is among the first evicted under pressure (BestEffort QoS when nothing is set).",
  remediation:
    "Set resources.requests.cpu and resources.requests.memory on each container to its usual consumption, " +
    "or give the namespace a LimitRange with defaultRequest values.",
  references: [
    "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    "https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/",
  ],
  frameworks: { cis: [], nsa: ["network-separation"] },
  kinds: POD_KINDS,
  run: (obj, ctx) => missingResourceViolations(obj, ctx, "requests"),
};
