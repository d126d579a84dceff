import type { ObjectCheck } from "../../core/check.js";
import { POD_KINDS } from "../../core/podspec.js";
import { appContainersWithout } from "./lib/k8s.js";

/** KW-WL-011: app containers without a readinessProbe (init and ephemeral containers are exempt). */
export const readinessProbe: ObjectCheck = {
  id: "KW-WL-011",
  title: "Container without readiness probe",
  severity: "low",
  layer: "workload",
  description:
    "Without a readiness probe a pod receives Service traffic as soon as its containers start, before the " +
    "application can answer, and keeps receiving it while it is overloaded or shutting down.",
  remediation: "Add a readinessProbe that succeeds only when the container can serve requests.",
  references: [
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-readiness-probes",
    "https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/",
  ],
  frameworks: { cis: [], nsa: [] },
  kinds: POD_KINDS,
  run: (obj) => appContainersWithout(obj, "readinessProbe"),
};
