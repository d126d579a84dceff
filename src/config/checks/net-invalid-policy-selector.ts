import type { ObjectCheck } from "../../core/check.js";
import { isRecord } from "../../core/object.js";
import { isNetworkPolicy } from "./lib/netpol.js";
import { matchSelector } from "./lib/selector.js";

/**
 * KW-NET-006: a NetworkPolicy whose podSelector is malformed (In/NotIn without values,
 * Exists/DoesNotExist with values, unknown operator, non-string labels). The API server rejects such
 * a policy, so it isolates nothing; KW-NET-001/002 ignore it and say so.
 */
export const netInvalidPolicySelector: ObjectCheck = {
  id: "KW-NET-006",
  title: "NetworkPolicy has an invalid podSelector",
  severity: "medium",
  layer: "network",
  description:
    "A NetworkPolicy with an invalid podSelector is rejected by the API server, so the isolation its author " +
    "expected does not exist.",
  remediation:
    "Fix the podSelector: In and NotIn need a non-empty values list, Exists and DoesNotExist take no values, " +
    "and matchLabels values are strings.",
  references: [
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements",
    "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/",
  ],
  frameworks: { cis: ["5.3.2"], nsa: ["network-separation"] },
  kinds: ["NetworkPolicy"],
  run(obj) {
    if (!isNetworkPolicy(obj)) return [];
    const spec = isRecord(obj.raw.spec) ? obj.raw.spec : {};
    const r = matchSelector(spec.podSelector, {});
    if (r.ok) return [];
    return [{ message: `NetworkPolicy podSelector is invalid: ${r.error}`, path: ["spec", "podSelector"] }];
  },
};
