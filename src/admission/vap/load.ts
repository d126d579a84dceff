// Loading ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects
// (admissionregistration.k8s.io/v1) and param objects from YAML files; expressions are compiled here.
import { parseAllDocuments } from "yaml";
import { matchSelector } from "../../config/checks/lib/selector.js";
import { FileRefusedError, readRegularFile } from "../../core/files.js";
import { isRecord } from "../../core/object.js";
import { AdmissionError } from "../errors.js";
import { Problems, strings } from "../problems.js";
import { type CelProgram, compileCel } from "./cel.js";

export const VAP_API_VERSION = "admissionregistration.k8s.io/v1";

export interface ResourceRule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: string[];
  scope: "*" | "Cluster" | "Namespaced";
  resourceNames: string[];
}

export interface MatchResources {
  resourceRules: ResourceRule[];
  excludeResourceRules: ResourceRule[];
  namespaceSelector?: Record<string, unknown>;
  objectSelector?: Record<string, unknown>;
}

export interface Compiled {
  expression: string;
  program: CelProgram;
}

export interface Validation extends Compiled {
  message?: string;
  messageExpression?: Compiled;
  reason: string;
}

export interface Policy {
  name: string;
  source: string;
  paramKind?: { apiVersion: string; kind: string };
  matchConstraints?: MatchResources;
  matchConditions: Array<Compiled & { name: string }>;
  variables: Array<Compiled & { name: string }>;
  validations: Validation[];
  auditAnnotations: Array<{ key: string; valueExpression: Compiled }>;
  failurePolicy: "Fail" | "Ignore";
}

export interface Binding {
  name: string;
  source: string;
  policyName: string;
  paramRef?: {
    name?: string;
    namespace?: string;
    selector?: Record<string, unknown>;
    parameterNotFoundAction: "Allow" | "Deny";
  };
  matchResources?: MatchResources;
  validationActions: Array<"Deny" | "Warn" | "Audit">;
}

export interface LoadedPolicies {
  policies: Policy[];
  bindings: Binding[];
}

const REASONS = ["Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge"];

function compile(expr: unknown, where: string, is: Problems): CelProgram | undefined {
  if (typeof expr !== "string" || expr.trim() === "") {
    is.add(where, "must be a non-empty CEL expression");
    return undefined;
  }
  try {
    return compileCel(expr);
  } catch (err) {
    is.add(where, `CEL compile error: ${(err as Error).message}`);
    return undefined;
  }
}

function listOrReport(v: unknown, where: string, is: Problems): unknown[] {
  if (Array.isArray(v)) return v;
  if (v !== undefined) is.add(where, "must be a list");
  return [];
}

function rules(v: unknown, where: string, is: Problems): ResourceRule[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    is.add(where, "must be a list");
    return [];
  }
  return v.flatMap((r, i) => {
    const w = `${where}[${i}]`;
    if (!isRecord(r)) {
      is.add(w, "must be a mapping");
      return [];
    }
    const scope = r.scope ?? "*";
    if (scope !== "*" && scope !== "Cluster" && scope !== "Namespaced")
      is.add(`${w}.scope`, "must be *, Cluster or Namespaced");
    return [
      {
        apiGroups: strings(r.apiGroups, `${w}.apiGroups`, is),
        apiVersions: strings(r.apiVersions, `${w}.apiVersions`, is),
        resources: strings(r.resources, `${w}.resources`, is),
        operations: strings(r.operations, `${w}.operations`, is),
        scope: scope as ResourceRule["scope"],
        resourceNames: strings(r.resourceNames, `${w}.resourceNames`, is),
      },
    ];
  });
}

