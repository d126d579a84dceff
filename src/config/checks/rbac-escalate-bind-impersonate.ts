import type { ObjectCheck, Violation } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import {
  type Access,
  groupMatches,
  namesNote,
  RBAC_GROUP,
  ROLE_KINDS,
  type Rule,
  ruleGrants,
  rulesOf,
  scopeOf,
  verbMatches,
} from "./lib/rbac.js";

/**
 * What each verb is checked on. `clusterOnly` marks targets that are cluster-scoped, so a namespaced
 * Role cannot grant them (users, groups, uids and user extras are authorized without a namespace).
 */
const TARGETS: ReadonlyArray<{ label: string; clusterOnly: boolean; accesses: Access[] }> = [
  {
    label: "escalate on roles/clusterroles",
    clusterOnly: false,
    accesses: ["roles", "clusterroles"].map((resource) => ({
      verb: "escalate",
      apiGroup: RBAC_GROUP,
      resource,
    })),
  },
  {
    label: "bind on roles/clusterroles",
    clusterOnly: false,
    accesses: ["roles", "clusterroles"].map((resource) => ({ verb: "bind", apiGroup: RBAC_GROUP, resource })),
  },
  {
    label: "impersonate serviceaccounts",
    clusterOnly: false,
    accesses: [{ verb: "impersonate", apiGroup: "", resource: "serviceaccounts" }],
  },
  {
    label: "impersonate users/groups",
    clusterOnly: true,
    accesses: ["users", "groups"].map((resource) => ({ verb: "impersonate", apiGroup: "", resource })),
  },
  {
    label: "impersonate uids",
    clusterOnly: true,
    accesses: [{ verb: "impersonate", apiGroup: "authentication.k8s.io", resource: "uids" }],
  },
];

/**
 * Impersonating user extras is authorized on "userextras/<extra key>" in authentication.k8s.io, so any
 * "userextras/..." entry, "*" or a "*\/<key>" subresource wildcard grants it for some key.
 */
function grantsUserExtras(rule: Rule): boolean {
  if (!verbMatches(rule, "impersonate") || !groupMatches(rule, "authentication.k8s.io")) return false;
  return rule.resources.some(
    (r) => r === "*" || r.startsWith("userextras/") || (r.startsWith("*/") && r.length > 2),
  );
}

/**
 * KW-RBAC-005: escalate or bind on roles/clusterroles, or impersonate on users, groups, service
 * accounts, uids or user extras. These verbs are exactly the ones the RBAC API uses to stop
 * privilege escalation; holding them bypasses it.
 */
export const rbacEscalateBindImpersonate: ObjectCheck = {
  id: "KW-RBAC-005",
  title: "Role can escalate, bind or impersonate",
  severity: "high",
  layer: "rbac",
  description:
    "escalate lets a subject write roles with permissions it does not hold, bind lets it bind any role to " +
    "anyone, and impersonate lets it act as another user, group or service account (e.g. system:masters). " +
    "Each is a path to cluster-admin.",
  remediation:
    "Remove escalate, bind and impersonate from the rule; when a controller must bind roles, restrict bind " +
    "with resourceNames to the specific roles it hands out.",
  references: [
    "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping",
    "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation",
  ],
  frameworks: { cis: ["5.1.8"], nsa: ["authentication-authorization"] },
  kinds: ROLE_KINDS,
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const out: Violation[] = [];
    for (const rule of rulesOf(obj)) {
      const cluster = obj.kind === "ClusterRole";
      const found = TARGETS.filter(
        (t) => (cluster || !t.clusterOnly) && t.accesses.some((a) => ruleGrants(rule, a)),
      ).map((t) => t.label);
      if (cluster && grantsUserExtras(rule)) found.push("impersonate userextras");
      if (found.length === 0) continue;
      const impersonate = found.some((f) => f.startsWith("impersonate"));
      out.push({
        message: `${obj.kind} rule ${rule.index} grants ${found.join("; ")} ${scopeOf(obj)}${namesNote(rule)}`,
        path: rule.path,
        severity: cluster && impersonate ? "critical" : "high",
      });
    }
    return out;
  },
};
