// Baseline: Windows HostProcess containers (full access to the Windows node) are forbidden.
import { type Obj, podSc, push, rec, sc, settersPhrase, visitContainers } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

function check1Dot0(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  const podBad = rec(podSc(pod.spec)?.windowsOptions)?.hostProcess === true;
  if (podBad) {
    out = [
      {
        message: "pod sets securityContext.windowsOptions.hostProcess=true",
        path: ["securityContext", "windowsOptions", "hostProcess"],
      },
    ];
  }
  let bad: string[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    if (rec(sc(c)?.windowsOptions)?.hostProcess !== true) return;
    bad = push(bad, name);
    out = push(out, {
      message: `container ${JSON.stringify(name)} sets securityContext.windowsOptions.hostProcess=true`,
      path: [list, ci, "securityContext", "windowsOptions", "hostProcess"],
      container: name,
    });
  });
  if (!out) return null;
  bad ??= [];
  return {
    reason: "hostProcess",
    detail: `${settersPhrase(podBad, bad)} must not set securityContext.windowsOptions.hostProcess=true`,
    violations: out,
  };
}

export const windowsHostProcess: PssCheckDef = {
  id: "windowsHostProcess",
  level: "baseline",
  versions: [{ since: 0, check: check1Dot0 }],
  scanner: {
    id: "KW-POD-019",
    title: "Windows HostProcess container",
    severity: "high",
    description:
      "A Windows HostProcess container runs directly on the Windows node with the node's privileges. The baseline " +
      "standard forbids it.",
    remediation:
      "Remove securityContext.windowsOptions.hostProcess (or set it to false) at pod and container level.",
    cis: ["5.7.3"],
    nsa: ["pod-security"],
  },
};
