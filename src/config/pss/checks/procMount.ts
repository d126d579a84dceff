// Baseline: securityContext.procMount must be unset or "Default" (the masked /proc).
// v1.35: a pod in a user namespace (spec.hostUsers=false) may use any procMount type.
// Under restricted from v1.35, procMount_restricted replaces this check and allows no exception.
import {
  containersPhrase,
  distinct,
  isUserNamespacePod,
  namesOf,
  type Obj,
  push,
  quote,
  sc,
  visitContainers,
} from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

/** The strict rule, shared with procMount_restricted. */
export function procMountStrict(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  let types: string[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    const ctx = sc(c);
    if (!ctx) return;
    const v = ctx.procMount;
    if (v === undefined || v === null || v === "Default") return;
    const shown = typeof v === "string" ? v : String(v);
    types = push(types, shown);
    out = push(out, {
      message: `container ${JSON.stringify(name)} sets securityContext.procMount=${JSON.stringify(shown)}`,
      path: [list, ci, "securityContext", "procMount"],
      container: name,
    });
  });
  if (!out) return null;
  types ??= [];
  return {
    reason: "procMount",
    detail: `${containersPhrase(namesOf(out))} must not set securityContext.procMount to ${quote(distinct(types))}`,
    violations: out,
  };
}

function check1Dot35(pod: PssPod): PssFailure | null {
  if (isUserNamespacePod(pod.spec)) return null;
  return procMountStrict(pod);
}

export const procMount: PssCheckDef = {
  id: "procMount",
  level: "baseline",
  versions: [
    { since: 0, check: procMountStrict },
    { since: 35, check: check1Dot35 },
  ],
  scanner: {
    id: "KW-POD-010",
    title: "Container unmasks /proc",
    severity: "high",
    description:
      "procMount Unmasked removes the masks the runtime puts over sensitive /proc paths. Baseline allows only the " +
      "Default proc mount, except (from policy v1.35) in pods that run in a user namespace (hostUsers: false).",
    remediation: 'Remove securityContext.procMount or set it to "Default".',
    cis: ["5.7.3"],
    nsa: ["pod-security", "container-hardening"],
  },
};
