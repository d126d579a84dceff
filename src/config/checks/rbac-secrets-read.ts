import type { ObjectCheck, Violation } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { grantedVerbs, namesNote, ROLE_KINDS, rulesOf, scopeOf } from "./lib/rbac.js";

const READ_VERBS = ["get", "list", "watch"];

/**
 * KW-RBAC-002: get, list or watch on core/v1 secrets, by name or through wildcards. list and watch
 * return the secret data too, not just names. resourceNames narrows the grant (medium) but still counts.
 */
export const rbacSecretsRead: ObjectCheck = {
  id: "KW-RBAC-002",
  title: "Role can read Secrets",
  severity: "high",
  layer: "rbac",
  description:
    "Reading Secrets (get, and also list or watch, which return their contents) exposes every credential in " +
    "scope, including service account tokens of more privileged accounts.",
  remediation:
    "Remove secrets from the rule, or narrow it with resourceNames to the one Secret the workload needs; " +
    "prefer mounting the Secret into the pod over reading it through the API.",
  references: [
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets",
    "https://kubernetes.io/docs/concepts/configuration/secret/#information-security-for-secrets",
  ],
  frameworks: { cis: ["5.1.2"], nsa: ["authentication-authorization"] },
  kinds: ROLE_KINDS,
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const out: Violation[] = [];
    for (const rule of rulesOf(obj)) {
      const verbs = grantedVerbs(rule, "", "secrets", READ_VERBS);
      if (verbs.length === 0) continue;
      out.push({
        message: `${obj.kind} rule ${rule.index} grants ${verbs.join(", ")} on secrets ${scopeOf(obj)}${namesNote(rule)}`,
        path: rule.path,
        severity: rule.resourceNames.length > 0 ? "medium" : "high",
      });
    }
    return out;
  },
};
