// Restricted: only volume types that cannot reach node or network storage directly are allowed:
// configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret.
// Replaces hostPathVolumes under restricted. (Upstream allows image volumes at every policy version.)
// A volume that names no source at all is allowed: the API server defaults it to emptyDir before
// admission runs, and upstream's fixtures (restrictedvolumes0) rely on that.
import { distinct, push, quote, rec } from "../helpers.js";
import type { PssCheckDef, PssFailure, PssPod, PssViolation } from "../types.js";

const ALLOWED = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
] as const;

function allowed(v: Record<string, unknown>): boolean {
  for (const t of ALLOWED) if (v[t] !== undefined && v[t] !== null) return true;
  return false;
}

/** The other volume sources of the core/v1 Volume type; a field outside both lists is not a source. */
const RESTRICTED = [
  "hostPath",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "nfs",
  "iscsi",
  "glusterfs",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "fc",
  "azureFile",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "portworxVolume",
  "scaleIO",
  "storageos",
] as const;

/** The restricted volume source the volume uses, if any. */
function typeOf(v: Record<string, unknown>): string | undefined {
  for (const t of RESTRICTED) if (v[t] !== undefined && v[t] !== null) return t;
  return undefined;
}

function check1Dot0(pod: PssPod): PssFailure | null {
  const volumes = pod.spec.volumes;
  if (!Array.isArray(volumes)) return null;
  let out: PssViolation[] | undefined;
  let names: string[] | undefined;
  let types: string[] | undefined;
  for (let i = 0; i < volumes.length; i++) {
    const v = rec(volumes[i]);
    if (!v || allowed(v)) continue;
    const type = typeOf(v);
    if (type === undefined) continue;
    const name = typeof v.name === "string" ? v.name : `volumes[${i}]`;
    names = push(names, name);
    types = push(types, type);
    out = push(out, {
      message: `volume ${JSON.stringify(name)} uses restricted volume type ${type}`,
      path: ["volumes", i, type],
    });
  }
  if (!out) return null;
  names ??= [];
  types ??= [];
  return {
    reason: "restricted volume types",
    detail: `${names.length === 1 ? "volume" : "volumes"} ${quote(names)} ${names.length === 1 ? "uses" : "use"} restricted volume ${types.length === 1 ? "type" : "types"} ${quote(distinct(types))}`,
    violations: out,
  };
}

export const restrictedVolumes: PssCheckDef = {
  id: "restrictedVolumes",
  level: "restricted",
  overrides: ["hostPathVolumes"],
  versions: [{ since: 0, check: check1Dot0 }],
  scanner: {
    id: "KW-POD-012",
    title: "Pod uses a restricted volume type",
    severity: "medium",
    description:
      "The restricted standard allows only configMap, csi, downwardAPI, emptyDir, ephemeral, image, " +
      "persistentVolumeClaim, projected and secret volumes; other types (hostPath, nfs, iscsi, in-tree cloud " +
      "disks...) reach node or network storage directly.",
    remediation: "Use a persistentVolumeClaim (backed by a StorageClass) or one of the allowed volume types.",
    cis: [],
    nsa: ["pod-security"],
  },
};
