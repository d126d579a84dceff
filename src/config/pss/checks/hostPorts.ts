// Baseline: containers may not bind ports on the node (ports[*].hostPort must be unset or 0).
import { containersPhrase, namesOf, type Obj, push, rec, visitContainers } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

function check1Dot0(pod: PssPod): PssFailure | null {
  let out: PssViolation[] | undefined;
  let ports: string[] | undefined;
  visitContainers(pod.spec, (c: Obj, name, list, ci) => {
    const portList = c.ports;
    if (!Array.isArray(portList)) return;
    for (let i = 0; i < portList.length; i++) {
      const hostPort = rec(portList[i])?.hostPort;
      if (typeof hostPort !== "number" || hostPort === 0) continue;
      ports = push(ports, String(hostPort));
      out = push(out, {
        message: `container ${JSON.stringify(name)} uses hostPort ${hostPort}`,
        path: [list, ci, "ports", i, "hostPort"],
        container: name,
      });
    }
  });
  if (!out) return null;
  ports ??= [];
  const names = namesOf(out);
  return {
    reason: "hostPort",
    detail: `${containersPhrase(names)} ${names.length === 1 ? "uses" : "use"} ${ports.length === 1 ? "hostPort" : "hostPorts"} ${ports.join(", ")}`,
    violations: out,
  };
}

export const hostPorts: PssCheckDef = {
  id: "hostPorts",
  level: "baseline",
  versions: [{ since: 0, check: check1Dot0 }],
  scanner: {
    id: "KW-POD-007",
    title: "Container binds a host port",
    severity: "high",
    description:
      "A hostPort publishes the container on the node's own network interfaces, bypassing Services and " +
      "NetworkPolicies and limiting scheduling. The baseline standard forbids host ports.",
    remediation: "Remove ports[].hostPort and expose the container through a Service instead.",
    cis: [],
    nsa: ["pod-security", "network-separation"],
  },
};
