// Restricted: every container must drop ALL capabilities and may add back only NET_BIND_SERVICE.
// Replaces capabilities_baseline under restricted. v1.25: pods with spec.os.name=windows are exempt.
import {
  containersPhrase,
  distinct,
  isWindowsPod,
  type Obj,
  push,
  quote,
  rec,
  sc,
  visitContainers,
} from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

function check1Dot22(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  let missingDrop: string[] | undefined;
  let adding: string[] | undefined;
  let added: string[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    const ctx = sc(c);
    const caps = rec(ctx?.capabilities);
    const drop = caps?.drop;
    if (!Array.isArray(drop) || !drop.includes("ALL")) {
      missingDrop = push(missingDrop, name);
      out = push(out, {
        message: `container ${JSON.stringify(name)} does not set securityContext.capabilities.drop=["ALL"]`,
        path: caps
          ? [list, ci, "securityContext", "capabilities"]
          : ctx
            ? [list, ci, "securityContext"]
            : [list, ci],
        container: name,
      });
    }
    const add = caps?.add;
    if (!Array.isArray(add)) return;
    let forbidden = false;
    for (let i = 0; i < add.length; i++) {
      const cap = add[i];
      if (cap === "NET_BIND_SERVICE") continue;
      const shown = typeof cap === "string" ? cap : String(cap);
      forbidden = true;
      added = push(added, shown);
      out = push(out, {
        message: `container ${JSON.stringify(name)} adds capability ${JSON.stringify(shown)} in securityContext.capabilities.add`,
        path: [list, ci, "securityContext", "capabilities", "add", i],
        container: name,
      });
    }
    if (forbidden) adding = push(adding, name);
  });
  if (!out) return null;
  missingDrop ??= [];
  adding ??= [];
  added ??= [];
  const details: string[] = [];
  if (missingDrop.length > 0)
    details.push(`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length > 0) {
    details.push(
      `${containersPhrase(adding)} must not include ${quote(distinct(added))} in securityContext.capabilities.add`,
    );
  }
  return { reason: "unrestricted capabilities", detail: details.join("; "), violations: out };
}

function check1Dot25(pod: PssPod): PssFailure | null {
  if (isWindowsPod(pod.spec)) return null;
  return check1Dot22(pod);
}

export const capabilitiesRestricted: PssCheckDef = {
  id: "capabilities_restricted",
  level: "restricted",
  overrides: ["capabilities_baseline"],
  versions: [
    { since: 22, check: check1Dot22 },
    { since: 25, check: check1Dot25 },
  ],
  scanner: {
    id: "KW-POD-004",
    title: "Container does not drop all capabilities",
    severity: "medium",
    description:
      "The restricted standard requires every container to drop ALL Linux capabilities and add back at most " +
      "NET_BIND_SERVICE, so that a compromised process holds no kernel privileges it does not need.",
    remediation:
      'Set securityContext.capabilities.drop to ["ALL"] on every container and add back only NET_BIND_SERVICE if needed.',
    cis: ["5.2.7", "5.2.8", "5.2.9"],
    nsa: ["pod-security"],
  },
};
