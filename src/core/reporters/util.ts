// Helpers every reporter shares: labels, typed views of layer-specific fields, sorting, hashing.
import { createHash } from "node:crypto";
import type { CheckMeta } from "../check.js";
import {
  type Finding,
  type Report,
  type ResourceRef,
  type ScanError,
  SEVERITIES,
  type Severity,
  severityRank,
} from "../model.js";
import { isRecord } from "../object.js";
import { compareFindings } from "../report.js";

/** `Deployment shop/web`, `ClusterRole admin`, or undefined when the finding names no resource. */
export function resourceLabel(r: ResourceRef | undefined): string | undefined {
  if (!r || (!r.kind && !r.name)) return undefined;
  const name = r.namespace ? `${r.namespace}/${r.name ?? ""}` : (r.name ?? "");
  return [r.kind, name].filter(Boolean).join(" ");
}

export function locationLabel(f: Finding): string | undefined {
  if (!f.location?.file) return undefined;
  return f.location.line !== undefined ? `${f.location.file}:${f.location.line}` : f.location.file;
}

/** Same order as buildReport, so reporters stay deterministic even for hand-made reports. */
export function sortedFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Identity of a finding that survives line moves: check, resource, container and message. */
export function findingKey(f: Finding): string {
  const r = f.resource ?? {};
  return [f.checkId, r.apiVersion, r.kind, r.namespace, r.name, r.container, f.message]
    .map((s) => s ?? "")
    .join("\0");
}

export interface VulnerabilityView {
  id: string;
  packageName?: string;
  packageVersion?: string;
  ecosystem?: string;
  purl?: string;
  fixedVersion?: string | null;
  fixState?: string;
  cvssScore?: number;
  cvssVector?: string;
  path?: string;
}

/** finding.vulnerability as the contract defines it, or undefined when absent or malformed. */
export function vulnerabilityOf(f: Finding): VulnerabilityView | undefined {
  const v = f.vulnerability;
  if (!isRecord(v)) return undefined;
  const pkg = isRecord(v.package) ? v.package : {};
  const cvss = isRecord(v.cvss) ? v.cvss : {};
  return {
    id: str(v.id) ?? f.checkId,
    packageName: str(pkg.name),
    packageVersion: str(pkg.version),
    ecosystem: str(pkg.ecosystem),
    purl: str(pkg.purl),
    fixedVersion: v.fixedVersion === null ? null : str(v.fixedVersion),
    fixState: str(v.fixState),
    cvssScore: typeof cvss.score === "number" && Number.isFinite(cvss.score) ? cvss.score : undefined,
    cvssVector: str(cvss.vector),
    path: str(v.path),
  };
}

export interface EvidenceView {
  component?: string;
  kind?: string;
  key?: string;
  path?: string;
  actual?: string | null;
  expected?: string;
}

/** finding.evidence of node findings, or undefined. */
export function evidenceOf(f: Finding): EvidenceView | undefined {
  const e = f.evidence;
  if (!isRecord(e)) return undefined;
  return {
    component: str(e.component),
    kind: str(e.kind),
    key: str(e.key),
    path: str(e.path),
    actual: e.actual === null ? null : str(e.actual),
    expected: str(e.expected),
  };
}

/** One line describing a vulnerable package: `openssl 3.0.11-1 (Debian), fixed in 3.0.13-1`. */
export function vulnerabilityLine(v: VulnerabilityView): string {
  const pkg = [v.packageName, v.packageVersion].filter(Boolean).join(" ");
  const eco = v.ecosystem ? ` (${v.ecosystem})` : "";
  const fix = v.fixedVersion
    ? `fixed in ${v.fixedVersion}`
    : v.fixState === "wont-fix"
      ? "will not be fixed"
      : "no fix yet";
  const cvss = v.cvssScore !== undefined ? `, CVSS ${v.cvssScore}` : "";
  return `${pkg || "unknown package"}${eco}, ${fix}${cvss}${v.path ? `, in ${v.path}` : ""}`;
}

/** One line describing node evidence: `kube-apiserver flag --anonymous-auth: actual "true", expected "false"`. */
export function evidenceLine(e: EvidenceView): string {
  const what = [e.component, e.kind, e.key].filter(Boolean).join(" ");
  const actual =
    e.actual === null ? "not set" : e.actual !== undefined ? JSON.stringify(e.actual) : undefined;
  const parts = [
    actual !== undefined ? `actual ${actual}` : undefined,
    e.expected !== undefined ? `expected ${JSON.stringify(e.expected)}` : undefined,
  ].filter(Boolean);
  return `${what || "evidence"}${parts.length ? `: ${parts.join(", ")}` : ""}${e.path ? ` (${e.path})` : ""}`;
}

