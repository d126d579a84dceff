// Restricted from policy v1.35: securityContext.procMount must be unset or "Default", even in a
// user-namespace pod. Replaces the (relaxed) baseline procMount check under restricted.
import type { PssCheckDef } from "../types.js";
import { procMountStrict } from "./procMount.js";

export const procMountRestricted: PssCheckDef = {
  id: "procMount_restricted",
  level: "restricted",
  overrides: ["procMount"],
  versions: [{ since: 35, check: procMountStrict }],
  scanner: {
    id: "KW-POD-011",
    title: "Container unmasks /proc (restricted)",
    severity: "medium",
    description:
      "The restricted standard allows only the Default proc mount in every pod, including pods that run in a " +
      "user namespace, which baseline exempts from policy v1.35.",
    remediation: 'Remove securityContext.procMount or set it to "Default".',
    cis: ["5.7.3"],
    nsa: ["pod-security", "container-hardening"],
  },
};
