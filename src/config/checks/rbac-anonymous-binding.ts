import type { ObjectCheck, Violation } from "../../core/check.js";
import type { Severity } from "../../core/model.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { BINDING_KINDS, roleRefOf, subjectsOf } from "./lib/rbac.js";

/** Subjects that everyone (or everyone with any credential) belongs to. */
const PUBLIC: ReadonlyArray<{ kind: string; name: string; who: string; severity: Severity }> = [
  { kind: "User", name: "system:anonymous", who: "unauthenticated requests", severity: "critical" },
  { kind: "Group", name: "system:unauthenticated", who: "unauthenticated requests", severity: "critical" },
  {
    kind: "Group",
    name: "system:authenticated",
    who: "every authenticated identity, every service account included",
    severity: "medium",
  },
];

/**
 * KW-RBAC-010: bindings to system:anonymous / system:unauthenticated (critical) or
 * system:authenticated (medium). The built-in discovery bindings carry the bootstrapping label and
 * are not reported.
 */
export const rbacAnonymousBinding: ObjectCheck = {
  id: "KW-RBAC-010",
  title: "Binding grants rights to anonymous or all authenticated users",
  severity: "critical",
  layer: "rbac",
  description:
    "Subjects system:anonymous and system:unauthenticated match any request without credentials when anonymous " +
    "auth is on; system:authenticated matches every user and service account token, including those of " +
    "compromised pods. Rights bound to them are effectively public.",
  remediation:
    "Bind the role to the specific users, groups or service accounts that need it; keep anonymous auth off " +
    "or limited to health endpoints.",
  references: [
    "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects",
    "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
  ],
  frameworks: { cis: [], nsa: ["authentication-authorization"] },
  kinds: BINDING_KINDS,
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const ref = roleRefOf(obj);
    const role = ref ? `${ref.kind} "${ref.name}"` : "its role";
    const out: Violation[] = [];
    for (const s of subjectsOf(obj)) {
      const hit = PUBLIC.find((p) => p.kind === s.kind && p.name === s.name);
      if (!hit) continue;
      out.push({
        message: `${obj.kind} binds ${role} to ${s.kind} ${s.name}: ${hit.who}`,
        path: [...s.path, "name"],
        severity: hit.severity,
      });
    }
    return out;
  },
};
