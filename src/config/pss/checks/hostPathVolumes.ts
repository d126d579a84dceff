// Baseline: hostPath volumes are forbidden (restrictedVolumes replaces this check under restricted).
import { push, quote, rec } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

function check1Dot0(pod: PssPod): PssFailure | null {
  const volumes = pod.spec.volumes;
  if (!Array.isArray(volumes)) return null;
  let out: PssViolation[] | undefined;
  let names: string[] | undefined;
  for (let i = 0; i < volumes.length; i++) {
    const v = rec(volumes[i]);
    if (!v || v.hostPath === undefined || v.hostPath === null) continue;
    const name = typeof v.name === "string" ? v.name : `volumes[${i}]`;
    names = push(names, name);
    out = push(out, {
      message: `volume ${JSON.stringify(name)} is a hostPath volume`,
      path: ["volumes", i, "hostPath"],
    });
  }
  if (!out) return null;
  names ??= [];
  return {
    reason: "hostPath volumes",
    detail: `${names.length === 1 ? "volume" : "volumes"} ${quote(names)}`,
    violations: out,
  };
}

export const hostPathVolumes: PssCheckDef = {
  id: "hostPathVolumes",
  level: "baseline",
  versions: [{ since: 0, check: check1Dot0 }],
  scanner: {
    id: "KW-POD-006",
    title: "Pod mounts a hostPath volume",
    severity: "high",
    description:
      "A hostPath volume exposes part of the node's filesystem to the pod; write access to paths like /etc, " +
      "/var/run or the kubelet's directories leads to node compromise. The baseline standard forbids hostPath.",
    remediation:
      "Replace the hostPath volume with a persistentVolumeClaim, configMap, secret or emptyDir volume.",
    cis: [],
    nsa: ["pod-security"],
  },
};
