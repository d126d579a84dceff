// ValidatingAdmissionPolicy evaluation, as the API server does it: a binding applies when the request
// matches the policy's matchConstraints and the binding's matchResources; params come from the
// binding's paramRef; matchConditions gate, variables compose, validations decide, and the binding's
// validationActions (Deny, Warn, Audit) say what a failure does. Errors follow failurePolicy.
import { matchSelector } from "../../config/checks/lib/selector.js";
import { isRecord } from "../../core/object.js";
import type { AdmissionRequest } from "../review.js";
import { toCel } from "./cel.js";
import { authorizerValue } from "./lib/authorizer.js";
import type { Binding, LoadedPolicies, MatchResources, Policy, ResourceRule } from "./load.js";

export interface VapSet extends LoadedPolicies {
  params: Record<string, unknown>[];
}

/** One failed validation (or error under failurePolicy Fail) of one policy, binding and param. */
export interface VapFailure {
  policy: string;
  binding: string;
  message: string;
  reason: string;
  expressionIndex?: number;
  actions: Binding["validationActions"];
  /** Failed through an evaluation error rather than a false validation. */
  error?: boolean;
}

export interface VapOutcome {
  denials: string[];
  /** HTTP code of the first denial (403 Forbidden, 422 Invalid, ...). */
  denyCode?: number;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  failures: VapFailure[];
  /** Evaluation errors, including those ignored by failurePolicy Ignore. */
  errors: string[];
}

const REASON_CODE: Record<string, number> = {
  Unauthorized: 401,
  Forbidden: 403,
  Invalid: 422,
  RequestEntityTooLarge: 413,
};

/** The attributes matching needs (a request, or a manifest seen as a CREATE). */
export interface VapAttributes {
  request: AdmissionRequest;
  object: Record<string, unknown> | null;
  oldObject: Record<string, unknown> | null;
  namespaceObject?: Record<string, unknown>;
}

function listHas(list: readonly string[], v: string): boolean {
  return list.includes("*") || list.includes(v);
}

function ruleMatches(rule: ResourceRule, req: AdmissionRequest): boolean {
  if (!listHas(rule.operations, req.operation)) return false;
  if (!listHas(rule.apiGroups, req.resource.group)) return false;
  if (!listHas(rule.apiVersions, req.resource.version)) return false;
  const sub = req.subResource ?? "";
  const res = req.resource.resource;
  const resOk = rule.resources.some((r) => {
    const slash = r.indexOf("/");
    const rr = slash < 0 ? r : r.slice(0, slash);
    const rs = slash < 0 ? "" : r.slice(slash + 1);
    return (rr === "*" || rr === res) && (rs === "*" || rs === sub);
  });
  if (!resOk) return false;
  // A Namespace request carries the namespace's own name as its namespace, yet Namespaces are cluster-scoped.
  const isNamespace = req.resource.group === "" && req.resource.version === "v1" && res === "namespaces";
  const namespaced = !isNamespace && (req.namespace ?? "") !== "";
  if (rule.scope === "Namespaced" && !namespaced) return false;
  if (rule.scope === "Cluster" && namespaced) return false;
  if (rule.resourceNames.length > 0 && !rule.resourceNames.includes(req.name ?? "")) return false;
  return true;
}

function labelsOf(o: unknown): Record<string, string> {
  const m = isRecord(o) ? o.metadata : undefined;
  const l = isRecord(m) ? m.labels : undefined;
  const out: Record<string, string> = {};
  if (isRecord(l)) for (const [k, v] of Object.entries(l)) if (typeof v === "string") out[k] = v;
  return out;
}

function selects(sel: Record<string, unknown> | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  const r = matchSelector(sel, labels);
  return r.ok && r.matches;
}

function matches(m: MatchResources, a: VapAttributes): boolean {
  const req = a.request;
  if (m.namespaceSelector) {
    const isNamespace = req.resource.group === "" && req.resource.resource === "namespaces";
    if (isNamespace) {
      if (!selects(m.namespaceSelector, labelsOf(a.object ?? a.oldObject))) return false;
    } else if ((req.namespace ?? "") !== "") {
      if (!selects(m.namespaceSelector, labelsOf(a.namespaceObject))) return false;
    }
  }
  if (m.objectSelector) {
    const ok = [a.object, a.oldObject].some((o) => o && selects(m.objectSelector, labelsOf(o)));
    if (!ok) return false;
  }
  if (m.resourceRules.length > 0 && !m.resourceRules.some((r) => ruleMatches(r, req))) return false;
  if (m.excludeResourceRules.some((r) => ruleMatches(r, req))) return false;
  return true;
}

