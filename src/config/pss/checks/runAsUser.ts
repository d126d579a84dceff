// Restricted from policy v1.23: runAsUser may not be 0 at pod or container level (unset is fine).
// v1.35: pods in a user namespace (spec.hostUsers=false) are exempt.
import { isUserNamespacePod, type Obj, podSc, push, sc, settersPhrase, visitContainers } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

function check1Dot23(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  const podBad = podSc(pod.spec)?.runAsUser === 0;
  if (podBad)
    out = [{ message: "pod sets securityContext.runAsUser=0", path: ["securityContext", "runAsUser"] }];
  let bad: string[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    if (sc(c)?.runAsUser !== 0) return;
    bad = push(bad, name);
    out = push(out, {
      message: `container ${JSON.stringify(name)} sets securityContext.runAsUser=0`,
      path: [list, ci, "securityContext", "runAsUser"],
      container: name,
    });
  });
  if (!out) return null;
  bad ??= [];
  return {
    reason: "runAsUser=0",
    detail: `${settersPhrase(podBad, bad)} must not set runAsUser=0`,
    violations: out,
  };
}

function check1Dot35(pod: PssPod): PssFailure | null {
  if (isUserNamespacePod(pod.spec)) return null;
  return check1Dot23(pod);
}

export const runAsUser: PssCheckDef = {
  id: "runAsUser",
  level: "restricted",
  versions: [
    { since: 23, check: check1Dot23 },
    { since: 35, check: check1Dot35 },
  ],
  scanner: {
    id: "KW-POD-014",
    title: "Container runs as UID 0",
    severity: "medium",
    description:
      "runAsUser: 0 runs the container's processes as root. The restricted standard forbids it from policy v1.23 " +
      "(user-namespace pods are exempt from policy v1.35).",
    remediation: "Set securityContext.runAsUser to a non-zero UID, or remove it and set runAsNonRoot: true.",
    cis: ["5.2.6"],
    nsa: ["pod-security", "non-root-containers"],
  },
};
