// Pod Security Admission semantics on top of the scanner's PSS engine (evaluatePss): which
// requests are evaluated, namespace labels over configured defaults, exemptions, update rules,
// and the shapes of denials, warnings and audit annotations, as upstream's admission plugin does.
import { evaluatePss, type PssResult, parsePssVersion, pssSummary } from "../config/pss/index.js";
import { isRecord } from "../core/object.js";
import type { Exemptions, LevelVersion, PsaLevel, PsaPolicy } from "./config.js";

export const PSA_LABEL_PREFIX = "pod-security.kubernetes.io/";
const MODES = ["enforce", "audit", "warn"] as const;

/** Pod subresources upstream never evaluates; any other pod subresource (ephemeralcontainers, resize...) is. */
export const IGNORED_POD_SUBRESOURCES: ReadonlySet<string> = new Set([
  "exec",
  "attach",
  "binding",
  "eviction",
  "log",
  "portforward",
  "proxy",
  "status",
]);

/** Audit annotation keys (the API server prefixes them with the webhook's name). */
export const PSA_AUDIT_KEYS = {
  enforcePolicy: "enforce-policy",
  auditViolations: "audit-violations",
  exempt: "exempt",
  error: "error",
} as const;

export function levelVersionText(lv: LevelVersion): string {
  return `${lv.level}:${lv.version}`;
}

/**
 * The policy for a namespace: its pod-security labels over the defaults. Like upstream, a bad
 * enforce level means restricted, a bad warn or audit level means privileged (fail open), a bad
 * version means latest; each bad label is reported.
 */
export function policyToEvaluate(
  labels: Readonly<Record<string, string>>,
  defaults: PsaPolicy,
): { policy: PsaPolicy; errors: string[] } {
  const policy: PsaPolicy = {
    enforce: { ...defaults.enforce },
    warn: { ...defaults.warn },
    audit: { ...defaults.audit },
  };
  const errors: string[] = [];
  for (const mode of MODES) {
    const levelKey = `${PSA_LABEL_PREFIX}${mode}`;
    if (Object.hasOwn(labels, levelKey)) {
      const v = labels[levelKey]!;
      if (v === "privileged" || v === "baseline" || v === "restricted") policy[mode].level = v;
      else {
        policy[mode].level = mode === "enforce" ? "restricted" : "privileged";
        errors.push(
          `metadata.labels[${levelKey}]: Invalid value: ${JSON.stringify(v)}: must be one of privileged, baseline, restricted`,
        );
      }
    }
    const versionKey = `${levelKey}-version`;
    if (Object.hasOwn(labels, versionKey)) {
      const v = labels[versionKey]!;
      if (validVersion(v)) policy[mode].version = v;
      else {
        policy[mode].version = "latest";
        errors.push(
          `metadata.labels[${versionKey}]: Invalid value: ${JSON.stringify(v)}: must be "latest" or "v1.x"`,
        );
      }
    }
  }
  return { policy, errors };
}

function validVersion(v: string): boolean {
  if (v === "latest") return true;
  if (!/^v1\.(0|[1-9][0-9]*)$/.test(v)) return false;
  if (v.length > 8) return true; // far-future versions evaluate as the newest known
  try {
    parsePssVersion(v);
    return true;
  } catch {
    return false;
  }
}

/** Versions longer than the engine's table clamp to latest, like upstream clamps future versions. */
function engineVersion(v: string): string {
  return v.length > 8 ? "latest" : v;
}

/** The results of evaluating a pod at a level and version (privileged allows everything). */
export function evaluateAt(
  pod: { metadata: Record<string, unknown>; spec: Record<string, unknown> },
  lv: LevelVersion,
): readonly PssResult[] {
  if (lv.level === "privileged") return [];
  return evaluatePss(pod, lv.level, engineVersion(lv.version));
}

type Obj = Record<string, unknown>;

function containersList(spec: Obj, field: string): Obj[] {
  const l = spec[field];
  return Array.isArray(l) ? l.filter(isRecord) : [];
}

function annotationsOf(pod: Obj): Record<string, unknown> {
  const m = pod.metadata;
  return isRecord(m) && isRecord(m.annotations) ? m.annotations : {};
}

const SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/";

