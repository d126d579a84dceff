import type { ObjectCheck, Violation } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { namesNote, ROLE_KINDS, ruleGrants, rulesOf, scopeOf } from "./lib/rbac.js";

/**
 * KW-RBAC-007: create on serviceaccounts/token (TokenRequest). The request names the service
 * account, so resourceNames narrows it to those accounts (medium) but still counts.
 */
export const rbacSaTokenCreate: ObjectCheck = {
  id: "KW-RBAC-007",
  title: "Role can create service account tokens",
  severity: "high",
  layer: "rbac",
  description:
    "create on serviceaccounts/token mints API tokens for service accounts, so the holder gets every " +
    "permission of every service account in scope, including long-lived tokens for offline use.",
  remediation:
    "Remove serviceaccounts/token create, or restrict it with resourceNames to the service accounts the " +
    "component legitimately issues tokens for.",
  references: [
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request",
    "https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/",
  ],
  frameworks: { cis: ["5.1.13"], nsa: ["authentication-authorization"] },
  kinds: ROLE_KINDS,
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const out: Violation[] = [];
    for (const rule of rulesOf(obj)) {
      if (!ruleGrants(rule, { verb: "create", apiGroup: "", resource: "serviceaccounts/token" })) continue;
      out.push({
        message: `${obj.kind} rule ${rule.index} grants create on serviceaccounts/token ${scopeOf(obj)}${namesNote(rule)}`,
        path: rule.path,
        severity: rule.resourceNames.length > 0 ? "medium" : "high",
      });
    }
    return out;
  },
};
