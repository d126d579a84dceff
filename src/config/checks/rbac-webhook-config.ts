import type { ObjectCheck, Violation } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { grantedVerbs, namesNote, rulesOf } from "./lib/rbac.js";

const GROUP = "admissionregistration.k8s.io";
const RESOURCES = [
  "validatingwebhookconfigurations",
  "mutatingwebhookconfigurations",
  "validatingadmissionpolicies",
  "validatingadmissionpolicybindings",
  "mutatingadmissionpolicies",
  "mutatingadmissionpolicybindings",
];
const WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"];

/**
 * KW-RBAC-008: write access to admission webhook configurations (and admission policies, which
 * gate requests the same way). All are cluster-scoped, so only ClusterRoles can grant them.
 */
export const rbacWebhookConfig: ObjectCheck = {
  id: "KW-RBAC-008",
  title: "ClusterRole can modify admission webhooks or policies",
  severity: "high",
  layer: "rbac",
  description:
    "Whoever writes validating or mutating webhook configurations can switch off policy enforcement or send " +
    "every object (Secrets included) to a webhook of their choosing, which may also rewrite pods on the fly. " +
    "Admission policies and their bindings gate requests the same way.",
  remediation:
    "Restrict write verbs on admissionregistration.k8s.io resources to the operators that own each " +
    "configuration, using resourceNames where possible.",
  references: [
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks",
    "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/",
  ],
  frameworks: { cis: ["5.1.12"], nsa: ["authentication-authorization"] },
  kinds: ["ClusterRole"],
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const out: Violation[] = [];
    for (const rule of rulesOf(obj)) {
      const grants = RESOURCES.flatMap((res) => {
        const verbs = grantedVerbs(rule, GROUP, res, WRITE_VERBS);
        return verbs.length > 0 ? [`${res} (${verbs.join(", ")})`] : [];
      });
      if (grants.length === 0) continue;
      out.push({
        message: `ClusterRole rule ${rule.index} grants ${grants.join(", ")}${namesNote(rule)}`,
        path: rule.path,
      });
    }
    return out;
  },
};
