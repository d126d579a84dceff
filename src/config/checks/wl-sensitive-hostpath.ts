import { posix } from "node:path";
import type { ObjectCheck, Violation } from "../../core/check.js";
import type { Severity } from "../../core/model.js";
import { isRecord } from "../../core/object.js";
import { containersOf, POD_KINDS, podOf } from "../../core/podspec.js";
import { recordList } from "./lib/k8s.js";

/** Container runtime API sockets: whoever reaches one controls every container on the node. */
const RUNTIME_SOCKETS = [
  "/var/run/docker.sock",
  "/run/docker.sock",
  "/var/run/containerd/containerd.sock",
  "/run/containerd/containerd.sock",
  "/var/run/crio/crio.sock",
  "/run/crio/crio.sock",
  "/var/run/cri-dockerd.sock",
  "/run/cri-dockerd.sock",
  "/run/podman/podman.sock",
  "/var/run/podman/podman.sock",
];

/** Host directories whose contents give node-level control or credentials. */
const SENSITIVE_DIRS: ReadonlyArray<{ path: string; why: string }> = [
  { path: "/proc", why: "host process information and kernel tunables" },
  { path: "/sys", why: "kernel and device controls" },
  { path: "/dev", why: "host devices" },
  { path: "/boot", why: "the host kernel and boot loader" },
  { path: "/etc", why: "host configuration, credentials and kubelet/kubernetes config" },
  { path: "/root", why: "the host root user's home" },
  { path: "/var/lib/kubelet", why: "kubelet state and every pod's mounted secrets" },
  { path: "/var/lib/docker", why: "container runtime state and images" },
  { path: "/var/lib/containerd", why: "container runtime state and images" },
  { path: "/var/lib/etcd", why: "the etcd database with every cluster secret" },
  { path: "/var/run", why: "runtime sockets and host daemons' state" },
  { path: "/run", why: "runtime sockets and host daemons' state" },
];

const isUnder = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);

/** Why a hostPath is dangerous and how much; undefined when it is not on the list. */
export function classifyHostPath(raw: string): { why: string; severity: Severity } | undefined {
  const p = posix.normalize(`/${raw.trim()}`).replace(/\/+$/, "") || "/";
  if (p === "/") return { why: "the whole host filesystem", severity: "critical" };
  for (const sock of RUNTIME_SOCKETS) {
    if (isUnder(p, sock)) return { why: `the container runtime socket ${sock}`, severity: "critical" };
    if (isUnder(sock, p))
      return { why: `a directory holding the container runtime socket ${sock}`, severity: "critical" };
  }
  for (const d of SENSITIVE_DIRS) {
    if (isUnder(p, d.path)) return { why: d.why, severity: "high" };
    if (isUnder(d.path, p))
      return { why: `a directory that contains ${d.path} (${d.why})`, severity: "high" };
  }
  return undefined;
}

/** KW-WL-012: hostPath volumes that expose runtime sockets or sensitive host directories. */
export const sensitiveHostPath: ObjectCheck = {
  id: "KW-WL-012",
  title: "Sensitive host path mounted",
  severity: "high",
  layer: "workload",
  description:
    "A hostPath volume on a container runtime socket (docker.sock, containerd.sock, crio.sock) or on host " +
    "directories such as /, /proc, /etc, /var/lib/kubelet, /var/run or /root hands the pod control of the node " +
    "or the credentials stored on it. Read-only mounts do not help for sockets.",
  remediation:
    "Remove the hostPath volume. Use the Kubernetes API, a CSI driver, a projected or emptyDir volume instead; " +
    "if a node agent truly needs it, isolate it in a dedicated namespace with strict admission policy.",
  references: [
    "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline",
  ],
  frameworks: { cis: ["5.2.12"], nsa: ["pod-security"] },
  kinds: POD_KINDS,
  run(obj) {
    const pod = podOf(obj);
    if (!pod) return [];
    const containers = containersOf(pod);
    const out: Violation[] = [];
    for (const { item: vol, index } of recordList(pod.spec.volumes)) {
      if (!isRecord(vol.hostPath) || typeof vol.hostPath.path !== "string") continue;
      const hit = classifyHostPath(vol.hostPath.path);
      if (!hit) continue;
      const volName = typeof vol.name === "string" ? vol.name : `volumes[${index}]`;
      const users = containers.filter((c) =>
        recordList(c.container.volumeMounts).some(({ item }) => item.name === vol.name),
      );
      const mountedBy =
        users.length > 0 ? `, mounted by container(s) ${users.map((c) => `"${c.name}"`).join(", ")}` : "";
      const v: Violation = {
        message: `volume "${volName}" mounts host path "${vol.hostPath.path}": ${hit.why}${mountedBy}`,
        path: [...pod.specPath, "volumes", index, "hostPath", "path"],
        severity: hit.severity,
      };
      if (users.length === 1) v.container = users[0]!.name;
      out.push(v);
    }
    return out;
  },
};