function paramsFor(
  policy: Policy,
  binding: Binding,
  set: VapSet,
  namespace: string,
): Record<string, unknown>[] {
  const pk = policy.paramKind!;
  const ref = binding.paramRef!;
  return set.params.filter((p) => {
    if (p.apiVersion !== pk.apiVersion || p.kind !== pk.kind) return false;
    const meta = isRecord(p.metadata) ? p.metadata : {};
    const pns = typeof meta.namespace === "string" ? meta.namespace : "";
    const wantNs = ref.namespace ?? (pns !== "" ? namespace : "");
    if (pns !== wantNs) return false;
    if (ref.name !== undefined) return meta.name === ref.name;
    return selects(ref.selector, labelsOf(p));
  });
}

function requestForCel(req: AdmissionRequest): Record<string, unknown> {
  const { object: _o, oldObject: _oo, ...rest } = req;
  return rest;
}

const celCache = new WeakMap<VapAttributes, Record<string, unknown>>();
// One `authorizer` for every request: its checks fail (no RBAC data), see lib/authorizer.ts.
const AUTHORIZER = authorizerValue();

/** The CEL inputs of a request, converted once however many bindings apply. */
function celInputs(a: VapAttributes): Record<string, unknown> {
  let hit = celCache.get(a);
  if (!hit) {
    hit = {
      object: toCel(a.object),
      oldObject: toCel(a.oldObject),
      request: toCel(requestForCel(a.request)),
      namespaceObject: toCel(a.namespaceObject ?? null),
      authorizer: AUTHORIZER,
    };
    celCache.set(a, hit);
  }
  return hit;
}

/** Evaluates one policy under one binding for one set of attributes. */
export function evaluateBinding(
  policy: Policy,
  binding: Binding,
  set: VapSet,
  a: VapAttributes,
): { failures: VapFailure[]; errors: string[]; annotations: Record<string, string> } {
  const failures: VapFailure[] = [];
  const errors: string[] = [];
  const annotations: Record<string, string> = {};
  const base = { policy: policy.name, binding: binding.name, actions: binding.validationActions };
  const fail = (message: string, reason: string, expressionIndex?: number) => {
    errors.push(`ValidatingAdmissionPolicy '${policy.name}' with binding '${binding.name}': ${message}`);
    if (policy.failurePolicy === "Fail")
      failures.push({
        ...base,
        message,
        reason,
        error: true,
        ...(expressionIndex !== undefined ? { expressionIndex } : {}),
      });
  };
  let params: Array<Record<string, unknown> | null> = [null];
  if (policy.paramKind) {
    if (!binding.paramRef) {
      fail(`policy has paramKind ${policy.paramKind.kind} but binding has no paramRef`, "Invalid");
      return { failures, errors, annotations };
    }
    params = paramsFor(policy, binding, set, a.request.namespace ?? "");
    if (params.length === 0) {
      if (binding.paramRef.parameterNotFoundAction === "Deny")
        failures.push({
          ...base,
          message:
            "failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
          reason: "Invalid",
          error: true,
        });
      return { failures, errors, annotations };
    }
  }
  const shared = celInputs(a);
  for (const param of params) {
    const vars: Record<string, unknown> = {};
    const bindings: Record<string, unknown> = { ...shared, params: toCel(param), variables: vars };
    let skip = false;
    for (const mc of policy.matchConditions) {
      const r = mc.program(bindings);
      if (!r.ok) {
        fail(`matchCondition '${mc.name}' resulted in error: ${r.error}`, "Invalid");
        skip = true;
        break;
      }
      if (r.value !== true) {
        skip = true;
        break;
      }
    }
    if (skip) continue;
    const varErrors = new Map<string, string>();
    for (const v of policy.variables) {
      const r = v.program(bindings);
      if (r.ok) vars[v.name] = r.value;
      else varErrors.set(v.name, r.error);
    }
    for (const [i, val] of policy.validations.entries()) {
      const badVar = [...varErrors].find(([n]) => val.expression.includes(`variables.${n}`));
      const r = badVar
        ? { ok: false as const, error: `variable '${badVar[0]}': ${badVar[1]}` }
        : val.program(bindings);
      if (!r.ok) {
        fail(`expression '${val.expression}' resulted in error: ${r.error}`, val.reason, i);
        continue;
      }
      if (typeof r.value !== "boolean") {
        fail(`expression '${val.expression}' must evaluate to bool`, val.reason, i);
        continue;
      }
      if (r.value) continue;
      let message = val.message ?? `failed expression: ${val.expression}`;
      if (val.messageExpression) {
        const m = val.messageExpression.program(bindings);
        if (m.ok && typeof m.value === "string" && m.value.trim() !== "" && !m.value.includes("\n"))
          message = m.value;
        else if (!m.ok)
          errors.push(
            `messageExpression '${val.messageExpression.expression}' resulted in error: ${m.error}`,
          );
      }
      failures.push({ ...base, message, reason: val.reason, expressionIndex: i });
    }
    for (const aa of policy.auditAnnotations) {
      const r = aa.valueExpression.program(bindings);
      if (!r.ok) fail(`auditAnnotation '${aa.key}' resulted in error: ${r.error}`, "Invalid");
      else if (typeof r.value === "string") annotations[`vap-${policy.name}-${aa.key}`] = r.value;
    }
  }
  return { failures, errors, annotations };
}

