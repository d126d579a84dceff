// `scan manifests`: loader -> checks -> exceptions -> report. The admission controller
// and the cluster audit reuse runManifestChecks so that every gate decides alike.
import type { Check, CheckOptions } from "../core/check.js";
import { complianceSummary, type Framework, filterByFramework } from "../core/compliance.js";
import { type RunOptions, runChecks } from "../core/engine.js";
import { applyExceptions, expiredAsErrors, type IgnoreRule, readIgnoreRules } from "../core/exceptions.js";
import { type LoadOptions, loadManifests } from "../core/loader/index.js";
import type { Finding, Report } from "../core/model.js";
import type { K8sObject } from "../core/object.js";
import { buildReport } from "../core/report.js";
import { checksAt, PSS_CHECKS, parsePssVersion } from "./pss/index.js";
import { MANIFEST_CHECKS } from "./registry.js";

export interface ManifestScanOptions extends CheckOptions {
  framework?: Framework;
  includePassed?: boolean;
  /**
   * Findings from policies written outside the check registry (ValidatingAdmissionPolicies given with
   * --policy), computed over the same objects; exceptions apply to them as to every other finding.
   */
  policyFindings?: (objects: readonly K8sObject[]) => Finding[];
  /** The --policy and --policy-params files, recorded in the report's options (they change results). */
  policyFiles?: { policies: string[]; params: string[] };
  /** Ignore files to read (their problems are reported in `errors`). */
  ignoreFiles?: string[];
  /** The clock, injected so that exception expiry is testable. */
  now?: () => Date;
  load?: LoadOptions;
  /**
   * The Pod Security level and version of each object, where they differ per object (a cluster
   * audit evaluating each namespace at its own enforce label); undefined for an object leaves it
   * out of the Pod Security checks (privileged). Absent: pssLevel and pssVersion for every object.
   */
  pssPolicyOf?: (obj: K8sObject) => CheckOptions | undefined;
}

/**
 * What a manifest or cluster scan puts in its report beside the findings: the effective options that
 * change results (Pod Security level and version, framework, policy files) and, with a framework,
 * its compliance summary.
 */
export function checkReportParts(
  opts: ManifestScanOptions,
  findings: readonly Finding[],
): { options: Record<string, unknown>; compliance?: unknown } {
  const files = opts.policyFiles;
  const options = {
    pssLevel: opts.pssLevel,
    pssVersion: opts.pssVersion,
    ...(opts.framework ? { framework: opts.framework } : {}),
    ...(files && files.policies.length > 0
      ? { policies: files.policies, ...(files.params.length > 0 ? { policyParams: files.params } : {}) }
      : {}),
  };
  if (!opts.framework) return { options };
  const compliance = complianceSummary(opts.framework, selectChecks(opts.framework), findings, {
    pssChecks: pssCheckIds(opts.pssLevel, opts.pssVersion),
  });
  return { options, compliance };
}

/** The checks a scan runs: all of them, or those mapped to one framework. */
export function selectChecks(framework?: Framework): readonly Check[] {
  return framework ? filterByFramework(MANIFEST_CHECKS, framework) : MANIFEST_CHECKS;
}

/** Runs the manifest checks over loaded objects and applies exceptions. Pure: no I/O. */
export function runManifestChecks(
  objects: readonly K8sObject[],
  opts: ManifestScanOptions,
  ignoreRules: readonly IgnoreRule[],
  now: Date,
): { findings: Finding[]; expired: ReturnType<typeof applyExceptions>["expired"] } {
  const checks = selectChecks(opts.framework);
  const options: CheckOptions = { pssLevel: opts.pssLevel, pssVersion: opts.pssVersion };
  const run = { includePassed: opts.includePassed };
  const raw = opts.pssPolicyOf
    ? runWithPssPolicies(checks, objects, options, opts.pssPolicyOf, run)
    : runChecks(checks, { objects, options }, run);
  if (opts.policyFindings) raw.push(...opts.policyFindings(objects));
  return applyExceptions(raw, objects, ignoreRules, now);
}

/** Pod Security checks once per level and version over the objects evaluated at it; every other check once. */
function runWithPssPolicies(
  checks: readonly Check[],
  objects: readonly K8sObject[],
  options: CheckOptions,
  policyOf: (obj: K8sObject) => CheckOptions | undefined,
  run: RunOptions,
): Finding[] {
  const isPss = (c: Check) => PSS_CHECK_IDS_OF_SCANNER.has(c.id);
  const findings = runChecks(
    checks.filter((c) => !isPss(c)),
    { objects, options },
    run,
  );
  const pss = checks.filter(isPss);
  const groups = new Map<string, { options: CheckOptions; objects: K8sObject[] }>();
  for (const obj of objects) {
    const at = policyOf(obj);
    if (!at) continue;
    const key = `${at.pssLevel}:${at.pssVersion}`;
    const group = groups.get(key) ?? { options: at, objects: [] };
    group.objects.push(obj);
    groups.set(key, group);
  }
  for (const g of groups.values()) findings.push(...runChecks(pss, g, run));
  return findings;
}

const PSS_CHECK_IDS_OF_SCANNER: ReadonlySet<string> = new Set(PSS_CHECKS.map((c) => c.id));

/** Upstream PSS check ids in force at a level and version: the controls of a PSS compliance summary. */
export function pssCheckIds(level: CheckOptions["pssLevel"], version: string): string[] {
  return checksAt(level, parsePssVersion(version).minor).map((c) => c.def.id);
}

export async function scanManifests(targets: string[], opts: ManifestScanOptions): Promise<Report> {
  const clock = opts.now ?? (() => new Date());
  const startedAt = clock();
  const loaded = await loadManifests(targets, opts.load);
  const errors = [...loaded.errors];
  const ignoreRules = readIgnoreRules(opts.ignoreFiles ?? [], errors);
  const { findings, expired } = runManifestChecks(loaded.objects, opts, ignoreRules, startedAt);
  errors.push(...expiredAsErrors(expired));
  const extra: Record<string, unknown> = {};
  if (loaded.skipped.length > 0) extra.skipped = loaded.skipped;
  const { options, compliance } = checkReportParts(opts, findings);
  if (compliance) extra.compliance = compliance;
  return buildReport({
    type: "manifests",
    target: targets.join(" "),
    startedAt,
    finishedAt: clock(),
    options,
    findings,
    errors,
    extra,
  });
}
