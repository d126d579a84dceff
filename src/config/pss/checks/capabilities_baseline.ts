// Baseline: containers may add only capabilities from the default set a container runtime grants
// anyway (the list is fixed since v1.0; names are case-sensitive and carry no CAP_ prefix).
import {
  containersPhrase,
  distinct,
  namesOf,
  type Obj,
  push,
  quote,
  rec,
  sc,
  visitContainers,
} from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

const ALLOWED = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

function check1Dot0(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  let bad: string[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    const add = rec(sc(c)?.capabilities)?.add;
    if (!Array.isArray(add)) return;
    for (let i = 0; i < add.length; i++) {
      const cap = add[i];
      if (typeof cap === "string" && ALLOWED.has(cap)) continue;
      const shown = typeof cap === "string" ? cap : String(cap);
      bad = push(bad, shown);
      out = push(out, {
        message: `container ${JSON.stringify(name)} adds capability ${JSON.stringify(shown)} in securityContext.capabilities.add`,
        path: [list, ci, "securityContext", "capabilities", "add", i],
        container: name,
      });
    }
  });
  if (!out) return null;
  bad ??= [];
  return {
    reason: "non-default capabilities",
    detail: `${containersPhrase(namesOf(out))} must not include ${quote(distinct(bad))} in securityContext.capabilities.add`,
    violations: out,
  };
}

export const capabilitiesBaseline: PssCheckDef = {
  id: "capabilities_baseline",
  level: "baseline",
  versions: [{ since: 0, check: check1Dot0 }],
  scanner: {
    id: "KW-POD-003",
    title: "Container adds non-default capabilities",
    severity: "high",
    description:
      "Capabilities beyond the runtime's default set (for example NET_RAW, SYS_ADMIN, NET_ADMIN) give a container " +
      "powers that can be used to attack the node or other pods. The baseline standard forbids adding them.",
    remediation:
      "Remove the capability from securityContext.capabilities.add; only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, " +
      "FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT may be added.",
    cis: ["5.2.7", "5.2.8"],
    nsa: ["pod-security"],
  },
};
