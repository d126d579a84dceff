// Baseline: sharing the host's network, PID or IPC namespace is forbidden.
import { push } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

const FIELDS = ["hostNetwork", "hostPID", "hostIPC"] as const;

function check1Dot0(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  let set: string[] | undefined;
  for (const field of FIELDS) {
    if (pod.spec[field] !== true) continue;
    set = push(set, `${field}=true`);
    out = push(out, { message: `pod sets ${field}=true`, path: [field] });
  }
  if (!out) return null;
  set ??= [];
  return { reason: "host namespaces", detail: set.join(", "), violations: out };
}

export const hostNamespaces: PssCheckDef = {
  id: "hostNamespaces",
  level: "baseline",
  versions: [{ since: 0, check: check1Dot0 }],
  scanner: {
    id: "KW-POD-005",
    title: "Pod shares host namespaces",
    severity: "critical",
    description:
      "A pod with hostNetwork, hostPID or hostIPC sees the node's network stack, processes or shared memory, " +
      "which breaks the isolation between the pod and the node. The baseline standard forbids it.",
    remediation: "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false).",
    cis: ["5.2.2", "5.2.3", "5.2.4"],
    nsa: ["pod-security", "network-separation"],
  },
};
