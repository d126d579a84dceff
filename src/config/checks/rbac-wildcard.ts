import type { ObjectCheck, Violation } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { ROLE_KINDS, rulesOf, scopeOf } from "./lib/rbac.js";

/**
 * KW-RBAC-001: "*" in verbs, resources, apiGroups or nonResourceURLs. A wildcard grants what
 * exists today and whatever is added later (new resources, CRDs, subresources). A rule with
 * "*" in all three resource fields of a ClusterRole is cluster-admin and reported as critical.
 */
export const rbacWildcard: ObjectCheck = {
  id: "KW-RBAC-001",
  title: "Role uses wildcards",
  severity: "high",
  layer: "rbac",
  description:
    "Wildcards in verbs, resources or apiGroups grant every current and future permission of that kind, " +
    "including secrets, escalate/bind/impersonate and resources from CRDs installed later.",
  remediation: 'List the exact apiGroups, resources and verbs the subject needs instead of "*".',
  references: [
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege",
    "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources",
  ],
  frameworks: { cis: ["5.1.3"], nsa: ["authentication-authorization"] },
  kinds: ROLE_KINDS,
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const out: Violation[] = [];
    for (const rule of rulesOf(obj)) {
      const fields = (["verbs", "resources", "apiGroups", "nonResourceURLs"] as const).filter((f) =>
        rule[f].includes("*"),
      );
      if (fields.length === 0) continue;
      const full = rule.verbs.includes("*") && rule.resources.includes("*") && rule.apiGroups.includes("*");
      out.push({
        message:
          `${obj.kind} rule ${rule.index} uses "*" in ${fields.join(", ")}` +
          (full ? `: it grants every action on every resource ${scopeOf(obj)}` : ` ${scopeOf(obj)}`),
        path: [...rule.path, fields[0]!],
        severity: full && obj.kind === "ClusterRole" ? "critical" : "high",
      });
    }
    return out;
  },
};
