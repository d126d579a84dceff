// Compliance summaries: which framework controls (CIS section numbers, NSA/CISA
// hardening topics, Pod Security Standards checks) a scan covered, and which of
// them failed. Pure: the CLI puts the result in report.compliance and the table
// reporter prints it.
import type { CheckMeta } from "./check.js";
import type { Finding } from "./model.js";

export const FRAMEWORKS = ["cis", "nsa", "pss"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export type ControlStatus = "passed" | "failed" | "manual";

export interface ComplianceControl {
  /** CIS number ("5.1.1"), NSA topic ("pod-security") or upstream PSS check id ("runAsNonRoot"). */
  id: string;
  /** Check ids (or vulnerability ids) that map to this control, sorted. */
  checks: string[];
  status: ControlStatus;
  /** Active (not suppressed, not passed) failing or warning findings mapped to this control. */
  failedFindings: number;
}

export interface Compliance {
  framework: Framework;
  controls: ComplianceControl[];
  passed: number;
  failed: number;
  /** Controls whose only findings are manual checks: neither passed nor failed, left out of the score. */
  manual: number;
  /** Percentage of passed controls among passed + failed, one decimal; 100 when there are none. */
  score: number;
}

export interface ComplianceOptions {
  /**
   * PSS controls in scope (upstream check ids in force at the scanned level and version; the
   * config layer computes them). Without it, controls come from the checks' and findings' mappings.
   */
  pssChecks?: readonly string[];
}

export class ComplianceError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ComplianceError";
    this.code = code;
  }
}

/** Controls a check maps to, for CIS and NSA (PSS mappings live on findings, see frameworkIds). */
function metaIds(check: CheckMeta, framework: Framework): readonly string[] {
  if (framework === "pss") {
    // CheckMeta has no PSS field; a check module may still carry one (frameworks.pss.check).
    const pss = (check.frameworks as { pss?: { check?: unknown } }).pss;
    return typeof pss?.check === "string" ? [pss.check] : [];
  }
  return check.frameworks[framework] ?? [];
}

function findingIds(f: Finding, framework: Framework): readonly string[] {
  const fw = f.frameworks;
  if (!fw) return [];
  if (framework === "pss") return fw.pss?.check ? [fw.pss.check] : [];
  const ids = fw[framework];
  return Array.isArray(ids) ? ids : [];
}

/** Only the checks mapped to a framework (for `--compliance` runs that skip the rest). */
export function filterByFramework<T extends CheckMeta>(checks: readonly T[], framework: Framework): T[] {
  assertFramework(framework);
  return checks.filter((c) => metaIds(c, framework).length > 0);
}

function assertFramework(framework: string): asserts framework is Framework {
  if (!(FRAMEWORKS as readonly string[]).includes(framework)) {
    throw new ComplianceError(
      "unknown-framework",
      `unknown compliance framework "${framework}" (expected cis, nsa, pss)`,
    );
  }
}

/**
 * Summarises a scan against a framework. Controls come from the checks' mappings (CIS, NSA),
 * from the findings' own mappings (node benchmark numbers, PSS check ids), and for PSS from
 * opts.pssChecks. A control fails when an active failing or warning finding maps to it.
 */
export function complianceSummary(
  framework: Framework,
  checks: readonly CheckMeta[],
  findings: readonly Finding[],
  opts: ComplianceOptions = {},
): Compliance {
  assertFramework(framework);
  const controls = new Map<string, { checks: Set<string>; failed: number; manual: number }>();
  const control = (id: string) => {
    const known = controls.get(id);
    if (known) return known;
    const c = { checks: new Set<string>(), failed: 0, manual: 0 };
    controls.set(id, c);
    return c;
  };
  const pssScope = framework === "pss" && opts.pssChecks ? new Set(opts.pssChecks) : undefined;
  if (framework === "pss") for (const id of opts.pssChecks ?? []) control(id);
  for (const check of checks) {
    for (const id of metaIds(check, framework)) {
      // A PSS check out of scope (overridden at this level, or newer than this version) is no control.
      if (!pssScope || pssScope.has(id)) control(id).checks.add(check.id);
    }
  }
  for (const f of findings) {
    for (const id of findingIds(f, framework)) {
      const c = control(id);
      c.checks.add(f.checkId);
      if (f.suppressed || f.status === "pass") continue;
      if (f.status === "manual") c.manual++;
      else c.failed++;
    }
  }
  const list: ComplianceControl[] = [...controls.entries()]
    .sort(([a], [b]) => compareControlIds(a, b))
    .map(([id, c]) => ({
      id,
      checks: [...c.checks].sort(),
      status: c.failed > 0 ? "failed" : c.manual > 0 ? "manual" : "passed",
      failedFindings: c.failed,
    }));
  const passed = list.filter((c) => c.status === "passed").length;
  const failed = list.filter((c) => c.status === "failed").length;
  const manual = list.length - passed - failed;
  const score = passed + failed === 0 ? 100 : Math.round((passed / (passed + failed)) * 1000) / 10;
  return { framework, controls: list, passed, failed, manual, score };
}

/** Dotted numbers compare numerically ("5.1.9" < "5.1.10"); anything else as text. */
export function compareControlIds(a: string, b: string): number {
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Narrows report.compliance (typed unknown in Report) for reporters. */
export function isCompliance(v: unknown): v is Compliance {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Partial<Compliance>;
  return (
    typeof c.framework === "string" &&
    Array.isArray(c.controls) &&
    typeof c.passed === "number" &&
    typeof c.failed === "number" &&
    typeof c.score === "number"
  );
}
