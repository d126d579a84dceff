import type { ObjectCheck } from "../../core/check.js";

/** Built-in kinds that are cluster-scoped: a namespace does not apply to them. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "CustomResourceDefinition",
  "APIService",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "CertificateSigningRequest",
  "ClusterTrustBundle",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "PodSecurityPolicy",
  "ComponentStatus",
  "IPAddress",
  "ServiceCIDR",
  "DeviceClass",
  "VolumeAttributesClass",
  "StorageVersionMigration",
]);

/** Kinds that are wrappers or requests, not objects stored in a namespace. */
const NOT_STORED = new Set([
  "List",
  "AdmissionReview",
  "SubjectAccessReview",
  "SelfSubjectAccessReview",
  "TokenReview",
]);

/** Objects Kubernetes itself keeps in "default" (kind/name): a cluster audit must not blame them. */
const BUILT_IN_DEFAULT_OBJECTS = new Set([
  "Service/kubernetes",
  "Endpoints/kubernetes",
  "EndpointSlice/kubernetes",
  "ServiceAccount/default",
  "ConfigMap/kube-root-ca.crt",
]);

/**
 * KW-WL-014: namespaced objects placed in "default", explicitly (low) or by omission (info: the
 * object lands wherever `kubectl apply -n` points, "default" when it is not given). Unknown kinds
 * (custom resources) are treated as namespaced; cluster-scoped custom kinds may be reported by
 * omission only, at info level.
 */
export const defaultNamespace: ObjectCheck = {
  id: "KW-WL-014",
  title: "Object in the default namespace",
  severity: "low",
  layer: "workload",
  description:
    "The default namespace is shared by everything that forgets to pick one, so RBAC, NetworkPolicies, quotas " +
    "and Pod Security labels cannot be tailored to the application. Objects without metadata.namespace are " +
    "created there unless applied with -n or by a tool that sets the namespace.",
  remediation:
    "Create a namespace per application or team and set metadata.namespace (or apply with -n / a kustomize " +
    "namespace).",
  references: [
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
    "https://kubernetes.io/docs/concepts/security/multi-tenancy/",
  ],
  frameworks: { cis: ["5.7.1", "5.7.4"], nsa: ["network-separation"] },
  kinds: ["*"],
  run(obj) {
    if (obj.kind === "" || CLUSTER_SCOPED.has(obj.kind) || NOT_STORED.has(obj.kind)) return [];
    const ns = obj.metadata.namespace;
    if (ns === "default") {
      if (BUILT_IN_DEFAULT_OBJECTS.has(`${obj.kind}/${obj.metadata.name}`)) return [];
      return [{ message: `${obj.kind} sets metadata.namespace "default"`, path: ["metadata", "namespace"] }];
    }
    if (ns === undefined || ns === null || ns === "") {
      return [
        {
          message: `${obj.kind} has no metadata.namespace: it will land in the default namespace unless applied with -n`,
          path: ["metadata"],
          severity: "info",
        },
      ];
    }
    return [];
  },
};
