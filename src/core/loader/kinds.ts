// Which kinds the loader hands to the checks. Every object of a built-in kind
// and every object whose API group looks like a CustomResourceDefinition's
// (a DNS name, e.g. cert-manager.io/v1) is kept; anything else (a typo such as
// `kind: Deploymnet`, or `apiVersion: v1, kind: Foo`) is reported as skipped.

/** Kinds served by a stock Kubernetes API server (core and built-in groups). */
export const BUILTIN_KINDS: ReadonlySet<string> = new Set([
  // core/v1
  "Binding",
  "ComponentStatus",
  "ConfigMap",
  "Endpoints",
  "Event",
  "LimitRange",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Pod",
  "PodTemplate",
  "ReplicationController",
  "ResourceQuota",
  "Secret",
  "Service",
  "ServiceAccount",
  // apps, batch, autoscaling, policy
  "ControllerRevision",
  "DaemonSet",
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "CronJob",
  "Job",
  "HorizontalPodAutoscaler",
  "PodDisruptionBudget",
  "PodSecurityPolicy",
  "Eviction",
  // rbac.authorization.k8s.io, authentication/authorization
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "TokenRequest",
  "TokenReview",
  "SelfSubjectReview",
  "LocalSubjectAccessReview",
  "SelfSubjectAccessReview",
  "SelfSubjectRulesReview",
  "SubjectAccessReview",
  // networking, discovery
  "Ingress",
  "IngressClass",
  "NetworkPolicy",
  "IPAddress",
  "ServiceCIDR",
  "EndpointSlice",
  // storage, node, scheduling, coordination
  "CSIDriver",
  "CSINode",
  "CSIStorageCapacity",
  "StorageClass",
  "VolumeAttachment",
  "VolumeAttributesClass",
  "RuntimeClass",
  "PriorityClass",
  "Lease",
  "LeaseCandidate",
  // admission, apiextensions, apiregistration, flowcontrol, certificates, resource, storage migration
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "CustomResourceDefinition",
  "APIService",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "CertificateSigningRequest",
  "ClusterTrustBundle",
  "DeviceClass",
  "ResourceClaim",
  "ResourceClaimTemplate",
  "ResourceSlice",
  "StorageVersionMigration",
  "StorageVersion",
]);

/** Configuration files of tools that sit next to manifests but are not cluster objects. */
const TOOL_CONFIG_GROUPS: ReadonlySet<string> = new Set(["kustomize.config.k8s.io"]);

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** True when `kind` is a built-in kind, or `apiVersion` names a DNS-style group (custom resources). */
export function isKnownKind(apiVersion: string, kind: string): boolean {
  if (BUILTIN_KINDS.has(kind)) return true;
  const group = groupOf(apiVersion);
  return group.includes(".") && !TOOL_CONFIG_GROUPS.has(group);
}

/** True for tool configuration documents (kustomization files) that are not cluster objects. */
export function isToolConfig(apiVersion: string): boolean {
  return TOOL_CONFIG_GROUPS.has(groupOf(apiVersion));
}

/** `kind: List` and the typed lists (`PodList`, `ConfigMapList`, ...) whose `items` are objects. */
export function isListKind(kind: string): boolean {
  return kind === "List" || (kind.length > 4 && kind.endsWith("List"));
}