function matchResources(v: unknown, where: string, is: Problems): MatchResources | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) {
    is.add(where, "must be a mapping");
    return undefined;
  }
  const m: MatchResources = {
    resourceRules: rules(v.resourceRules, `${where}.resourceRules`, is),
    excludeResourceRules: rules(v.excludeResourceRules, `${where}.excludeResourceRules`, is),
  };
  for (const k of ["namespaceSelector", "objectSelector"] as const) {
    if (v[k] === undefined) continue;
    const r = matchSelector(v[k], {});
    if (!r.ok) is.add(`${where}.${k}`, r.error);
    else m[k] = v[k] as Record<string, unknown>;
  }
  return m;
}

function parsePolicy(doc: Record<string, unknown>, where: string, is: Problems): Policy | undefined {
  const name =
    isRecord(doc.metadata) && typeof doc.metadata.name === "string" ? doc.metadata.name : undefined;
  if (!name) is.add(where, "metadata.name is required");
  const spec = doc.spec;
  if (!isRecord(spec)) {
    is.add(where, "spec is required");
    return undefined;
  }
  const w = `${where} (${name})`;
  const p: Policy = {
    name: name ?? "",
    source: where,
    matchConditions: [],
    variables: [],
    validations: [],
    auditAnnotations: [],
    failurePolicy: "Fail",
  };
  if (spec.failurePolicy !== undefined) {
    if (spec.failurePolicy !== "Fail" && spec.failurePolicy !== "Ignore")
      is.add(`${w}.spec.failurePolicy`, "must be Fail or Ignore");
    else p.failurePolicy = spec.failurePolicy;
  }
  if (spec.paramKind !== undefined) {
    const pk = spec.paramKind;
    if (!isRecord(pk) || typeof pk.apiVersion !== "string" || typeof pk.kind !== "string")
      is.add(`${w}.spec.paramKind`, "must have apiVersion and kind");
    else p.paramKind = { apiVersion: pk.apiVersion, kind: pk.kind };
  }
  const mc = matchResources(spec.matchConstraints, `${w}.spec.matchConstraints`, is);
  if (mc) p.matchConstraints = mc;
  if (!mc || mc.resourceRules.length === 0)
    is.add(`${w}.spec.matchConstraints`, "resourceRules are required");
  const named = (v: unknown, field: string, exprKey: string) =>
    listOrReport(v, `${w}.spec.${field}`, is).flatMap((x: unknown, i: number) => {
      if (!isRecord(x) || typeof x.name !== "string") {
        is.add(`${w}.spec.${field}[${i}]`, "needs a name");
        return [];
      }
      const program = compile(x[exprKey], `${w}.spec.${field}[${i}].${exprKey}`, is);
      return program ? [{ name: x.name, expression: x[exprKey] as string, program }] : [];
    });
  p.matchConditions = named(spec.matchConditions, "matchConditions", "expression");
  p.variables = named(spec.variables, "variables", "expression");
  const vals = Array.isArray(spec.validations) ? spec.validations : [];
  if (spec.validations !== undefined && !Array.isArray(spec.validations))
    is.add(`${w}.spec.validations`, "must be a list");
  for (const [i, v] of (vals as unknown[]).entries()) {
    const vw = `${w}.spec.validations[${i}]`;
    if (!isRecord(v)) {
      is.add(vw, "must be a mapping");
      continue;
    }
    const program = compile(v.expression, `${vw}.expression`, is);
    const reason = v.reason ?? "Invalid";
    if (typeof reason !== "string" || !REASONS.includes(reason))
      is.add(`${vw}.reason`, `must be one of ${REASONS.join(", ")}`);
    let messageExpression: Compiled | undefined;
    if (v.messageExpression !== undefined) {
      const mp = compile(v.messageExpression, `${vw}.messageExpression`, is);
      if (mp) messageExpression = { expression: v.messageExpression as string, program: mp };
    }
    if (v.message !== undefined && typeof v.message !== "string") is.add(`${vw}.message`, "must be a string");
    if (program)
      p.validations.push({
        expression: v.expression as string,
        program,
        reason: reason as string,
        ...(typeof v.message === "string" ? { message: v.message } : {}),
        ...(messageExpression ? { messageExpression } : {}),
      });
  }
  const aas = Array.isArray(spec.auditAnnotations) ? spec.auditAnnotations : [];
  for (const [i, a] of (aas as unknown[]).entries()) {
    const aw = `${w}.spec.auditAnnotations[${i}]`;
    if (!isRecord(a) || typeof a.key !== "string") {
      is.add(aw, "needs a key");
      continue;
    }
    const program = compile(a.valueExpression, `${aw}.valueExpression`, is);
    if (program)
      p.auditAnnotations.push({
        key: a.key,
        valueExpression: { expression: a.valueExpression as string, program },
      });
  }
  if (p.validations.length === 0 && p.auditAnnotations.length === 0 && vals.length === 0 && aas.length === 0)
    is.add(w, "needs at least one validation or auditAnnotation");
  return p;
}

