import type { ObjectCheck } from "../../core/check.js";
import { isRecord } from "../../core/object.js";
import { POD_KINDS, podOf } from "../../core/podspec.js";
import { deepestExisting, namespaceOf } from "./lib/k8s.js";
import { scanIndex } from "./lib/scan-index.js";

/**
 * KW-WL-008: the service account token is mounted into the pod. The pod's
 * automountServiceAccountToken wins; when unset, the ServiceAccount's own setting applies
 * (looked up among the scanned objects); when both are unset, Kubernetes mounts the token.
 */
export const saTokenAutomount: ObjectCheck = {
  id: "KW-WL-008",
  title: "Service account token is automounted",
  severity: "medium",
  layer: "workload",
  description:
    "Every container of the pod gets an API token for its service account under " +
    "/var/run/secrets/kubernetes.io/serviceaccount. Most applications never call the Kubernetes API; for " +
    "them the token only helps an attacker move from a compromised container to the cluster.",
  remediation:
    "Set automountServiceAccountToken: false on the pod (or on its ServiceAccount) unless the application " +
    "talks to the Kubernetes API; mount a projected token explicitly where it does.",
  references: [
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
    "https://kubernetes.io/docs/concepts/security/service-accounts/",
  ],
  frameworks: { cis: ["5.1.6"], nsa: ["pod-security", "authentication-authorization"] },
  kinds: POD_KINDS,
  run(obj, ctx) {
    const pod = podOf(obj);
    if (!pod) return [];
    const podValue = pod.spec.automountServiceAccountToken;
    if (podValue === false) return [];
    const saName =
      typeof pod.spec.serviceAccountName === "string" && pod.spec.serviceAccountName !== ""
        ? pod.spec.serviceAccountName
        : typeof pod.spec.serviceAccount === "string" && pod.spec.serviceAccount !== ""
          ? pod.spec.serviceAccount
          : "default";
    const path = deepestExisting(obj.raw, [...pod.specPath, "automountServiceAccountToken"]);
    if (podValue === true) {
      return [{ message: `pod sets automountServiceAccountToken=true (service account "${saName}")`, path }];
    }
    const ns = namespaceOf(obj);
    const sa = scanIndex(ctx).serviceAccounts.get(`${ns}/${saName}`);
    if (sa && isRecord(sa.raw) && sa.raw.automountServiceAccountToken === false) return [];
    const why = sa
      ? `neither the pod nor ServiceAccount "${saName}" sets automountServiceAccountToken: false`
      : `the pod does not set automountServiceAccountToken: false (service account "${saName}" is not among the scanned objects)`;
    return [{ message: `service account token is mounted: ${why}`, path }];
  },
};
