import type { FieldPath, Severity } from "../../core/model.js";
import type { ObjectMeta } from "../../core/object.js";

export type PssLevel = "baseline" | "restricted";

/** The upstream Pod Security Admission check ids, spelled exactly as upstream. */
export type PssCheckId =
  | "allowPrivilegeEscalation"
  | "appArmorProfile"
  | "capabilities_baseline"
  | "capabilities_restricted"
  | "hostNamespaces"
  | "hostPathVolumes"
  | "hostPorts"
  | "hostProbesAndHostLifecycle"
  | "privileged"
  | "procMount"
  | "procMount_restricted"
  | "restrictedVolumes"
  | "runAsNonRoot"
  | "runAsUser"
  | "seLinuxOptions"
  | "seccompProfile_baseline"
  | "seccompProfile_restricted"
  | "sysctls"
  | "windowsHostProcess";

/** The pod as the engine sees it: metadata (annotations) and the pod spec, both plain JSON. */
export interface PssPod {
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
}

export interface PssViolation {
  message: string;
  /** Offending field, relative to the pod spec; or, with `inMetadata`, relative to the pod (["metadata", ...]). */
  path: FieldPath;
  inMetadata?: true;
  container?: string;
}

export interface PssResult {
  check: PssCheckId;
  /** The level the check belongs to. */
  level: PssLevel;
  /** Short reason, e.g. "host ports". */
  reason: string;
  /** One line naming the offending containers and values. */
  detail: string;
  violations: PssViolation[];
}

/** What one versioned check function returns when it forbids the pod; null when it allows it. */
export interface PssFailure {
  reason: string;
  detail: string;
  violations: PssViolation[];
}

export type PssCheckFn = (pod: PssPod) => PssFailure | null;

/** How a check is presented by the scanner (one ObjectCheck per upstream check). */
export interface PssScannerMeta {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  cis: string[];
  nsa: string[];
}

/** One upstream check: its level, the policy versions at which its behaviour changed, and its scanner face. */
export interface PssCheckDef {
  id: PssCheckId;
  level: PssLevel;
  /** Baseline checks this restricted check replaces, from its first version on. */
  overrides?: PssCheckId[];
  /** Ordered by `since` (the policy minor version, v1.<since>), strictly increasing. */
  versions: ReadonlyArray<{ since: number; check: PssCheckFn }>;
  scanner: PssScannerMeta;
}