function parseBinding(doc: Record<string, unknown>, where: string, is: Problems): Binding | undefined {
  const name =
    isRecord(doc.metadata) && typeof doc.metadata.name === "string" ? doc.metadata.name : undefined;
  if (!name) is.add(where, "metadata.name is required");
  const spec = doc.spec;
  if (!isRecord(spec) || typeof spec.policyName !== "string") {
    is.add(where, "spec.policyName is required");
    return undefined;
  }
  const w = `${where} (${name})`;
  const actions = strings(spec.validationActions, `${w}.spec.validationActions`, is);
  if (actions.length === 0) is.add(`${w}.spec.validationActions`, "must list Deny, Warn and/or Audit");
  for (const a of actions)
    if (!["Deny", "Warn", "Audit"].includes(a)) is.add(`${w}.spec.validationActions`, `unknown action ${a}`);
  if (actions.includes("Deny") && actions.includes("Warn"))
    is.add(`${w}.spec.validationActions`, "Deny and Warn cannot be combined");
  const b: Binding = {
    name: name ?? "",
    source: where,
    policyName: spec.policyName,
    validationActions: actions as Binding["validationActions"],
  };
  if (spec.paramRef !== undefined) {
    const pr = spec.paramRef;
    if (!isRecord(pr)) is.add(`${w}.spec.paramRef`, "must be a mapping");
    else {
      const action = pr.parameterNotFoundAction ?? "Deny";
      if (action !== "Allow" && action !== "Deny")
        is.add(`${w}.spec.paramRef.parameterNotFoundAction`, "must be Allow or Deny");
      if ((pr.name === undefined) === (pr.selector === undefined))
        is.add(`${w}.spec.paramRef`, "needs exactly one of name and selector");
      b.paramRef = {
        ...(typeof pr.name === "string" ? { name: pr.name } : {}),
        ...(typeof pr.namespace === "string" ? { namespace: pr.namespace } : {}),
        ...(isRecord(pr.selector) ? { selector: pr.selector } : {}),
        parameterNotFoundAction: action === "Allow" ? "Allow" : "Deny",
      };
    }
  }
  const mr = matchResources(spec.matchResources, `${w}.spec.matchResources`, is);
  if (mr) b.matchResources = mr;
  return b;
}

/** Largest policy or params file read (as the manifest loader's default). */
export const MAX_POLICY_FILE_BYTES = 10 * 1024 * 1024;

function readDocs(file: string, code: "policy-invalid" | "params-invalid"): unknown[] {
  let text: string;
  try {
    text = readRegularFile(file, MAX_POLICY_FILE_BYTES).toString("utf8");
  } catch (err) {
    const why = err instanceof FileRefusedError ? err.message : `cannot read: ${(err as Error).message}`;
    throw new AdmissionError(code, `${file}: ${why}`);
  }
  return docsOf(text, file, code);
}

