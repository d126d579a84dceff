import {
  type Finding,
  type PackageRef,
  type Report,
  SCHEMA_VERSION,
  type ScanError,
  type ScanType,
  SEVERITIES,
  type Severity,
  severityRank,
  TOOL_NAME,
  TOOL_VERSION,
} from "./model.js";
import { isRecord } from "./object.js";

export interface ReportInput {
  type: ScanType;
  target: string;
  startedAt: Date;
  finishedAt: Date;
  options: Record<string, unknown>;
  findings: Finding[];
  errors: ScanError[];
  /** Layer-specific sections: packages, image, os, node, compliance, skipped... */
  extra?: Record<string, unknown>;
}

/**
 * Assembles the contract document. Findings are sorted so that output is deterministic. Packages
 * (`packages` and each vulnerability finding's `package`) get the contract's source fields here, in
 * one place for every scan type.
 */
export function buildReport(input: ReportInput): Report {
  const findings = input.findings.map(withPackageSource).sort(compareFindings);
  const extra =
    input.extra && Array.isArray(input.extra.packages)
      ? { ...input.extra, packages: input.extra.packages.map((p) => (isPackage(p) ? withSource(p) : p)) }
      : input.extra;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    scan: {
      type: input.type,
      target: input.target,
      startedAt: input.startedAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
      durationMs: Math.max(0, input.finishedAt.getTime() - input.startedAt.getTime()),
      options: input.options,
    },
    findings,
    errors: input.errors,
    summary: summarize(findings),
    ...extra,
  };
}

/** The contract: `sourceName`/`sourceVersion` equal `name`/`version` when the package names no source. */
function withSource<P extends PackageRef>(p: P): P {
  if (p.sourceName && p.sourceVersion) return p;
  return { ...p, sourceName: p.sourceName || p.name, sourceVersion: p.sourceVersion || p.version };
}

function isPackage(p: unknown): p is PackageRef {
  return isRecord(p) && typeof p.name === "string" && typeof p.version === "string";
}

function withPackageSource(f: Finding): Finding {
  const v = f.vulnerability;
  if (!isRecord(v) || !isPackage(v.package)) return f;
  const pkg = withSource(v.package);
  return pkg === v.package ? f : { ...f, vulnerability: { ...v, package: pkg } };
}

/** The contract's summary. Suppressed and passed findings are shown on request but never counted as problems. */
export function summarize(findings: readonly Finding[]): Report["summary"] {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let total = 0;
  for (const f of findings) {
    if (f.suppressed || f.status === "pass") continue;
    bySeverity[f.severity]++;
    total++;
  }
  return { total, bySeverity };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.location?.file, b.location?.file) ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    cmp(a.resource?.kind, b.resource?.kind) ||
    cmp(a.resource?.namespace, b.resource?.namespace) ||
    cmp(a.resource?.name, b.resource?.name) ||
    severityRank(b.severity) - severityRank(a.severity) ||
    cmp(a.checkId, b.checkId) ||
    cmp(a.resource?.container, b.resource?.container) ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

/** Findings that count against --exit-code: failing or warning, not suppressed, not passed. */
export function activeFindings(report: Report): Finding[] {
  return report.findings.filter((f) => !f.suppressed && f.status !== "pass");
}
