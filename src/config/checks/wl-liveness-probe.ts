import type { ObjectCheck } from "../../core/check.js";
import { POD_KINDS } from "../../core/podspec.js";
import { appContainersWithout } from "./lib/k8s.js";

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
  run: (obj) => appContainersWithout(obj, "livenessProbe"),
};
