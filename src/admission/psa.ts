// Pod Security Admission semantics on top of the scanner's PSS engine (evaluatePss): which
// requests are evaluated, namespace labels over configured defaults, exemptions, update rules,
// the dry run of a namespace's pods against a tightened enforce level, and the exact denials,
// warnings and audit annotations of upstream's pod-security-admission (webhook flavour).
import {
  evaluatePss,
  PSS_LATEST_MINOR,
  type PssResult,
  parsePssVersion,
  pssSummary,
} from "../config/pss/index.js";
import { isRecord } from "../core/object.js";
import type { Exemptions, LevelVersion, PsaLevel, PsaPolicy } from "./config.js";
import type { NamespacePodSource } from "./namespaces.js";
import type { AdmissionRequest, AdmissionStatus } from "./review.js";
import { withTimeout } from "./timebox.js";

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
): { policy: PsaPolicy; errors: string[]; causes: FieldCause[] } {
  const policy: PsaPolicy = {
    enforce: { ...defaults.enforce },
    warn: { ...defaults.warn },
    audit: { ...defaults.audit },
  };
  const causes: FieldCause[] = [];
  const invalid = (key: string, value: string, why: string) =>
    causes.push({
      type: "FieldValueInvalid",
      field: `metadata.labels[${key}]`,
      message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
    });
  for (const mode of MODES) {
    const levelKey = `${PSA_LABEL_PREFIX}${mode}`;
    if (Object.hasOwn(labels, levelKey)) {
      const v = labels[levelKey]!;
      if (v === "privileged" || v === "baseline" || v === "restricted") policy[mode].level = v;
      else {
        policy[mode].level = mode === "enforce" ? "restricted" : "privileged";
        invalid(levelKey, v, "must be one of privileged, baseline, restricted");
      }
    }
    const versionKey = `${levelKey}-version`;
    if (Object.hasOwn(labels, versionKey)) {
      const v = labels[versionKey]!;
      if (validVersion(v)) policy[mode].version = v;
      else {
        policy[mode].version = "latest";
        invalid(versionKey, v, 'must be "latest" or "v1.x"');
      }
    }
  }
  return { policy, errors: causes.map((c) => `${c.field}: ${c.message}`), causes };
}

/** One field error of a 422 Invalid status (metav1.StatusCause). */
export interface FieldCause {
  type: "FieldValueInvalid";
  field: string;
  message: string;
}

/**
 * Several errors as one message, the way the API machinery aggregates them: a single error as
 * is, several (duplicates dropped) in brackets, joined with ", ".
 */
