import { type Check, type CheckMeta, isSetCheck, type ScanContext, type Violation } from "./check.js";
import type { Finding } from "./model.js";
import { type K8sObject, resourceRef } from "./object.js";

export interface RunOptions {
  /** Emit a "pass" finding for each (object check, object) pair that found nothing. */
  includePassed?: boolean;
}

/**
 * Runs every check over every object it applies to. Pure: no I/O, no clock.
 * The CLI, the admission server and the cluster audit all call this one function.
 */
export function runChecks(checks: readonly Check[], ctx: ScanContext, opts: RunOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const byKind = new Map<string, Check[]>();
  const forAllKinds: Check[] = [];
  for (const check of checks) {
    if (isSetCheck(check)) {
      for (const v of check.runAll(ctx)) {
        findings.push(toFinding(check, v.object, v));
      }
      continue;
    }
    if (check.kinds.includes("*")) forAllKinds.push(check);
    for (const kind of check.kinds) {
      let list = byKind.get(kind);
      if (!list) byKind.set(kind, (list = []));
      list.push(check);
    }
  }
  for (const obj of ctx.objects) {
    const applicable = [...(byKind.get(obj.kind) ?? []), ...forAllKinds];
    for (const check of applicable) {
      if (isSetCheck(check)) continue;
      const violations = check.run(obj, ctx);
      if (violations.length === 0) {
        if (opts.includePassed) findings.push(passFinding(check, obj));
        continue;
      }
      for (const v of violations) findings.push(toFinding(check, v.object ?? obj, v));
    }
  }
  return findings;
}

export function toFinding(check: CheckMeta, obj: K8sObject | undefined, v: Violation): Finding {
  const finding: Finding = {
    checkId: check.id,
    title: check.title,
    severity: v.severity ?? check.severity,
    status: v.status ?? "fail",
    layer: check.layer,
    message: v.message,
    remediation: check.remediation,
    references: check.references,
  };
  if (obj) {
    finding.resource = resourceRef(obj, v.container);
    const line = v.path ? obj.lineOf(v.path) : obj.source.line;
    finding.location = { file: obj.source.file, ...(line !== undefined ? { line } : {}) };
  }
  const frameworks = { ...check.frameworks, ...v.frameworks };
  if (Object.keys(frameworks).length > 0) finding.frameworks = frameworks;
  return finding;
}

function passFinding(check: CheckMeta, obj: K8sObject): Finding {
  return toFinding(check, obj, { message: `${check.title}: not found`, status: "pass", severity: check.severity });
}
