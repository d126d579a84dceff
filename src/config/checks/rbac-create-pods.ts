import type { ObjectCheck, Violation } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { ROLE_KINDS, ruleGrants, rulesOf, scopeOf } from "./lib/rbac.js";

/**
 * KW-RBAC-003: create on core/v1 pods. A create request has no object name, so a rule restricted
 * by resourceNames cannot grant it and is not reported (same as the RBAC authorizer).
 */
export const rbacCreatePods: ObjectCheck = {
  id: "KW-RBAC-003",
  title: "Role can create Pods",
  severity: "high",
  layer: "rbac",
  description:
    "Whoever can create pods in a namespace can run them as any service account of that namespace and mount " +
    "any of its Secrets, ConfigMaps and (without Pod Security admission) host paths: it is equivalent to " +
    "holding all of those.",
  remediation:
    "Grant create on pods only to controllers and deployment pipelines that need it; give people access to " +
    "workload controllers through reviewed deployments instead.",
  references: [
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation",
    "https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
  ],
  frameworks: { cis: ["5.1.4"], nsa: ["authentication-authorization"] },
  kinds: ROLE_KINDS,
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const out: Violation[] = [];
    for (const rule of rulesOf(obj)) {
      if (!ruleGrants(rule, { verb: "create", apiGroup: "", resource: "pods" })) continue;
      out.push({
        message: `${obj.kind} rule ${rule.index} grants create on pods ${scopeOf(obj)}`,
        path: rule.path,
      });
    }
    return out;
  },
};
