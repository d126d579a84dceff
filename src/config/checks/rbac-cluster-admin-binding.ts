import type { ObjectCheck } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { BINDING_KINDS, roleRefOf, subjectsOf } from "./lib/rbac.js";

/**
 * KW-RBAC-009: a binding whose roleRef is the ClusterRole cluster-admin. Through a
 * ClusterRoleBinding it is full control of the cluster (critical); through a RoleBinding, full
 * control of that namespace, Roles and RoleBindings included (high).
 */
export const rbacClusterAdminBinding: ObjectCheck = {
  id: "KW-RBAC-009",
  title: "Binding to cluster-admin",
  severity: "high",
  layer: "rbac",
  description:
    "cluster-admin allows every verb on every resource. Applications and most people never need it; each " +
    "extra holder is another credential whose theft compromises the whole cluster.",
  remediation:
    "Bind a role with only the permissions needed (e.g. the built-in admin/edit/view ClusterRoles in a " +
    "RoleBinding), and keep cluster-admin for break-glass accounts.",
  references: [
    "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege",
  ],
  frameworks: { cis: ["5.1.1"], nsa: ["authentication-authorization"] },
  kinds: BINDING_KINDS,
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const ref = roleRefOf(obj);
    if (ref?.kind !== "ClusterRole" || ref.name !== "cluster-admin") return [];
    const subjects = subjectsOf(obj).map((s) =>
      s.kind === "ServiceAccount" ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`,
    );
    const who = subjects.length > 0 ? subjects.join(", ") : "no subjects";
    const cluster = obj.kind === "ClusterRoleBinding";
    return [
      {
        message: cluster
          ? `ClusterRoleBinding grants cluster-admin on the whole cluster to ${who}`
          : `RoleBinding grants cluster-admin in namespace "${obj.metadata.namespace ?? "default"}" to ${who}`,
        path: ["roleRef", "name"],
        severity: cluster ? "critical" : "high",
      },
    ];
  },
};