function docsOf(text: string, file: string, code: "policy-invalid" | "params-invalid"): unknown[] {
  const out: unknown[] = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length > 0)
      throw new AdmissionError(code, `${file}: not valid YAML: ${d.errors[0]!.message}`);
    let v: unknown;
    try {
      v = d.toJS();
    } catch (err) {
      // The yaml package refuses an alias bomb only when expanding it; deep nesting can overflow here.
      throw new AdmissionError(code, `${file}: not valid YAML: ${(err as Error).message}`);
    }
    if (v === null || v === undefined) continue;
    if (isRecord(v) && v.kind === "List" && Array.isArray(v.items)) out.push(...v.items);
    else out.push(v);
  }
  return out;
}

/** A document left out of a lenient load, with everything wrong with it. */
export interface RejectedDoc {
  /** "FILE#INDEX" */
  where: string;
  /** The policy or binding's metadata.name, when it has one. */
  name?: string;
  problems: string[];
}

function nameOf(doc: unknown): string | undefined {
  return isRecord(doc) && isRecord(doc.metadata) && typeof doc.metadata.name === "string"
    ? doc.metadata.name
    : undefined;
}

/**
 * Parses policy and binding documents, leaving out each one that has problems (and each binding whose
 * policy is unknown or was left out) and keeping the rest.
 */
function parsePolicyDocsKeepingGood(docs: ReadonlyArray<{ doc: unknown; where: string }>): {
  loaded: LoadedPolicies;
  rejected: RejectedDoc[];
} {
  const loaded: LoadedPolicies = { policies: [], bindings: [] };
  const rejected: RejectedDoc[] = [];
  const rejectedPolicies = new Set<string>();
  for (const { doc, where } of docs) {
    const is = new Problems();
    let policy: Policy | undefined;
    let binding: Binding | undefined;
    if (!isRecord(doc)) is.add(where, "not a Kubernetes object");
    else if (doc.apiVersion !== VAP_API_VERSION)
      is.add(where, `apiVersion must be ${VAP_API_VERSION}, got ${JSON.stringify(doc.apiVersion)}`);
    else if (doc.kind === "ValidatingAdmissionPolicy") policy = parsePolicy(doc, where, is);
    else if (doc.kind === "ValidatingAdmissionPolicyBinding") binding = parseBinding(doc, where, is);
    else
      is.add(
        where,
        `expected ValidatingAdmissionPolicy or ValidatingAdmissionPolicyBinding, got ${JSON.stringify(doc.kind)}`,
      );
    const name = nameOf(doc);
    if (is.list.length > 0) {
      rejected.push({ where, ...(name !== undefined ? { name } : {}), problems: is.list });
      if (isRecord(doc) && doc.kind === "ValidatingAdmissionPolicy" && name) rejectedPolicies.add(name);
    } else if (policy) loaded.policies.push(policy);
    else if (binding) loaded.bindings.push(binding);
  }
  loaded.bindings = loaded.bindings.filter((b) => {
    if (loaded.policies.some((p) => p.name === b.policyName)) return true;
    const why = rejectedPolicies.has(b.policyName)
      ? "which is invalid (see above)"
      : "which is in no policy file";
    rejected.push({
      where: b.source,
      name: b.name,
      problems: [`${b.source}: binding ${b.name} names unknown policy ${b.policyName}, ${why}`],
    });
    return false;
  });
  return { loaded, rejected };
}

/** Parses policy and binding documents; other kinds are an error. Throws "policy-invalid" listing every problem. */
export function parsePolicyDocs(docs: ReadonlyArray<{ doc: unknown; where: string }>): LoadedPolicies {
  const { loaded, rejected } = parsePolicyDocsKeepingGood(docs);
  if (rejected.length > 0)
    throw new AdmissionError(
      "policy-invalid",
      `invalid ValidatingAdmissionPolicy input:\n  ${rejected.flatMap((r) => r.problems).join("\n  ")}`,
    );
  return loaded;
}

/** Reads policy/binding files. */
export async function loadPolicyFiles(files: readonly string[]): Promise<LoadedPolicies> {
  const docs: Array<{ doc: unknown; where: string }> = [];
  for (const f of files)
    for (const [i, doc] of readDocs(f, "policy-invalid").entries()) docs.push({ doc, where: `${f}#${i}` });
  return parsePolicyDocs(docs);
}

