import type { ObjectCheck } from "../../core/check.js";
import { containersOf, POD_KINDS, podOf } from "../../core/podspec.js";

/** KW-WL-015: spec.shareProcessNamespace: true. */
export const shareProcessNamespace: ObjectCheck = {
  id: "KW-WL-015",
  title: "Containers share the pod's process namespace",
  severity: "medium",
  layer: "workload",
  description:
    "With shareProcessNamespace every container sees every other container's processes, can signal them and " +
    "can read their environment and filesystem through /proc/<pid>/root. A compromise of one container (often " +
    "a sidecar) then reaches the secrets of all the others.",
  remediation:
    "Remove shareProcessNamespace (it defaults to false); use an ephemeral debug container with " +
    "`kubectl debug --target` when you need to inspect another container's processes.",
  references: [
    "https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/",
    "https://kubernetes.io/docs/concepts/workloads/pods/ephemeral-containers/",
  ],
  frameworks: { cis: ["5.7.3"], nsa: ["pod-security"] },
  kinds: POD_KINDS,
  run(obj) {
    const pod = podOf(obj);
    if (pod?.spec.shareProcessNamespace !== true) return [];
    const names = containersOf(pod)
      .filter((c) => c.type !== "ephemeralContainers")
      .map((c) => `"${c.name}"`);
    return [
      {
        message: `pod sets shareProcessNamespace=true: containers ${names.join(", ")} can see and signal each other's processes`,
        path: [...pod.specPath, "shareProcessNamespace"],
      },
    ];
  },
};
