import type { ObjectCheck, Violation } from "../../core/check.js";
import { containersOf, POD_KINDS, podOf } from "../../core/podspec.js";

/**
 * KW-WL-010: app containers without a livenessProbe. Init containers run to completion and
 * ephemeral containers cannot have probes, so only spec.containers is checked. Sidecars declared as
 * restartable init containers (restartPolicy: Always) can have probes but are not required to.
 */
export const livenessProbe: ObjectCheck = {
  id: "KW-WL-010",
  title: "Container without liveness probe",
  severity: "low",
  layer: "workload",
  description:
    "Without a liveness probe the kubelet restarts a container only when its process exits; a deadlocked or " +
    "hung process keeps serving errors (or nothing) until someone notices.",
  remediation: "Add a livenessProbe (httpGet, tcpSocket, grpc or exec) that fails when the process is stuck.",
  references: [
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
    "https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/",
  ],
  frameworks: { cis: [], nsa: [] },
  kinds: POD_KINDS,
  run(obj) {
    const pod = podOf(obj);
    if (!pod) return [];
    const out: Violation[] = [];
    for (const c of containersOf(pod)) {
      if (c.type !== "containers" || c.container.livenessProbe != null) continue;
      out.push({ message: `container "${c.name}" has no livenessProbe`, path: c.path, container: c.name });
    }
    return out;
  },
};
