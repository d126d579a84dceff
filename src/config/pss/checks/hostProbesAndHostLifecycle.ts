// Baseline from policy v1.34: probes and lifecycle handlers may not name a host (httpGet.host,
// tcpSocket.host), which would let the kubelet be used to reach arbitrary addresses.
import {
  containersPhrase,
  distinct,
  namesOf,
  type Obj,
  push,
  quote,
  rec,
  str,
  visitContainers,
} from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const HOOKS = ["postStart", "preStop"] as const;
const ACTIONS = ["httpGet", "tcpSocket"] as const;

function check1Dot34(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  let hosts: string[] | undefined;
  // The path is built only for a violation, so the pass path allocates nothing per container.
  const inspect = (
    handler: Obj | undefined,
    name: string,
    list: string,
    ci: number,
    field: string,
    hook?: string,
  ) => {
    if (!handler) return;
    for (const action of ACTIONS) {
      const host = str(rec(handler[action])?.host);
      if (host === "") continue;
      hosts = push(hosts, host);
      out = push(out, {
        message: `container ${JSON.stringify(name)} sets ${hook ? `${field}.${hook}` : field}.${action}.host=${JSON.stringify(host)}`,
        path: hook ? [list, ci, field, hook, action, "host"] : [list, ci, field, action, "host"],
        container: name,
      });
    }
  };
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    for (const probe of PROBES) inspect(rec(c[probe]), name, list, ci, probe);
    const lifecycle = rec(c.lifecycle);
    if (!lifecycle) return;
    for (const hook of HOOKS) inspect(rec(lifecycle[hook]), name, list, ci, "lifecycle", hook);
  });
  if (!out) return null;
  hosts ??= [];
  const names = namesOf(out);
  const uniq = distinct(hosts);
  return {
    reason: "probe or lifecycle host",
    detail: `${containersPhrase(names)} ${names.length === 1 ? "uses" : "use"} ${uniq.length === 1 ? "probe or lifecycle host" : "probe or lifecycle hosts"} ${quote(uniq)}`,
    violations: out,
  };
}

export const hostProbesAndHostLifecycle: PssCheckDef = {
  id: "hostProbesAndHostLifecycle",
  level: "baseline",
  versions: [{ since: 34, check: check1Dot34 }],
  scanner: {
    id: "KW-POD-008",
    title: "Probe or lifecycle handler targets another host",
    severity: "high",
    description:
      "A host in an httpGet or tcpSocket probe or lifecycle handler makes the kubelet connect to that address " +
      "from the node, which can be abused to reach services the pod could not reach itself. Baseline forbids it " +
      "from policy v1.34.",
    remediation: "Remove the host field from probes and lifecycle handlers so they target the pod's own IP.",
    cis: [],
    nsa: ["pod-security", "network-separation"],
  },
};
