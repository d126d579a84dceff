// Baseline: SELinux options may only pick a container type (user and role must stay unset).
// Allowed types: "", container_t, container_init_t, container_kvm_t; v1.31 adds container_engine_t.
import {
  distinct,
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

const TYPES_1_0 = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);
const TYPES_1_31 = new Set([...TYPES_1_0, "container_engine_t"]);
const USER_ROLE = ["user", "role"] as const;

function make(allowedTypes: ReadonlySet<string>) {
  return (pod: PssPod): PssFailure | null => {
    let out: PssViolation[] | undefined;
    let badTypes: string[] | undefined;
    let setUser = false;
    let setRole = false;
    const inspect = (
      opts: Obj,
      who: string,
      path: readonly (string | number)[],
      container?: string,
    ): boolean => {
      let bad = false;
      const type = str(opts.type);
      if (!allowedTypes.has(type)) {
        badTypes = push(badTypes, type);
        bad = true;
        out = push(out, {
          message: `${who} sets securityContext.seLinuxOptions.type=${JSON.stringify(type)}`,
          path: [...path, "type"],
          ...(container !== undefined ? { container } : {}),
        });
      }
      for (const field of USER_ROLE) {
        const value = str(opts[field]);
        if (value === "") continue;
        if (field === "user") setUser = true;
        else setRole = true;
        bad = true;
        out = push(out, {
          message: `${who} sets securityContext.seLinuxOptions.${field}=${JSON.stringify(value)}`,
          path: [...path, field],
          ...(container !== undefined ? { container } : {}),
        });
      }
      return bad;
    };
    const podOpts = rec(podSc(pod.spec)?.seLinuxOptions);
    const podBad = podOpts ? inspect(podOpts, "pod", ["securityContext", "seLinuxOptions"]) : false;
    let badContainers: string[] | undefined;
    visitContainers(pod.spec, (c: Obj, name, list, ci) => {
      const opts = rec(sc(c)?.seLinuxOptions);
      if (!opts) return;
      if (
        inspect(
          opts,
          `container ${JSON.stringify(name)}`,
          [list, ci, "securityContext", "seLinuxOptions"],
          name,
        )
      ) {
        badContainers = push(badContainers, name);
      }
    });
    if (!out) return null;
    badTypes ??= [];
    badContainers ??= [];
    const what: string[] = [];
    if (badTypes.length > 0)
      what.push(`${badTypes.length === 1 ? "type" : "types"} ${quote(distinct(badTypes))}`);
    if (setUser) what.push("user may not be set");
    if (setRole) what.push("role may not be set");
    return {
      reason: "seLinuxOptions",
      detail: `${settersPhrase(podBad, badContainers)} set forbidden securityContext.seLinuxOptions: ${what.join("; ")}`,
      violations: out,
    };
  };
}

export const seLinuxOptions: PssCheckDef = {
  id: "seLinuxOptions",
  level: "baseline",
  versions: [
    { since: 0, check: make(TYPES_1_0) },
    { since: 31, check: make(TYPES_1_31) },
  ],
  scanner: {
    id: "KW-POD-015",
    title: "Custom SELinux user, role or type",
    severity: "high",
    description:
      "Setting an SELinux user or role, or a type other than the container types, can lift the SELinux " +
      "confinement of the container. Baseline allows only container_t, container_init_t, container_kvm_t and " +
      "(from policy v1.31) container_engine_t.",
    remediation:
      "Remove seLinuxOptions.user and .role, and use one of the allowed container types (or none).",
    cis: ["5.7.3"],
    nsa: ["pod-security", "container-hardening"],
  },
};
