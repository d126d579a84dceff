// Building blocks for check test cases: a hardened container/pod that passes every workload
// check, and small constructors for the kinds the checks look at.

export const DIGEST = `sha256:${"a1b2c3d4".repeat(8)}`;

type Obj = Record<string, unknown>;

/** A container that passes every workload check. */
export function goodContainer(over: Obj = {}): Obj {
  return {
    name: "app",
    image: `registry.example.com/shop/web:1.4.2@${DIGEST}`,
    ports: [{ containerPort: 8080 }],
    resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
    securityContext: {
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    },
    livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
    readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
    ...over,
  };
}

export function goodPodSpec(over: Obj = {}): Obj {
  return { automountServiceAccountToken: false, containers: [goodContainer()], ...over };
}

export function deployment(
  name: string,
  spec: Obj = goodPodSpec(),
  ns: string | null = "shop",
  labels: Obj = { app: name },
): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, ...(ns === null ? {} : { namespace: ns }) },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
  };
}

export function pod(name: string, spec: Obj = goodPodSpec(), ns = "shop", labels: Obj = { app: name }): Obj {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns, labels }, spec };
}

export function cronJob(name: string, spec: Obj = goodPodSpec(), ns = "shop"): Obj {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: ns },
    spec: {
      schedule: "*/5 * * * *",
      jobTemplate: {
        spec: {
          template: { metadata: { labels: { app: name } }, spec: { restartPolicy: "OnFailure", ...spec } },
        },
      },
    },
  };
}

/** Path of container i of a Deployment. */
export const DC = (i = 0, type = "containers"): (string | number)[] => ["spec", "template", "spec", type, i];
/** Path of the Deployment's pod spec. */
export const DS = ["spec", "template", "spec"];

export function role(
  name: string,
  rules: Obj[],
  kind: "Role" | "ClusterRole" = "Role",
  extra: Obj = {},
): Obj {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: { name, ...(kind === "Role" ? { namespace: "shop" } : {}) },
    rules,
    ...extra,
  };
}

export function binding(
  name: string,
  roleRef: { kind: string; name: string },
  subjects: Obj[],
  kind: "RoleBinding" | "ClusterRoleBinding" = "RoleBinding",
  meta: Obj = {},
): Obj {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: { name, ...(kind === "RoleBinding" ? { namespace: "shop" } : {}), ...meta },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
    subjects,
  };
}

export function netpol(name: string, spec: Obj, ns = "shop"): Obj {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: ns },
    spec,
  };
}
