// Baseline: privileged containers are forbidden.
import { containersPhrase, namesOf, type Obj, push, sc, visitContainers } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

function check1Dot0(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    if (sc(c)?.privileged !== true) return;
    out = push(out, {
      message: `container ${JSON.stringify(name)} sets securityContext.privileged=true`,
      path: [list, ci, "securityContext", "privileged"],
      container: name,
    });
  });
  if (!out) return null;
  return {
    reason: "privileged",
    detail: `${containersPhrase(namesOf(out))} must not set securityContext.privileged=true`,
    violations: out,
  };
}

export const privileged: PssCheckDef = {
  id: "privileged",
  level: "baseline",
  versions: [{ since: 0, check: check1Dot0 }],
  scanner: {
    id: "KW-POD-009",
    title: "Privileged container",
    severity: "critical",
    description:
      "A privileged container has all capabilities and access to the node's devices; escaping to the node is " +
      "trivial. The baseline standard forbids privileged containers.",
    remediation:
      "Remove securityContext.privileged (or set it to false) and grant only the capabilities needed.",
    cis: ["5.2.1"],
    nsa: ["pod-security"],
  },
};
