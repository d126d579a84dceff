// Baseline: only namespaced, node-isolated ("safe") sysctls may be set in spec.securityContext.sysctls.
// The safe list grows with the policy version: v1.0, v1.27, v1.29, v1.32, v1.37.
import { podSc, push, quote, rec } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

const SAFE_1_0 = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
];
const SAFE_1_27 = [...SAFE_1_0, "net.ipv4.ip_local_reserved_ports"];
const SAFE_1_29 = [
  ...SAFE_1_27,
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
];
const SAFE_1_32 = [...SAFE_1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SAFE_1_37 = [...SAFE_1_32, "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"];

function make(safeList: readonly string[]) {
  const safe = new Set(safeList);
  return (pod: PssPod): PssFailure | null => {
    const list = podSc(pod.spec)?.sysctls;
    if (!Array.isArray(list)) return null;
    let out: PssViolation[] | undefined;
    let names: string[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const entry = rec(list[i]);
      if (!entry) continue;
      const name = typeof entry.name === "string" ? entry.name : "";
      if (safe.has(name)) continue;
      names = push(names, name);
      out = push(out, {
        message: `pod sets forbidden sysctl ${JSON.stringify(name)} in securityContext.sysctls`,
        path: ["securityContext", "sysctls", i, "name"],
      });
    }
    if (!out) return null;
    names ??= [];
    return { reason: "forbidden sysctls", detail: quote(names), violations: out };
  };
}

/** The safe sysctls per policy version, for documentation and tests. */
export const SAFE_SYSCTLS: ReadonlyArray<{ since: number; names: readonly string[] }> = [
  { since: 0, names: SAFE_1_0 },
  { since: 27, names: SAFE_1_27 },
  { since: 29, names: SAFE_1_29 },
  { since: 32, names: SAFE_1_32 },
  { since: 37, names: SAFE_1_37 },
];

export const sysctls: PssCheckDef = {
  id: "sysctls",
  level: "baseline",
  versions: SAFE_SYSCTLS.map(({ since, names }) => ({ since, check: make(names) })),
  scanner: {
    id: "KW-POD-018",
    title: "Unsafe sysctl",
    severity: "high",
    description:
      "Sysctls outside the safe list can change kernel settings shared with the node or other pods, or disable " +
      "security mechanisms. Baseline allows only the safe, namespaced sysctls of the policy version.",
    remediation:
      "Remove the sysctl from spec.securityContext.sysctls, or set it on the node if it is really needed.",
    cis: ["5.7.3"],
    nsa: ["pod-security"],
  },
};
