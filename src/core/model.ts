// The object model shared by every layer. The JSON report built from these
// types is a public contract (shared/spec/report-contract.md): add fields
// freely, never rename or remove one without bumping SCHEMA_VERSION.

export const SCHEMA_VERSION = 1;
export const TOOL_NAME = "kubeward";
export const TOOL_VERSION = "0.1.0";

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Status = "fail" | "warn" | "manual" | "pass";
export type Layer =
  | "workload"
  | "rbac"
  | "network"
  | "image"
  | "vulnerability"
  | "node"
  | "runtime"
  | "admission";
export type ScanType = "manifests" | "image" | "fs" | "sbom" | "node" | "cluster";

/** Path of a field inside an object, e.g. ["spec", "containers", 0, "image"]. */
export type FieldPath = ReadonlyArray<string | number>;

export interface SourceLocation {
  file: string;
  line?: number;
}

export interface ResourceRef {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  container?: string;
}

export interface PssRef {
  level: "baseline" | "restricted";
  version: string;
  check: string;
}

export interface Frameworks {
  pss?: PssRef;
  cis?: string[];
  nsa?: string[];
}

export interface Suppression {
  by: "annotation" | "ignore-file" | "vex" | string;
  reason?: string;
  expires?: string;
}

export interface PackageRef {
  name: string;
  version: string;
  ecosystem: string;
  purl?: string;
  sourceName?: string;
  sourceVersion?: string;
}

/**
 * OSV ecosystems of operating-system package managers (dpkg, apk, rpm). Their advisories are keyed
 * by distribution release and source package; everything else is a language ecosystem.
 */
export const OS_ECOSYSTEMS: ReadonlySet<string> = new Set([
  "Debian",
  "Ubuntu",
  "Alpine",
  "Wolfi",
  "Chainguard",
  "Red Hat",
  "Rocky Linux",
  "AlmaLinux",
  "Fedora",
  "Amazon Linux",
  "openSUSE",
  "SUSE",
]);

export interface Package extends PackageRef {
  licenses?: string[];
  path?: string;
  layerDigest?: string;
}

export interface Finding {
  checkId: string;
  title: string;
  severity: Severity;
  status: Status;
  layer: Layer;
  message: string;
  remediation?: string;
  references?: string[];
  resource?: ResourceRef;
  location?: SourceLocation;
  frameworks?: Frameworks;
  suppressed?: Suppression;
  /** Further layer-specific fields (vulnerability, evidence, ...) as the contract defines them. */
  [extra: string]: unknown;
}

export interface ScanError {
  file?: string;
  line?: number;
  message: string;
  /** Stable machine-readable code, e.g. "yaml-syntax", "file-too-large". Tests assert the code. */
  code?: string;
}

export interface Report {
  schemaVersion: number;
  tool: { name: string; version: string };
  scan: {
    type: ScanType;
    target: string;
    startedAt: string;
    durationMs: number;
    options: Record<string, unknown>;
  };
  findings: Finding[];
  errors: ScanError[];
  summary: { total: number; bySeverity: Record<Severity, number> };
  /** Layer-specific sections (packages, image, os, node, compliance, skipped, ...). */
  [extra: string]: unknown;
}

/** Ranks severities so that "at or above" filters are one comparison. Higher is worse. */
export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}
