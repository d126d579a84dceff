import type { ObjectCheck, Violation } from "../../core/check.js";
import { isRecord } from "../../core/object.js";
import { containersOf, POD_KINDS, podOf } from "../../core/podspec.js";
import { deepestExisting } from "./lib/k8s.js";

/** KW-WL-006: container root filesystem is writable (readOnlyRootFilesystem not true). */
export const readOnlyRootFs: ObjectCheck = {
  id: "KW-WL-006",
  title: "Container root filesystem is writable",
  severity: "low",
  layer: "workload",
  description:
    "A writable root filesystem lets an attacker who gets code execution drop tools, alter binaries or " +
    "persist changes inside the container. There is no pod-level setting: each container must set " +
    "securityContext.readOnlyRootFilesystem: true. Windows pods (spec.os.name: windows) are exempt.",
  remediation:
    "Set securityContext.readOnlyRootFilesystem: true on every container and mount an emptyDir volume " +
    "where the application must write (e.g. /tmp).",
  references: [
    "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    "https://kubernetes.io/docs/concepts/security/security-checklist/#pod-security",
  ],
  frameworks: { cis: ["5.7.3"], nsa: ["pod-security"] },
  kinds: POD_KINDS,
  run(obj) {
    const pod = podOf(obj);
    // Windows containers have no read-only root filesystem; the API rejects the field for them.
    if (!pod || (isRecord(pod.spec.os) && pod.spec.os.name === "windows")) return [];
    const out: Violation[] = [];
    for (const c of containersOf(pod)) {
      if (c.type === "ephemeralContainers") continue;
      const sc = c.container.securityContext;
      const value =
        typeof sc === "object" && sc !== null
          ? (sc as Record<string, unknown>).readOnlyRootFilesystem
          : undefined;
      if (value === true) continue;
      out.push({
        message:
          value === undefined
            ? `container "${c.name}" does not set securityContext.readOnlyRootFilesystem (defaults to false)`
            : `container "${c.name}" sets securityContext.readOnlyRootFilesystem=${JSON.stringify(value)}`,
        path: deepestExisting(obj.raw, [...c.path, "securityContext", "readOnlyRootFilesystem"]),
        container: c.name,
      });
    }
    return out;
  },
};
