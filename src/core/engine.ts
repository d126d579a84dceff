import {
  type Check,
  type CheckMeta,
  isSetCheck,
  type ObjectCheck,
  type ScanContext,
  type Violation,
} from "./check.js";
import type { Finding, Frameworks, SourceLocation } from "./model.js";
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
  const objectChecks: ObjectCheck[] = [];
  for (const check of checks) {
    if (isSetCheck(check)) {
      for (const v of check.runAll(ctx)) findings.push(toFinding(check, v.object, v));
    } else if (!check.appliesTo || check.appliesTo(ctx.options)) {
      objectChecks.push(check);
    }
  }
  const byKind = checksByKind(objectChecks);
  const forAllKinds = objectChecks.filter((c) => c.kinds.includes("*"));
  for (const obj of ctx.objects) {
    for (const check of byKind.get(obj.kind) ?? forAllKinds) {
      const violations = check.run(obj, ctx);
      if (violations.length === 0) {
        if (opts.includePassed) findings.push(passFinding(check, obj, ctx));
        continue;
      }
      for (const v of violations) findings.push(toFinding(check, v.object ?? obj, v));
    }
  }
  return findings;
}

/** The checks that apply to each kind, in registry order; "*" checks join every kind. */
function checksByKind(checks: readonly ObjectCheck[]): Map<string, ObjectCheck[]> {
  const byKind = new Map<string, ObjectCheck[]>();
  for (const check of checks) {
    for (const kind of check.kinds) {
      if (kind !== "*" && !byKind.has(kind)) byKind.set(kind, []);
    }
  }
  for (const [kind, list] of byKind) {
    for (const check of checks) if (check.kinds.includes(kind) || check.kinds.includes("*")) list.push(check);
  }
  return byKind;
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
    const location: SourceLocation = { file: obj.source.file };
    if (line !== undefined) location.line = line;
    finding.location = location;
  }
  const frameworks: Frameworks = v.frameworks ? { ...check.frameworks, ...v.frameworks } : check.frameworks;
  if (frameworks.pss || frameworks.cis || frameworks.nsa) finding.frameworks = frameworks;
  return finding;
}

function passFinding(check: ObjectCheck, obj: K8sObject, ctx: ScanContext): Finding {
  const v: Violation = {
    message: `${check.title}: no problem found`,
    status: "pass",
    severity: check.severity,
  };
  if (check.frameworksAt) v.frameworks = check.frameworksAt(ctx.options);
  return toFinding(check, obj, v);
}
