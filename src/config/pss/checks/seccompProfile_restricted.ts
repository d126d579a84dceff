// Restricted from policy v1.19: a seccomp profile must be set, RuntimeDefault or Localhost, on the
// pod (containers may then leave it unset) or on every container; no level may set another type.
// Replaces seccompProfile_baseline under restricted. v1.25: pods with spec.os.name=windows are exempt.
import { isWindowsPod, seccompProfileFields } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod } from "../types.js";

function check1Dot19(pod: PssPod): PssFailure | null {
  return seccompProfileFields(pod, true);
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
