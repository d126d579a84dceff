// One ObjectCheck per upstream check, for the manifest scanner, the admission server and the
// cluster audit. The PSS evaluation of an object is computed once and shared by all 19 checks.
import type { CheckMeta, ObjectCheck, ScanContext, Violation } from "../../core/check.js";
import type { FieldPath } from "../../core/model.js";
import type { K8sObject } from "../../core/object.js";
import { POD_KINDS, podOf } from "../../core/podspec.js";
import { evaluatePss } from "./evaluate.js";
import { checksAt, PSS_CHECK_DEFS } from "./registry.js";
import type { PssCheckDef, PssLevel, PssResult } from "./types.js";
import { parsePssLevel, parsePssVersion } from "./version.js";

const REFERENCES = [
  "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
  "https://kubernetes.io/docs/concepts/security/pod-security-admission/",
];

interface Evaluation {
  level: PssLevel;
  version: string;
  resolved: string;
  specPath: FieldPath;
  results: readonly PssResult[];
}

/** Keyed by the object's raw data, so the evaluation lives as long as the object does. */
const cache = new WeakMap<object, Evaluation>();

/** The PSS evaluation of an object at the scan's level and version (memoised per object). */
export function evaluationOf(obj: K8sObject, ctx: ScanContext): Evaluation | undefined {
  const level = ctx.options.pssLevel;
  const version = ctx.options.pssVersion;
  const hit = cache.get(obj.raw);
  if (hit && hit.level === level && hit.version === version) return hit;
  const pod = podOf(obj);
  if (!pod) return undefined;
  const resolved = parsePssVersion(version).resolved;
  const results = evaluatePss({ metadata: pod.metadata, spec: pod.spec }, parsePssLevel(level), version);
  const e: Evaluation = { level, version, resolved, specPath: pod.specPath, results };
  cache.set(obj.raw, e);
  return e;
}

/** Object path of a violation: spec-relative paths hang off the pod spec, metadata paths off the pod. */
function objectPath(specPath: FieldPath, path: FieldPath, inMetadata: boolean | undefined): FieldPath {
  if (inMetadata) return [...specPath.slice(0, -1), ...path];
  return [...specPath, ...path];
}

function toObjectCheck(def: PssCheckDef): ObjectCheck {
  const m = def.scanner;
  // CheckMeta declares CIS and NSA only; the upstream check id rides along under `pss` (without a
  // version, which only a scan knows) so framework filters and compliance summaries can find it.
  // Each finding's own frameworks.pss carries the resolved version.
  const frameworks: CheckMeta["frameworks"] = {
    ...(m.cis.length > 0 ? { cis: m.cis } : {}),
    nsa: m.nsa,
    ...{ pss: { level: def.level, check: def.id } },
  };
  return {
    id: m.id,
    title: m.title,
    severity: m.severity,
    layer: "workload",
    description: m.description,
    remediation: m.remediation,
    references: REFERENCES,
    frameworks,
    kinds: POD_KINDS,
    appliesTo: (options) =>
      checksAt(parsePssLevel(options.pssLevel), parsePssVersion(options.pssVersion).minor).some(
        (c) => c.def.id === def.id,
      ),
    frameworksAt: (options) => ({
      pss: { level: def.level, version: parsePssVersion(options.pssVersion).resolved, check: def.id },
    }),
    run(obj: K8sObject, ctx: ScanContext): Violation[] {
      if (def.level === "restricted" && ctx.options.pssLevel === "baseline") return [];
      const e = evaluationOf(obj, ctx);
      if (!e || e.results.length === 0) return [];
      const r = e.results.find((x) => x.check === def.id);
      if (!r) return [];
      const pss = { level: def.level, version: e.resolved, check: def.id };
      return r.violations.map((v) => ({
        message: v.message,
        path: objectPath(e.specPath, v.path, v.inMetadata),
        ...(v.container !== undefined ? { container: v.container } : {}),
        frameworks: { pss },
      }));
    },
  };
}

/** The scanner's PSS checks, KW-POD-001 ... KW-POD-019, one per upstream check. */
export const PSS_CHECKS: ObjectCheck[] = PSS_CHECK_DEFS.map(toObjectCheck).sort((a, b) =>
  a.id.localeCompare(b.id),
);
