// Manifests that run `kubeward scan node` on the cluster's nodes.
import { stringify } from "yaml";
import { TOOL_VERSION } from "../core/model.js";

export interface JobOptions {
  kind: "job" | "daemonset";
  image?: string;
  namespace?: string;
  /** Extra `scan node` arguments (e.g. --benchmark cis-1.10). */
  args?: string[];
  /** For the Job: how many nodes to cover (one pod per node, spread by anti-affinity). */
  nodes?: number;
}

export const DEFAULT_IMAGE = `ghcr.io/kubeward/kubeward:${TOOL_VERSION}`;

/**
 * The scan needs the host's files, not the Kubernetes API: the ServiceAccount mounts no
 * token and is bound to no role (the least RBAC is none). The pod shares the host PID
 * namespace (to read /proc/<pid>/cmdline), mounts / read-only at /host, tolerates the
 * control-plane taints, and prints the JSON report on stdout (kubectl logs).
 */
export function nodeScanManifests(opts: JobOptions): string {
  const ns = opts.namespace ?? "kubeward";
  const image = opts.image ?? DEFAULT_IMAGE;
  const labels = { "app.kubernetes.io/name": "kubeward-node-scan" };
  const scanArgs = ["scan", "node", "--root", "/host", "--format", "json", ...(opts.args ?? [])];
  const container = {
    name: "kubeward",
    image,
    ...(opts.kind === "job"
      ? { command: ["kubeward"], args: scanArgs }
      : { command: ["/bin/sh", "-c"], args: [`kubeward ${scanArgs.join(" ")}; exec sleep infinity`] }),
    securityContext: {
      runAsUser: 0,
      runAsNonRoot: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"], add: ["DAC_READ_SEARCH"] },
    },
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    volumeMounts: [{ name: "host", mountPath: "/host", readOnly: true }],
  };
  const podSpec = {
    serviceAccountName: "kubeward-node-scan",
    automountServiceAccountToken: false,
    hostPID: true,
    ...(opts.kind === "job" ? { restartPolicy: "Never" } : {}),
    tolerations: [
      { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
      { key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" },
    ],
    ...(opts.kind === "job"
      ? {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" },
              ],
            },
          },
        }
      : {}),
    containers: [container],
    volumes: [{ name: "host", hostPath: { path: "/", type: "Directory" } }],
  };
  const sa = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "kubeward-node-scan", namespace: ns },
    automountServiceAccountToken: false,
  };
  const nodes = Math.max(1, opts.nodes ?? 1);
  const workload =
    opts.kind === "job"
      ? {
          apiVersion: "batch/v1",
          kind: "Job",
          metadata: { name: "kubeward-node-scan", namespace: ns, labels },
          spec: {
            completions: nodes,
            parallelism: nodes,
            completionMode: "Indexed",
            backoffLimit: 0,
            ttlSecondsAfterFinished: 86400,
            template: { metadata: { labels }, spec: podSpec },
          },
        }
      : {
          apiVersion: "apps/v1",
          kind: "DaemonSet",
          metadata: { name: "kubeward-node-scan", namespace: ns, labels },
          spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
        };
  const ns0 = { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } };
  // The label map is shared by several fields: aliasDuplicateObjects off writes it out each time
  // instead of an anchor and aliases (&a1, *a1), which some tools and readers refuse.
  return [ns0, sa, workload]
    .map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false }))
    .join("---\n");
}
