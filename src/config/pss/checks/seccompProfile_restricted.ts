// Restricted from policy v1.19: a seccomp profile must be set, RuntimeDefault or Localhost, on the
// pod (containers may then leave it unset) or on every container; no level may set another type.
// Replaces seccompProfile_baseline under restricted. v1.25: pods with spec.os.name=windows are exempt.
import {
  distinct,
  isWindowsPod,
  type Obj,
  podSc,
  push,
  quote,
  rec,
  sc,
  settersPhrase,
  str,
  visitContainers,
} from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";
import { validType } from "./seccompProfile_baseline.js";

function check1Dot19(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  let values: string[] | undefined;
  const profile = rec(podSc(pod.spec)?.seccompProfile);
  const podBad = profile !== undefined && !validType(profile.type);
  const podSet = profile !== undefined && !podBad;
  if (podBad) {
    const t = str(profile.type);
    values = push(values, t);
    out = [
      {
        message: `pod sets securityContext.seccompProfile.type=${JSON.stringify(t)}`,
        path: ["securityContext", "seccompProfile", "type"],
      },
    ];
  }
  let explicit: string[] | undefined;
  let implicit: string[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    const ctx = sc(c);
    const p = rec(ctx?.seccompProfile);
    if (p) {
      if (validType(p.type)) return;
      const t = str(p.type);
      values = push(values, t);
      explicit = push(explicit, name);
      out = push(out, {
        message: `container ${JSON.stringify(name)} sets securityContext.seccompProfile.type=${JSON.stringify(t)}`,
        path: [list, ci, "securityContext", "seccompProfile", "type"],
        container: name,
      });
      return;
    }
    if (podSet) return;
    implicit = push(implicit, name);
    out = push(out, {
      message: `container ${JSON.stringify(name)} does not set securityContext.seccompProfile.type (nor does the pod)`,
      path: ctx ? [list, ci, "securityContext"] : [list, ci],
      container: name,
    });
  });
  if (!out) return null;
  values ??= [];
  explicit ??= [];
  implicit ??= [];
  const detail =
    podBad || explicit.length > 0
      ? `${settersPhrase(podBad, explicit)} must not set securityContext.seccompProfile.type to ${quote(distinct(values))}`
      : `pod or ${settersPhrase(false, implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`;
  return { reason: "seccompProfile", detail, violations: out };
}

function check1Dot25(pod: PssPod): PssFailure | null {
  if (isWindowsPod(pod.spec)) return null;
  return check1Dot19(pod);
}

export const seccompProfileRestricted: PssCheckDef = {
  id: "seccompProfile_restricted",
  level: "restricted",
  overrides: ["seccompProfile_baseline"],
  versions: [
    { since: 19, check: check1Dot19 },
    { since: 25, check: check1Dot25 },
  ],
  scanner: {
    id: "KW-POD-017",
    title: "Seccomp profile not set",
    severity: "medium",
    description:
      "The restricted standard requires a seccomp profile (RuntimeDefault or Localhost) on the pod or on every " +
      "container, so that the kernel's attack surface is reduced even when the runtime's default is unconfined.",
    remediation: "Set spec.securityContext.seccompProfile.type: RuntimeDefault in the pod template.",
    cis: ["5.7.2"],
    nsa: ["pod-security", "container-hardening"],
  },
};