/** Metadata for a check id: the caller's rules map first, else what the findings carry. */
export function ruleMeta(
  checkId: string,
  findings: readonly Finding[],
  rules: ReadonlyMap<string, CheckMeta> | undefined,
): CheckMeta {
  const known = rules?.get(checkId);
  if (known) return known;
  const withId = findings.filter((f) => f.checkId === checkId);
  const first = withId[0];
  let severity: Severity = "info";
  for (const f of withId) if (severityRank(f.severity) > severityRank(severity)) severity = f.severity;
  return {
    id: checkId,
    title: first?.title ?? checkId,
    severity,
    layer: first?.layer ?? "workload",
    description: first?.title ?? checkId,
    remediation: first?.remediation ?? "",
    references: first?.references ?? [],
    frameworks: { cis: first?.frameworks?.cis, nsa: first?.frameworks?.nsa },
  };
}

/** `5 findings: 1 critical, 3 high, 1 medium, 0 low, 0 info`, counting active findings only. */
export function summaryLine(findings: readonly Finding[]): string {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let total = 0;
  let suppressed = 0;
  let passed = 0;
  for (const f of findings) {
    if (f.suppressed) suppressed++;
    else if (f.status === "pass") passed++;
    else {
      counts[f.severity]++;
      total++;
    }
  }
  const extra = [suppressed ? `${suppressed} suppressed` : "", passed ? `${passed} passed` : ""].filter(
    Boolean,
  );
  return (
    `${total} ${total === 1 ? "finding" : "findings"}: ${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(", ")}` +
    (extra.length ? ` (${extra.join(", ")})` : "")
  );
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/** Groups items by key, keeping the order in which keys first appear. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const STATUSES: ReadonlySet<string> = new Set(["fail", "warn", "manual", "pass"]);

/** Why a finding cannot be rendered, or undefined when it can. */
function findingProblem(f: unknown): string | undefined {
  if (!isRecord(f)) return "is not an object";
  if (typeof f.checkId !== "string" || f.checkId === "") return "has no checkId";
  if (typeof f.title !== "string") return "has no title";
  if (typeof f.message !== "string") return "has no message";
  if (typeof f.severity !== "string" || !(SEVERITIES as readonly string[]).includes(f.severity)) {
    return `has severity ${JSON.stringify(f.severity)}, not one of ${SEVERITIES.join(", ")}`;
  }
  if (typeof f.status !== "string" || !STATUSES.has(f.status)) {
    return `has status ${JSON.stringify(f.status)}, not one of ${[...STATUSES].join(", ")}`;
  }
  if (typeof f.layer !== "string") return "has no layer";
  if (f.resource !== undefined && !isRecord(f.resource)) return "has a resource that is not an object";
  if (f.location !== undefined && (!isRecord(f.location) || typeof f.location.file !== "string")) {
    return "has a location without a file";
  }
  return undefined;
}

/**
 * Reporters render reports built by buildReport, but a report may also come from a file.
 * Findings that cannot be rendered are left out and listed in errors (code "invalid-finding");
 * a location line that is not a positive integer is dropped. Everything else renders.
 */
export function renderableReport(report: Report): Report {
  const list: unknown[] = Array.isArray(report.findings) ? report.findings : [];
  const given: unknown[] = Array.isArray(report.errors) ? report.errors : [];
  const findings: Finding[] = [];
  const errors: ScanError[] = given.map((e) =>
    isRecord(e) && typeof e.message === "string"
      ? (e as unknown as ScanError)
      : { code: "invalid-error", message: `scan error ${JSON.stringify(e)} has no message` },
  );
  let changed = list !== report.findings || given !== report.errors;
  list.forEach((f, i) => {
    const problem = findingProblem(f);
    if (problem) {
      const id = isRecord(f) && typeof f.checkId === "string" && f.checkId ? ` (${f.checkId})` : "";
      errors.push({
        code: "invalid-finding",
        message: `finding ${i}${id} ${problem}: left out of the report`,
      });
      changed = true;
      return;
    }
    const finding = f as Finding;
    const line = finding.location?.line;
    if (line !== undefined && !(Number.isInteger(line) && line >= 1)) {
      findings.push({ ...finding, location: { file: finding.location!.file } });
      changed = true;
    } else findings.push(finding);
  });
  if (!changed && errors.every((e, i) => e === given[i])) return report;
  return { ...report, findings, errors };
}
