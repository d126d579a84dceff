// ValidatingAdmissionPolicies over manifests, for `scan manifests --policy FILE`: each object is
// judged as the API server would judge its CREATE, so CI and the cluster agree.
import type { Finding, Severity } from "../../core/model.js";
import { type K8sObject, resourceRef } from "../../core/object.js";
import type { AdmissionRequest } from "../review.js";
import { applicableBindings, evaluateBinding, type VapSet } from "./evaluate.js";
import type { LoadedPolicies } from "./load.js";

/** Plural resource names the API uses for kinds whose plural is not simply kind + "s". */
const IRREGULAR: Record<string, string> = {
  Ingress: "ingresses",
  NetworkPolicy: "networkpolicies",
  PodSecurityPolicy: "podsecuritypolicies",
  Endpoints: "endpoints",
  PriorityClass: "priorityclasses",
  StorageClass: "storageclasses",
  IngressClass: "ingressclasses",
  RuntimeClass: "runtimeclasses",
  ResourceQuota: "resourcequotas",
};

/** The resource (plural, lower case) of a kind, as the API's REST mapping names it for built-in kinds. */
export function resourceOfKind(kind: string): string {
  if (IRREGULAR[kind]) return IRREGULAR[kind];
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

function requestFor(obj: K8sObject, index: number): AdmissionRequest {
  const slash = obj.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : obj.apiVersion.slice(0, slash);
  const version = slash < 0 ? obj.apiVersion : obj.apiVersion.slice(slash + 1);
  return {
    uid: `manifest-${index}`,
    kind: { group, version, kind: obj.kind },
    resource: { group, version, resource: resourceOfKind(obj.kind) },
    operation: "CREATE",
    userInfo: {},
    object: obj.raw,
    oldObject: null,
    dryRun: true,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    ...(obj.metadata.name ? { name: obj.metadata.name } : {}),
  };
}

const SEVERITY: Record<string, Severity> = { Deny: "high", Warn: "medium", Audit: "low" };

/**
 * Findings for every object a bound policy rejects: checkId `VAP/<policy>`, layer "admission",
 * severity high for Deny bindings, medium for Warn, low for Audit-only, status "fail" (Deny) or
 * "warn". Namespace labels come from Namespace objects among `objects`. Pure: no I/O.
 */
export function vapFindings(
  objects: readonly K8sObject[],
  policies: LoadedPolicies,
  params: readonly Record<string, unknown>[] = [],
): Finding[] {
  const set: VapSet = { ...policies, params: [...params] };
  const namespaces = new Map<string, Record<string, unknown>>();
  for (const o of objects)
    if (o.kind === "Namespace" && o.apiVersion === "v1" && o.metadata.name)
      namespaces.set(o.metadata.name, o.raw);
  const findings: Finding[] = [];
  objects.forEach((obj, i) => {
    if (!obj.kind || !obj.apiVersion) return;
    const request = requestFor(obj, i);
    const ns = obj.metadata.namespace;
    const namespaceObject = ns
      ? (namespaces.get(ns) ?? { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })
      : undefined;
    const attrs = {
      request,
      object: obj.raw,
      oldObject: null,
      ...(namespaceObject ? { namespaceObject } : {}),
    };
    for (const { policy, binding } of applicableBindings(set, attrs)) {
      for (const f of evaluateBinding(policy, binding, set, attrs).failures) {
        const action = f.actions.includes("Deny") ? "Deny" : f.actions.includes("Warn") ? "Warn" : "Audit";
        const line = obj.source.line;
        findings.push({
          checkId: `VAP/${f.policy}`,
          title: `ValidatingAdmissionPolicy ${f.policy}`,
          severity: SEVERITY[action]!,
          status: action === "Deny" ? "fail" : "warn",
          layer: "admission",
          message: `ValidatingAdmissionPolicy '${f.policy}' with binding '${f.binding}' ${action === "Deny" ? "denies" : "flags"} this object: ${f.message}`,
          remediation:
            "Change the object so that the policy's validations hold, or fix the policy or its binding.",
          references: [
            "https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/",
          ],
          resource: resourceRef(obj),
          location: { file: obj.source.file, ...(line !== undefined ? { line } : {}) },
          vap: {
            policy: f.policy,
            binding: f.binding,
            validationActions: f.actions,
            reason: f.reason,
            ...(f.expressionIndex !== undefined ? { expressionIndex: f.expressionIndex } : {}),
            ...(f.error ? { error: true } : {}),
          },
        });
      }
    }
  });
  return findings;
}

export { loadParamFiles, loadPolicyFiles, parsePolicyDocs } from "./load.js";