/** Reads param objects (any kind) from files. */
export async function loadParamFiles(files: readonly string[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const f of files)
    for (const [i, d] of readDocs(f, "params-invalid").entries()) {
      if (!isParam(d)) throw new AdmissionError("params-invalid", `${f}#${i}: ${PARAM_SHAPE}`);
      out.push(d);
    }
  return out;
}

const PARAM_SHAPE = "a param must be an object with apiVersion and kind";
const isParam = (d: unknown): d is Record<string, unknown> =>
  isRecord(d) && typeof d.kind === "string" && typeof d.apiVersion === "string";

/** A problem of a lenient load: the file, and the message naming the document (and policy) in it. */
export interface LoadProblem {
  file: string;
  message: string;
  code: "policy-invalid" | "params-invalid" | "params-missing";
}

/**
 * Reads policy and param files as a scan does: a file that cannot be read or parsed, and a document
 * with problems, is left out with a LoadProblem; every other policy, binding and param is kept.
 */
export async function loadPoliciesKeepingGood(
  files: readonly string[],
  paramFiles: readonly string[],
): Promise<{ loaded: LoadedPolicies; params: Record<string, unknown>[]; problems: LoadProblem[] }> {
  const problems: LoadProblem[] = [];
  const fileOf = (where: string) => where.slice(0, where.lastIndexOf("#"));
  const docs: Array<{ doc: unknown; where: string }> = [];
  for (const f of files) {
    try {
      for (const [i, doc] of readDocs(f, "policy-invalid").entries()) docs.push({ doc, where: `${f}#${i}` });
    } catch (err) {
      problems.push({ file: f, message: (err as Error).message, code: "policy-invalid" });
    }
  }
  const { loaded, rejected } = parsePolicyDocsKeepingGood(docs);
  for (const r of rejected)
    problems.push({
      file: fileOf(r.where),
      message: `${r.problems.join("; ")}; ${r.name !== undefined ? `${r.name} ` : ""}not evaluated`,
      code: "policy-invalid",
    });
  const params: Record<string, unknown>[] = [];
  for (const f of paramFiles) {
    try {
      for (const [i, d] of readDocs(f, "params-invalid").entries()) {
        if (isParam(d)) params.push(d);
        else
          problems.push({ file: f, message: `${f}#${i}: ${PARAM_SHAPE}; left out`, code: "params-invalid" });
      }
    } catch (err) {
      problems.push({ file: f, message: (err as Error).message, code: "params-invalid" });
    }
  }
  for (const b of loaded.bindings) {
    const missing = missingParam(b, loaded.policies, params);
    if (missing)
      problems.push({
        file: fileOf(b.source),
        message: `${b.source} (${b.name}): paramRef names ${missing}, which no params file holds; parameterNotFoundAction ${b.paramRef!.parameterNotFoundAction} applies to every object the binding matches`,
        code: "params-missing",
      });
  }
  return { loaded, params, problems };
}

/** What a binding's paramRef names when no loaded param can ever answer it (a name, or a kind for a selector). */
function missingParam(
  b: Binding,
  policies: readonly Policy[],
  params: readonly Record<string, unknown>[],
): string | undefined {
  const kind = policies.find((p) => p.name === b.policyName)?.paramKind;
  const ref = b.paramRef;
  if (!kind || !ref) return undefined;
  const candidates = params.filter((p) => p.apiVersion === kind.apiVersion && p.kind === kind.kind);
  const meta = (p: Record<string, unknown>) => (isRecord(p.metadata) ? p.metadata : {});
  if (ref.name === undefined) return candidates.length === 0 ? `${kind.kind} objects` : undefined;
  const found = candidates.some(
    (p) =>
      meta(p).name === ref.name &&
      (ref.namespace === undefined || (meta(p).namespace ?? "") === ref.namespace),
  );
  return found ? undefined : `${kind.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}