const EXEMPT_KINDS = new Set([
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);

/** Admission configuration objects are never subject to policies (so a bad policy cannot lock itself in). */
export function isExemptAdmissionConfiguration(req: AdmissionRequest): boolean {
  return req.kind.group === "admissionregistration.k8s.io" && EXEMPT_KINDS.has(req.kind.kind);
}

/** Every binding that applies to the attributes, with its policy. */
export function applicableBindings(
  set: VapSet,
  a: VapAttributes,
): Array<{ policy: Policy; binding: Binding }> {
  const out: Array<{ policy: Policy; binding: Binding }> = [];
  if (isExemptAdmissionConfiguration(a.request)) return out;
  for (const binding of set.bindings) {
    const policy = set.policies.find((p) => p.name === binding.policyName);
    if (!policy?.matchConstraints) continue;
    if (!matches(policy.matchConstraints, a)) continue;
    if (binding.matchResources && !matches(binding.matchResources, a)) continue;
    out.push({ policy, binding });
  }
  return out;
}

/** Evaluates every applicable binding for an admission request. */
export function evaluateVap(
  set: VapSet,
  req: AdmissionRequest,
  namespaceObject?: Record<string, unknown>,
): VapOutcome {
  const a: VapAttributes = {
    request: req,
    object: isRecord(req.object) ? req.object : null,
    oldObject: isRecord(req.oldObject) ? req.oldObject : null,
    ...(namespaceObject ? { namespaceObject } : {}),
  };
  const out: VapOutcome = { denials: [], warnings: [], auditAnnotations: {}, failures: [], errors: [] };
  const auditFailures: Array<Record<string, unknown>> = [];
  for (const { policy, binding } of applicableBindings(set, a)) {
    const r = evaluateBinding(policy, binding, set, a);
    out.errors.push(...r.errors);
    Object.assign(out.auditAnnotations, r.annotations);
    for (const f of r.failures) {
      out.failures.push(f);
      if (f.actions.includes("Deny")) {
        out.denials.push(
          `ValidatingAdmissionPolicy '${f.policy}' with binding '${f.binding}' denied request: ${f.message}`,
        );
        out.denyCode ??= REASON_CODE[f.reason] ?? 403;
      }
      if (f.actions.includes("Warn")) {
        // Upstream's wording when it fits a short warning; else a compact form that keeps the message.
        const full = `Validation failed for ValidatingAdmissionPolicy '${f.policy}' with binding '${f.binding}': ${f.message}`;
        out.warnings.push(full.length < 120 ? full : `ValidatingAdmissionPolicy '${f.policy}': ${f.message}`);
      }
      if (f.actions.includes("Audit"))
        auditFailures.push({
          message: f.message,
          policy: f.policy,
          binding: f.binding,
          ...(f.expressionIndex !== undefined ? { expressionIndex: f.expressionIndex } : {}),
          validationActions: f.actions,
        });
    }
  }
  if (auditFailures.length > 0)
    out.auditAnnotations["vap-validation-failure"] = JSON.stringify(auditFailures);
  return out;
}
