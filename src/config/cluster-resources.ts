// The API resources `scan cluster` lists: exactly the kinds the manifest checks read (a test
// compares this table with the checks' kinds). Secrets and ConfigMaps are never read.

export interface ClusterResource {
  kind: string;
  /** API group; "" for the core group (/api/v1). */
  group: string;
  /** Version to list; undefined: the group's preferred version, found by discovery. */
  version?: string;
  /** Plural resource name of the URL. */
  resource: string;
  namespaced: boolean;
  /**
   * A custom resource (here: Istio's): a cluster without its group simply has none, so a missing
   * group is not an error. Built-in kinds the server lacks are reported.
   */
  optional?: boolean;
}

export const CLUSTER_RESOURCES: readonly ClusterResource[] = [
  { kind: "Namespace", group: "", version: "v1", resource: "namespaces", namespaced: false },
  { kind: "Pod", group: "", version: "v1", resource: "pods", namespaced: true },
  { kind: "PodTemplate", group: "", version: "v1", resource: "podtemplates", namespaced: true },
  {
    kind: "ReplicationController",
    group: "",
    version: "v1",
    resource: "replicationcontrollers",
    namespaced: true,
  },
  { kind: "Service", group: "", version: "v1", resource: "services", namespaced: true },
  { kind: "ServiceAccount", group: "", version: "v1", resource: "serviceaccounts", namespaced: true },
  { kind: "LimitRange", group: "", version: "v1", resource: "limitranges", namespaced: true },
  { kind: "Deployment", group: "apps", version: "v1", resource: "deployments", namespaced: true },
  { kind: "ReplicaSet", group: "apps", version: "v1", resource: "replicasets", namespaced: true },
  { kind: "StatefulSet", group: "apps", version: "v1", resource: "statefulsets", namespaced: true },
  { kind: "DaemonSet", group: "apps", version: "v1", resource: "daemonsets", namespaced: true },
  { kind: "Job", group: "batch", version: "v1", resource: "jobs", namespaced: true },
  { kind: "CronJob", group: "batch", version: "v1", resource: "cronjobs", namespaced: true },
  { kind: "Ingress", group: "networking.k8s.io", version: "v1", resource: "ingresses", namespaced: true },
  {
    kind: "NetworkPolicy",
    group: "networking.k8s.io",
    version: "v1",
    resource: "networkpolicies",
    namespaced: true,
  },
  { kind: "Role", group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", namespaced: true },
  {
    kind: "RoleBinding",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "rolebindings",
    namespaced: true,
  },
  {
    kind: "ClusterRole",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterroles",
    namespaced: false,
  },
  {
    kind: "ClusterRoleBinding",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "clusterrolebindings",
    namespaced: false,
  },
  {
    kind: "PeerAuthentication",
    group: "security.istio.io",
    resource: "peerauthentications",
    namespaced: true,
    optional: true,
  },
];

/** "pods", "deployments.apps": how kubectl and the API server's messages name a resource. */
export function resourceName(r: ClusterResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/** The collection's URL path, cluster-wide or in one namespace. */
export function collectionPath(r: ClusterResource, version: string, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${version}` : `/api/${version}`;
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${r.resource}`;
}