/**
 * Whether a pod update can change its Pod Security verdict. The only mutable fields that matter
 * are container images and the per-container seccomp annotations, plus added ephemeral containers
 * (current upstream no longer compares the pod-level seccomp annotation).
 */
export function isSignificantPodUpdate(pod: Obj, oldPod: Obj): boolean {
  const a = annotationsOf(pod);
  const oa = annotationsOf(oldPod);
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const oldSpec = isRecord(oldPod.spec) ? oldPod.spec : {};
  const significant = (c: Obj, oc: Obj) => {
    if (c.image !== oc.image) return true;
    const key = `${SECCOMP_CONTAINER}${typeof c.name === "string" ? c.name : ""}`;
    return a[key] !== oa[key];
  };
  for (const field of ["containers", "initContainers"]) {
    const now = containersList(spec, field);
    const before = containersList(oldSpec, field);
    if (now.length !== before.length) return true;
    for (let i = 0; i < now.length; i++) if (significant(now[i]!, before[i]!)) return true;
  }
  const oldEphemeral = containersList(oldSpec, "ephemeralContainers");
  for (const c of containersList(spec, "ephemeralContainers")) {
    const oc = oldEphemeral.find((o) => o.name === c.name);
    if (!oc || significant(c, oc)) return true;
  }
  return false;
}

export interface PsaOutcome {
  /** The denial message (upstream shape) when enforce forbids the pod. */
  deny?: string;
  /** Enforce results, for the message and for findings. */
  enforceResults: readonly PssResult[];
  warnResults: readonly PssResult[];
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

export interface PsaInput {
  pod: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  policy: PsaPolicy;
  policyErrors: string[];
  exemptions: Exemptions;
  /** True for Pods (enforce applies); false for workload controllers' templates (warn and audit only). */
  enforce: boolean;
  /** Start of the denial, e.g. `pods "web-1" is forbidden: `. */
  forbiddenPrefix?: string;
}

/** Evaluates a pod or pod template against a namespace policy, in upstream's order. */
export function evaluatePodSecurity(input: PsaInput): PsaOutcome {
  const out: PsaOutcome = { enforceResults: [], warnResults: [], warnings: [], auditAnnotations: {} };
  const rc = input.pod.spec.runtimeClassName;
  if (typeof rc === "string" && rc !== "" && input.exemptions.runtimeClasses.includes(rc)) {
    out.auditAnnotations[PSA_AUDIT_KEYS.exempt] = "runtimeClass";
    return out;
  }
  if (input.policyErrors.length > 0)
    out.auditAnnotations[PSA_AUDIT_KEYS.error] = `Failed to parse policy: ${input.policyErrors.join(", ")}`;
  const cache = new Map<string, readonly PssResult[]>();
  const at = (lv: LevelVersion) => {
    const key = levelVersionText(lv);
    let r = cache.get(key);
    if (!r) {
      r = evaluateAt(input.pod, lv);
      cache.set(key, r);
    }
    return r;
  };
  const { enforce, audit, warn } = input.policy;
  if (input.enforce) {
    out.auditAnnotations[PSA_AUDIT_KEYS.enforcePolicy] = levelVersionText(enforce);
    const r = at(enforce);
    out.enforceResults = r;
    if (r.length > 0)
      out.deny = `${input.forbiddenPrefix ?? ""}violates PodSecurity ${JSON.stringify(levelVersionText(enforce))}: ${pssSummary(r)}`;
  }
  const ar = at(audit);
  if (ar.length > 0)
    out.auditAnnotations[PSA_AUDIT_KEYS.auditViolations] =
      `would violate PodSecurity ${JSON.stringify(levelVersionText(audit))}: ${pssSummary(ar)}`;
  if (!out.deny) {
    const wr = at(warn);
    out.warnResults = wr;
    // One warning per failed check, so each stays short enough for kubectl to show.
    for (const r of wr)
      out.warnings.push(
        shortWarning(
          `would violate PodSecurity ${JSON.stringify(levelVersionText(warn))}: ${pssSummary([r])}`,
        ),
      );
  }
  return out;
}

export const MAX_WARNING = 119;

/** Keeps a warning under 120 characters, cutting with "..." when longer. */
export function shortWarning(s: string): string {
  return s.length <= MAX_WARNING ? s : `${s.slice(0, MAX_WARNING - 3)}...`;
}

export type { PsaLevel };
