import type { ObjectCheck, Violation } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { BINDING_KINDS, roleRefOf, subjectsOf } from "./lib/rbac.js";

/**
 * KW-RBAC-011: rights granted to a namespace's "default" service account, directly or through the
 * groups system:serviceaccounts / system:serviceaccounts:<ns> that contain it. A ServiceAccount
 * subject without a namespace in a RoleBinding means the binding's namespace.
 */
export const rbacDefaultSaBinding: ObjectCheck = {
  id: "KW-RBAC-011",
  title: "Binding grants rights to a default service account",
  severity: "medium",
  layer: "rbac",
  description:
    'Every pod that names no service account runs as its namespace\'s "default" account, so rights bound to ' +
    "it silently reach every such pod, present and future.",
  remediation:
    "Create a dedicated ServiceAccount for the workload that needs the rights, bind the role to it and set " +
    "serviceAccountName; leave the default account without bindings.",
  references: [
    "https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts",
    "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#service-account-permissions",
  ],
  frameworks: { cis: ["5.1.5"], nsa: ["authentication-authorization"] },
  kinds: BINDING_KINDS,
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const ref = roleRefOf(obj);
    const role = ref ? `${ref.kind} "${ref.name}"` : "its role";
    const out: Violation[] = [];
    for (const s of subjectsOf(obj)) {
      let who: string | undefined;
      if (s.kind === "ServiceAccount" && s.name === "default") {
        who =
          s.namespace !== undefined
            ? `the default service account of namespace "${s.namespace}"`
            : "a default service account (subject has no namespace)";
      } else if (s.kind === "Group" && s.name === "system:serviceaccounts") {
        who = "all service accounts of all namespaces (default ones included)";
      } else if (s.kind === "Group" && s.name.startsWith("system:serviceaccounts:")) {
        const ns = s.name.slice("system:serviceaccounts:".length);
        who = `all service accounts of namespace "${ns}" (its default one included)`;
      }
      if (!who) continue;
      out.push({ message: `${obj.kind} binds ${role} to ${who}`, path: [...s.path, "name"] });
    }
    return out;
  },
};
