// Restricted: containers must run as non-root: runAsNonRoot=true at pod level (containers may leave
// it unset) or on every container; false is forbidden at either level.
// v1.35: pods in a user namespace (spec.hostUsers=false) are exempt.
import { isUserNamespacePod, type Obj, podSc, push, sc, settersPhrase, visitContainers } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

function check1Dot0(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  const podCtx = podSc(pod.spec);
  const podValue = podCtx?.runAsNonRoot;
  const podBad = podValue === false;
  if (podBad) {
    out = [
      { message: "pod sets securityContext.runAsNonRoot=false", path: ["securityContext", "runAsNonRoot"] },
    ];
  }
  let explicit: string[] | undefined;
  let implicit: string[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    const ctx = sc(c);
    const v = ctx?.runAsNonRoot;
    if (typeof v === "boolean") {
      if (v) return;
      explicit = push(explicit, name);
      out = push(out, {
        message: `container ${JSON.stringify(name)} sets securityContext.runAsNonRoot=false`,
        path: [list, ci, "securityContext", "runAsNonRoot"],
        container: name,
      });
      return;
    }
    if (podValue === true) return;
    implicit = push(implicit, name);
    out = push(out, {
      message: `container ${JSON.stringify(name)} does not set securityContext.runAsNonRoot=true (nor does the pod)`,
      path: ctx ? [list, ci, "securityContext"] : [list, ci],
      container: name,
    });
  });
  if (!out) return null;
  explicit ??= [];
  implicit ??= [];
  const detail =
    podBad || explicit.length > 0
      ? `${settersPhrase(podBad, explicit)} must not set securityContext.runAsNonRoot=false`
      : `pod or ${settersPhrase(false, implicit)} must set securityContext.runAsNonRoot=true`;
  return { reason: "runAsNonRoot != true", detail, violations: out };
}

function check1Dot35(pod: PssPod): PssFailure | null {
  if (isUserNamespacePod(pod.spec)) return null;
  return check1Dot0(pod);
}

export const runAsNonRoot: PssCheckDef = {
  id: "runAsNonRoot",
  level: "restricted",
  versions: [
    { since: 0, check: check1Dot0 },
    { since: 35, check: check1Dot35 },
  ],
  scanner: {
    id: "KW-POD-013",
    title: "Container may run as root",
    severity: "medium",
    description:
      "Without runAsNonRoot=true the kubelet starts the container even when its image runs as UID 0. The " +
      "restricted standard requires runAsNonRoot=true on the pod or on every container (user-namespace pods are " +
      "exempt from policy v1.35).",
    remediation:
      "Set securityContext.runAsNonRoot: true in the pod's securityContext and run the image as a non-root user.",
    cis: ["5.2.6"],
    nsa: ["pod-security", "non-root-containers"],
  },
};