function aggregateText(errors: readonly string[]): string {
  const distinct = [...new Set(errors)];
  return distinct.length === 1 ? distinct[0]! : `[${distinct.join(", ")}]`;
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
export function engineVersion(v: string): string {
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

// ---------------------------------------------------------------------------------------------
// Request handling, in upstream's order (Validate → ValidateNamespace / ValidatePod /
// ValidatePodController → EvaluatePod). Every string below that reaches a user or an audit log
// is upstream's observable text.

/** Group/resource of the workload kinds whose pod template is evaluated (upstream's extractor). */
const POD_TEMPLATE_RESOURCES: ReadonlySet<string> = new Set([
  "/replicationcontrollers",
  "/podtemplates",
  "apps/replicasets",
  "apps/deployments",
  "apps/statefulsets",
  "apps/daemonsets",
  "batch/jobs",
  "batch/cronjobs",
]);

/** What Pod Security does with a request's resource: nothing (undefined), or which validation. */
function psaTarget(req: AdmissionRequest): "namespace" | "pod" | "template" | undefined {
  const { group, resource } = req.resource;
  if (group === "" && resource === "namespaces") return "namespace";
  if (group === "" && resource === "pods") return "pod";
  return POD_TEMPLATE_RESOURCES.has(`${group}/${resource}`) ? "template" : undefined;
}

export interface PsaDeps {
  defaults: PsaPolicy;
  exemptions: Exemptions;
  /** The request namespace's labels; rejects when the lookup fails. */
  namespaceLabels: () => Promise<Record<string, string>>;
  /** Lists a namespace's pods for the dry run of a tightened enforce level; absent: no dry run. */
  namespacePods?: NamespacePodSource | undefined;
  /** Milliseconds clock of the dry run's deadline. */
  now: () => number;
  /** Most pods the dry run evaluates (upstream: 3000). */
  podCheckLimit: number;
  /** Time budget of the dry run, listing included (upstream: 1 s). */
  podCheckTimeoutMs: number;
  /**
   * When the API server gives up on this request (the `timeout` of the webhook call), on the `now`
   * clock: the dry run then takes at most half the time left, as upstream does.
   */
  deadline?: number | undefined;
  /** Receives upstream's metric events (evaluations, exemptions, errors) as they happen. */
  record?: ((event: PsaMetricEvent) => void) | undefined;
}

/**
 * What upstream's Pod Security metrics count, at the points upstream counts them: a mode's
 * evaluation (`policyVersion` already as the metric label: latest, v1.N, or future), an exemption,
 * or an error that stopped (fatal) or degraded (not fatal) the evaluation.
 */
export type PsaMetricEvent =
  | {
      type: "evaluation";
      decision: "allow" | "deny";
      policyLevel: PsaLevel;
      policyVersion: string;
      mode: "enforce" | "audit" | "warn";
    }
  | { type: "exemption" }
  | { type: "error"; fatal: boolean };

/** The policy version as upstream's metrics label it: privileged and latest are "latest", newer than known "future". */
function metricVersionLabel(lv: LevelVersion): string {
  if (lv.level === "privileged" || lv.version === "latest") return "latest";
  const minor = Number(lv.version.slice(3));
  return minor <= PSS_LATEST_MINOR ? lv.version : "future";
}

function recordEvaluation(
  deps: Pick<PsaDeps, "record">,
  decision: "allow" | "deny",
  lv: LevelVersion,
  mode: "enforce" | "audit" | "warn",
): void {
  deps.record?.({
    type: "evaluation",
    decision,
    policyLevel: lv.level,
    policyVersion: metricVersionLabel(lv),
    mode,
  });
}

export interface PsaAnswer {
  /** Set when Pod Security refuses the request: 403 (enforce), or 400, 422, 500 (answer as is). */
  status?: AdmissionStatus;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  /** The namespace lookup failed (a workload request is still allowed, annotated). */
  lookupError?: string;
}

const allowed = (): PsaAnswer => ({ warnings: [], auditAnnotations: {} });
const exempt = (why: "namespace" | "user" | "runtimeClass"): PsaAnswer => ({
  warnings: [],
  auditAnnotations: { [PSA_AUDIT_KEYS.exempt]: why },
});

/** Upstream's BadRequest answer: the status says what failed, the `error` annotation why. */
function badRequest(message: string, cause?: string): PsaAnswer {
  return {
    status: { code: 400, reason: "BadRequest", status: "Failure", message },
    warnings: [],
    auditAnnotations: { [PSA_AUDIT_KEYS.error]: cause ? `${message}: ${cause}` : message },
  };
}

/** `pods "web-1" is forbidden: ...` (no name, as for generateName: `pods is forbidden: ...`), 403. */
function forbiddenStatus(req: AdmissionRequest, message: string): AdmissionStatus {
  const { group, resource } = req.resource;
  const qualified = group ? `${resource}.${group}` : resource;
  const name = req.name ?? "";
  return {
    code: 403,
    reason: "Forbidden",
    status: "Failure",
    message: name
      ? `${qualified} ${JSON.stringify(name)} is forbidden: ${message}`
      : `${qualified} is forbidden: ${message}`,
    details: { ...(group ? { group } : {}), kind: resource, ...(name ? { name } : {}) },
  };
}

/** A failed namespace lookup: 500 for a pod, an `error` annotation for a workload (allowed). */
export function namespaceLookupFailure(namespace: string, err: unknown, pod: boolean): PsaAnswer {
  const what = `failed to lookup namespace ${JSON.stringify(namespace)}`;
  const why = err instanceof Error ? err.message : String(err);
  if (!pod) {
    const text = `${what}: ${why}`;
    return { warnings: [], auditAnnotations: { [PSA_AUDIT_KEYS.error]: text }, lookupError: text };
  }
  const message = `Internal error occurred: ${what}`;
  return {
    status: {
      code: 500,
      reason: "InternalError",
      status: "Failure",
      message,
      details: { causes: [{ message: what }] },
    },
    warnings: [],
    auditAnnotations: { [PSA_AUDIT_KEYS.error]: `${message}: ${why}` },
    lookupError: `${message}: ${why}`,
  };
}

/** Pod Security's answer to a request, or undefined when it does not look at this request. */
export async function validatePodSecurity(
  req: AdmissionRequest,
  deps: PsaDeps,
): Promise<PsaAnswer | undefined> {
  const target = psaTarget(req);
  if (!target || (req.operation !== "CREATE" && req.operation !== "UPDATE")) return undefined;
  if (target === "namespace") return validateNamespace(req, deps);
  return validatePodOrTemplate(req, deps, target === "pod");
}

async function validatePodOrTemplate(req: AdmissionRequest, deps: PsaDeps, pod: boolean): Promise<PsaAnswer> {
  const sub = req.subResource ?? "";
  if (pod ? IGNORED_POD_SUBRESOURCES.has(sub) : sub !== "") return allowed();
  const namespace = req.namespace ?? "";
  const exemptAs = (why: "namespace" | "user") => {
    deps.record?.({ type: "exemption" });
    return exempt(why);
  };
  if (namespace !== "" && deps.exemptions.namespaces.includes(namespace)) return exemptAs("namespace");
  const username = req.userInfo.username ?? "";
  if (username !== "" && deps.exemptions.usernames.includes(username)) return exemptAs("user");
  const fatal = () => deps.record?.({ type: "error", fatal: true });
  let labels: Record<string, string>;
  try {
    labels = await deps.namespaceLabels();
  } catch (err) {
    fatal();
    return namespaceLookupFailure(namespace, err, pod);
  }
  const { policy, errors } = policyToEvaluate(labels, deps.defaults);
  const quiet = policy.warn.level === "privileged" && policy.audit.level === "privileged";
  if (errors.length === 0 && quiet && (!pod || policy.enforce.level === "privileged")) {
    if (!pod) return allowed();
    recordEvaluation(deps, "allow", policy.enforce, "enforce");
    return { warnings: [], auditAnnotations: { [PSA_AUDIT_KEYS.enforcePolicy]: "privileged:latest" } };
  }

  const object = req.object;
  if (!isRecord(object) || typeof object.kind !== "string") {
    fatal();
    const cause = isRecord(object) ? "request.object has no kind" : "request.object is missing";
    if (pod) return badRequest("failed to decode object", cause);
    return {
      warnings: [],
      auditAnnotations: { [PSA_AUDIT_KEYS.error]: `failed to decode object: ${cause}` },
    };
  }
  let template: { metadata: Record<string, unknown>; spec: Record<string, unknown> } | undefined;
  if (pod) {
    const decodeFailure = (message: string, cause?: string) => {
      fatal();
      return badRequest(message, cause);
    };
    if (object.kind !== "Pod") return decodeFailure("failed to decode pod");
    if (req.operation === "UPDATE") {
      const old = req.oldObject;
      if (!isRecord(old) || typeof old.kind !== "string")
        return decodeFailure(
          "failed to decode old object",
          isRecord(old) ? "request.oldObject has no kind" : "request.oldObject is missing",
        );
      if (old.kind !== "Pod") return decodeFailure("failed to decode old pod");
      if (!isSignificantPodUpdate(object, old)) return allowed();
    }
    template = { metadata: recordOr(object.metadata), spec: recordOr(object.spec) };
  } else {
    const extracted = podTemplateOf(object);
    if (extracted === "unknown-kind") {
      fatal();
      return {
        warnings: [],
        auditAnnotations: {
          [PSA_AUDIT_KEYS.error]: `failed to extract pod template: unexpected object type: ${groupVersionKindText(object)}`,
        },
      };
    }
    if (!extracted) return allowed();
    template = extracted;
  }
  return evaluatePodSecurity({
    pod: template,
    policy,
    policyErrors: errors,
    exemptions: deps.exemptions,
    enforce: pod,
    request: req,
    record: deps.record,
  });
}

/** A kind the way the API machinery prints it: `apps/v1, Kind=Foo`, `/v1, Kind=Foo` for the core group. */
function groupVersionKindText(object: Record<string, unknown>): string {
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  const groupVersion = apiVersion.includes("/") ? apiVersion : `/${apiVersion}`;
  return `${groupVersion}, Kind=${String(object.kind)}`;
}

function recordOr(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/**
 * The pod template of a workload object, by the object's own kind as the API decodes it. A
 * template held by value upstream (all but ReplicationController's) is evaluated even when absent,
 * as an empty pod; a missing ReplicationController template means nothing to evaluate.
 */
function podTemplateOf(
  object: Record<string, unknown>,
): { metadata: Record<string, unknown>; spec: Record<string, unknown> } | undefined | "unknown-kind" {
  const path = TEMPLATE_PATHS[String(object.kind)];
  if (!path) return "unknown-kind";
  let node: unknown = object;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  if (!isRecord(node))
    return object.kind === "ReplicationController" ? undefined : { metadata: {}, spec: {} };
  return { metadata: recordOr(node.metadata), spec: recordOr(node.spec) };
}

/** Where each kind keeps the pod (template) upstream evaluates. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  PodTemplate: ["template"],
  ReplicationController: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  Deployment: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

export interface PsaInput {
  pod: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  policy: PsaPolicy;
  policyErrors: string[];
  exemptions: Exemptions;
  /** True for Pods (enforce applies); false for workload templates (warn and audit only). */
  enforce: boolean;
  /** The request, for the name and resource of a denial. */
  request: AdmissionRequest;
  /** Receives the metric events of this evaluation. */
  record?: ((event: PsaMetricEvent) => void) | undefined;
}

/**
 * Evaluates a pod or pod template against a namespace policy (upstream EvaluatePod): enforce
 * denies with every failed check's reason and detail; audit records the same text under
 * `audit-violations`; warn adds ONE warning, and only to a request that is allowed.
 */
function evaluatePodSecurity(input: PsaInput): PsaAnswer {
  const rc = input.pod.spec.runtimeClassName;
  if (typeof rc === "string" && rc !== "" && input.exemptions.runtimeClasses.includes(rc)) {
    input.record?.({ type: "exemption" });
    return exempt("runtimeClass");
  }
  const out: PsaAnswer = { warnings: [], auditAnnotations: {} };
  if (input.policyErrors.length > 0) {
    out.auditAnnotations[PSA_AUDIT_KEYS.error] =
      `Failed to parse policy: ${aggregateText(input.policyErrors)}`;
    input.record?.({ type: "error", fatal: false });
  }
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
    if (r.length > 0)
      out.status = forbiddenStatus(
        input.request,
        `violates PodSecurity ${JSON.stringify(levelVersionText(enforce))}: ${pssSummary(r)}`,
      );
    recordEvaluation(input, r.length > 0 ? "deny" : "allow", enforce, "enforce");
  }
  const ar = at(audit);
  if (ar.length > 0) {
    out.auditAnnotations[PSA_AUDIT_KEYS.auditViolations] =
      `would violate PodSecurity ${JSON.stringify(levelVersionText(audit))}: ${pssSummary(ar)}`;
    recordEvaluation(input, "deny", audit, "audit");
  }
  if (!out.status) {
    const wr = at(warn);
    if (wr.length > 0) {
      out.warnings.push(
        `would violate PodSecurity ${JSON.stringify(levelVersionText(warn))}: ${pssSummary(wr)}`,
      );
      recordEvaluation(input, "deny", warn, "warn");
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Namespaces: valid labels, and a dry run of the existing pods when enforce gets stricter.

function labelsOf(o: Record<string, unknown>): Record<string, string> {
  const m = o.metadata;
  const l = isRecord(m) ? m.labels : undefined;
  const out: Record<string, string> = {};
  if (isRecord(l)) for (const [k, v] of Object.entries(l)) if (typeof v === "string") out[k] = v;
  return out;
}

function nameOf(o: unknown): string {
  const m = isRecord(o) ? o.metadata : undefined;
  return isRecord(m) && typeof m.name === "string" ? m.name : "";
}

/** 422 Invalid with one cause per bad label: `Namespace "x" is invalid: <errors>`. */
function invalidNamespace(req: AdmissionRequest, errors: string[], causes: FieldCause[]): PsaAnswer {
  const { group, kind } = req.kind;
  const qualified = group ? `${kind}.${group}` : kind;
  const name = req.name || nameOf(req.object);
  return {
    status: {
      code: 422,
      reason: "Invalid",
      status: "Failure",
      message: `${qualified} ${JSON.stringify(name)} is invalid: ${aggregateText(errors)}`,
      details: { ...(group ? { group } : {}), kind, ...(name ? { name } : {}), causes },
    },
    warnings: [],
    auditAnnotations: {},
  };
}

const STRICTNESS: Record<PsaLevel, number> = { privileged: 0, baseline: 1, restricted: 2 };

async function validateNamespace(req: AdmissionRequest, deps: PsaDeps): Promise<PsaAnswer> {
  if (req.subResource) return allowed();
  const object = req.object;
  if (!isRecord(object) || typeof object.kind !== "string")
    return badRequest(
      "failed to decode object",
      isRecord(object) ? "request.object has no kind" : "request.object is missing",
    );
  if (object.kind !== "Namespace") return badRequest("failed to decode namespace");
  const labels = labelsOf(object);
  const now = policyToEvaluate(labels, deps.defaults);
  const name = nameOf(object);
  const exemptWarning = (): PsaAnswer => {
    const w = exemptNamespaceWarning(name, now.policy, labels, deps.defaults);
    return w ? { warnings: [w], auditAnnotations: {} } : allowed();
  };
  const isExempt =
    req.namespace !== undefined && req.namespace !== "" && deps.exemptions.namespaces.includes(req.namespace);
  if (req.operation === "CREATE") {
    if (now.errors.length > 0) return invalidNamespace(req, now.errors, now.causes);
    return isExempt ? exemptWarning() : allowed();
  }
  const old = req.oldObject;
  // Upstream's messages carry a double space here.
  if (!isRecord(old) || typeof old.kind !== "string")
    return badRequest(
      "failed to decode  old object",
      isRecord(old) ? "request.oldObject has no kind" : "request.oldObject is missing",
    );
  if (old.kind !== "Namespace") return badRequest("failed to decode  old namespace");
  const before = policyToEvaluate(labelsOf(old), deps.defaults);
  if (
    now.errors.length > 0 &&
    (before.errors.length === 0 || before.errors.join("\n") !== now.errors.join("\n"))
  )
    return invalidNamespace(req, now.errors, now.causes);
  const next = now.policy.enforce;
  const prev = before.policy.enforce;
  if (next.level === prev.level && next.version === prev.version) return allowed();
  if (next.level === "privileged") return allowed();
  if (next.version === prev.version && STRICTNESS[next.level] <= STRICTNESS[prev.level]) return allowed();
  if (isExempt) return exemptWarning();
  return { warnings: await evaluatePodsInNamespace(name, next, deps), auditAnnotations: {} };
}

/**
 * The warning for pod-security labels on an exempt namespace that would otherwise matter: the
 * non-privileged modes whose labels are set, e.g. `(enforce=baseline:latest, warn=restricted:v1.30)`.
 */
function exemptNamespaceWarning(
  namespace: string,
  policy: PsaPolicy,
  labels: Readonly<Record<string, string>>,
  defaults: PsaPolicy,
): string | undefined {
  const fullyPrivileged = MODES.every((m) => policy[m].level === "privileged");
  const equivalent = (a: LevelVersion, b: LevelVersion) =>
    a.level === b.level && (a.level === "privileged" || a.version === b.version);
  if (fullyPrivileged || MODES.every((m) => equivalent(policy[m], defaults[m]))) return undefined;
  const parts: string[] = [];
  for (const mode of ["enforce", "audit", "warn"] as const) {
    const key = `${PSA_LABEL_PREFIX}${mode}`;
    const labelled = Object.hasOwn(labels, key) || Object.hasOwn(labels, `${key}-version`);
    if (policy[mode].level !== "privileged" && labelled)
      parts.push(`${mode}=${levelVersionText(policy[mode])}`);
  }
  return `namespace ${JSON.stringify(namespace)} is exempt from Pod Security, and the policy (${parts.join(", ")}) will be ignored`;
}

export const LIST_PODS_FAILED = "failed to list pods while checking new PodSecurity enforce level";

/**
 * Dry run of a namespace's pods against a new enforce level (upstream EvaluatePodsInNamespace):
 * one warning per distinct set of forbidden reasons, prefixed with the lexically first pod's name
 * and how many other pods share it, sorted; after a summary line. Pods of exempt runtime classes
 * are skipped; one pod per controller comes first; at most `podCheckLimit` pods and
 * `podCheckTimeoutMs` (listing included; never more than half the request's remaining time) are
 * spent, and a line says when not all were checked.
 */
async function evaluatePodsInNamespace(
  namespace: string,
  enforce: LevelVersion,
  deps: PsaDeps,
): Promise<string[]> {
  if (!deps.namespacePods) return [];
  const list = deps.namespacePods;
  const budget = dryRunBudgetMs(deps);
  // A request whose time is already up cannot list anything (upstream's list fails on its expired context).
  if (budget <= 0) return [LIST_PODS_FAILED];
  const deadline = deps.now() + budget;
  let listed: readonly unknown[] | "timeout";
  try {
    listed = await withTimeout((signal) => list(namespace, signal), budget);
  } catch {
    return [LIST_PODS_FAILED];
  }
  if (listed === "timeout" || !Array.isArray(listed)) return [LIST_PODS_FAILED];
  const pods = prioritizePods(listed.filter(isRecord), deps.exemptions.runtimeClasses);
  const total = pods.length;
  const toCheck = pods.slice(0, deps.podCheckLimit);
  let checked = toCheck.length;
  const firstPod = new Map<string, { name: string; count: number }>();
  for (let i = 0; i < toCheck.length; i++) {
    const pod = toCheck[i]!;
    const results = evaluateAt({ metadata: recordOr(pod.metadata), spec: recordOr(pod.spec) }, enforce);
    if (results.length > 0) {
      const reasons = results.map((r) => r.reason).join(", ");
      const name = nameOf(pod);
      const seen = firstPod.get(reasons);
      if (!seen) firstPod.set(reasons, { name, count: 1 });
      else {
        seen.count++;
        if (name < seen.name) seen.name = name;
      }
    }
    if (deps.now() >= deadline) {
      checked = i + 1;
      break;
    }
  }
  const out: string[] = [];
  if (checked < total)
    out.push(
      `new PodSecurity enforce level only checked against the first ${checked} of ${total} existing pods`,
    );
  if (firstPod.size > 0)
    out.push(
      `existing pods in namespace ${JSON.stringify(namespace)} violate the new PodSecurity enforce level ${JSON.stringify(levelVersionText(enforce))}`,
    );
  const perReasons = [...firstPod].map(([reasons, { name, count }]) => {
    if (count === 1) return `${name}: ${reasons}`;
    if (count === 2) return `${name} (and 1 other pod): ${reasons}`;
    return `${name} (and ${count - 1} other pods): ${reasons}`;
  });
  return out.concat(perReasons.sort());
}

/** The dry run's time: the configured budget, but never more than half of what the request has left. */
export function dryRunBudgetMs(deps: Pick<PsaDeps, "podCheckTimeoutMs" | "deadline" | "now">): number {
  if (deps.deadline === undefined) return deps.podCheckTimeoutMs;
  return Math.min(deps.podCheckTimeoutMs, (deps.deadline - deps.now()) / 2);
}

/** Drops pods of exempt runtime classes; the first pod of each controller, and uncontrolled pods, go first. */
export function prioritizePods(
  pods: readonly Record<string, unknown>[],
  exemptRuntimeClasses: readonly string[],
): Record<string, unknown>[] {
  const first: Record<string, unknown>[] = [];
  const replicas: Record<string, unknown>[] = [];
  const controllers = new Set<string>();
  for (const pod of pods) {
    const rc = recordOr(pod.spec).runtimeClassName;
    if (typeof rc === "string" && rc !== "" && exemptRuntimeClasses.includes(rc)) continue;
    const owner = controllerUid(pod);
    if (owner === undefined) first.push(pod);
    else if (controllers.has(owner)) replicas.push(pod);
    else {
      controllers.add(owner);
      first.push(pod);
    }
  }
  return first.concat(replicas);
}

function controllerUid(pod: Record<string, unknown>): string | undefined {
  const refs = recordOr(pod.metadata).ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs)
    if (isRecord(r) && r.controller === true) return typeof r.uid === "string" ? r.uid : "";
  return undefined;
}

export type { PsaLevel };
