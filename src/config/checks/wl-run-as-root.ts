import type { ObjectCheck, Violation } from "../../core/check.js";
import { isRecord } from "../../core/object.js";
import { containersOf, POD_KINDS, podOf } from "../../core/podspec.js";

/**
 * KW-WL-007: a container runs as UID 0, set explicitly at container level or inherited from the
 * pod's securityContext.runAsUser (a container value overrides the pod's).
 */
export const runAsRoot: ObjectCheck = {
  id: "KW-WL-007",
  title: "Container runs as root (UID 0)",
  severity: "high",
  layer: "workload",
  description:
    "runAsUser: 0 makes the process root inside the container. Any container escape, writable hostPath or " +
    "mis-set capability then acts as root on the node.",
  remediation:
    "Set runAsUser to a non-zero UID (and runAsNonRoot: true) at pod or container level, and build the " +
    "image with a non-root USER.",
  references: [
    "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted",
  ],
  frameworks: { cis: ["5.2.7"], nsa: ["pod-security"] },
  kinds: POD_KINDS,
  run(obj) {
    const pod = podOf(obj);
    if (!pod) return [];
    const podSc = isRecord(pod.spec.securityContext) ? pod.spec.securityContext : {};
    const podRoot = podSc.runAsUser === 0;
    const inheriting: string[] = [];
    const out: Violation[] = [];
    for (const c of containersOf(pod)) {
      const sc = isRecord(c.container.securityContext) ? c.container.securityContext : {};
      if (sc.runAsUser === 0) {
        out.push({
          message: `container "${c.name}" sets securityContext.runAsUser=0 (root)`,
          path: [...c.path, "securityContext", "runAsUser"],
          container: c.name,
        });
      } else if (podRoot && sc.runAsUser === undefined) {
        inheriting.push(c.name);
      }
    }
    if (inheriting.length > 0) {
      out.unshift({
        message: `pod securityContext.runAsUser=0 makes container(s) ${inheriting.map((n) => `"${n}"`).join(", ")} run as root`,
        path: [...pod.specPath, "securityContext", "runAsUser"],
      });
    }
    return out;
  },
};
