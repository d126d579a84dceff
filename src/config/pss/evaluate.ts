// The Pod Security Standards engine: pure, no I/O. Mirrors upstream Pod Security Admission's
// evaluation of one pod at one level and policy version.
import { isRecord } from "../../core/object.js";
import { push } from "./helpers.js";
import { checksAt } from "./registry.js";
import type { PssLevel, PssPod, PssResult } from "./types.js";
import { PssError, parsePssLevel, parsePssVersion } from "./version.js";

const NONE: readonly PssResult[] = Object.freeze([]);

/**
 * Evaluates a pod (its metadata and spec) against a Pod Security Standard level at a policy
 * version ("v1.0" ... "v1.37" or "latest"). Returns one result per check that forbids the pod,
 * in upstream's order (baseline checks first); an empty array when the pod is allowed. The
 * empty array is shared and frozen: copy it before mutating.
 *
 * Throws PssError: code "pss-level" or "pss-version" for a bad level or version, "pss-input"
 * when the pod or its spec is not an object.
 */
export function evaluatePss(pod: PssPod, level: PssLevel, version: string): readonly PssResult[] {
  const v = parsePssVersion(version);
  if (level !== "baseline" && level !== "restricted") parsePssLevel(level);
  if (!isRecord(pod) || !isRecord(pod.spec)) {
    const what = !isRecord(pod) ? `the pod is ${kindOf(pod)}` : `its spec is ${kindOf(pod.spec)}`;
    throw new PssError(`Pod Security evaluation needs a pod with an object spec; ${what}`, "pss-input");
  }
  const input: PssPod = isRecord(pod.metadata) ? pod : { metadata: {}, spec: pod.spec };
  const active = checksAt(level, v.minor);
  let out: PssResult[] | undefined;
  for (let i = 0; i < active.length; i++) {
    const { def, fn } = active[i]!;
    const f = fn(input);
    if (f === null) continue;
    out = push(out, {
      check: def.id,
      level: def.level,
      reason: f.reason,
      detail: f.detail,
      violations: f.violations,
    });
  }
  return out ?? NONE;
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}
