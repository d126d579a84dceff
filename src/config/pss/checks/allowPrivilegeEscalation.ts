// Restricted: every container must set securityContext.allowPrivilegeEscalation=false.
// v1.8: the field exists from Kubernetes 1.8. v1.25: pods with spec.os.name=windows are exempt.
import { containersPhrase, isWindowsPod, namesOf, type Obj, push, sc, visitContainers } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

function check1Dot8(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    const ctx = sc(c);
    const ape = ctx?.allowPrivilegeEscalation;
    if (ape === false) return;
    if (ape === true) {
      out = push(out, {
        message: `container ${JSON.stringify(name)} sets securityContext.allowPrivilegeEscalation=true`,
        path: [list, ci, "securityContext", "allowPrivilegeEscalation"],
        container: name,
      });
    } else {
      out = push(out, {
        message: `container ${JSON.stringify(name)} does not set securityContext.allowPrivilegeEscalation=false`,
        path: ctx ? [list, ci, "securityContext"] : [list, ci],
        container: name,
      });
    }
  });
  if (!out) return null;
  return {
    reason: "allowPrivilegeEscalation != false",
    detail: `${containersPhrase(namesOf(out))} must set securityContext.allowPrivilegeEscalation=false`,
    violations: out,
  };
}

function check1Dot25(pod: PssPod): PssFailure | null {
  if (isWindowsPod(pod.spec)) return null;
  return check1Dot8(pod);
}

export const allowPrivilegeEscalation: PssCheckDef = {
  id: "allowPrivilegeEscalation",
  level: "restricted",
  versions: [
    { since: 8, check: check1Dot8 },
    { since: 25, check: check1Dot25 },
  ],
  scanner: {
    id: "KW-POD-001",
    title: "Container allows privilege escalation",
    severity: "medium",
    description:
      "A process in the container can gain more privileges than its parent (setuid binaries, file capabilities) " +
      "unless allowPrivilegeEscalation is false. The restricted Pod Security Standard requires it on every container.",
    remediation:
      "Set securityContext.allowPrivilegeEscalation to false on every container, init and ephemeral container.",
    cis: ["5.2.5"],
    nsa: ["pod-security"],
  },
};
