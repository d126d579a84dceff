import type { ScanContext, Violation } from "../../../core/check.js";
import type { FieldPath } from "../../../core/model.js";
import { isRecord, type K8sObject } from "../../../core/object.js";
import { podOf } from "../../../core/podspec.js";
import { deepestExisting, namespaceOf, stringList } from "./k8s.js";
import { labelsOf, matchSelector } from "./selector.js";

export type Direction = "Ingress" | "Egress";

/** A NetworkPolicy with Kubernetes' defaulting applied. */
export interface Policy {
  obj: K8sObject;
  name: string;
  namespace: string;
  podSelector: unknown;
  types: Set<Direction>;
  ingressRules: number;
  egressRules: number;
  /** True when the podSelector selects every pod of the namespace. */
  selectsAll: boolean;
}

/** A pod-running object and the labels its pods get. */
export interface Workload {
  obj: K8sObject;
  namespace: string;
  labels: Record<string, string>;
  /** Pod template labels (or the nearest existing parent), for the finding's line. */
  labelsPath: FieldPath;
}

export function isNetworkPolicy(obj: K8sObject): boolean {
  return (
    obj.kind === "NetworkPolicy" &&
    (obj.apiVersion.startsWith("networking.k8s.io/") || obj.apiVersion === "extensions/v1beta1")
  );
}

/**
 * policyTypes as the API server defaults them: when the list is empty, Ingress always applies
 * and Egress only if the policy has at least one egress rule.
 */
export function policyTypesOf(spec: Record<string, unknown>): Set<Direction> {
  const explicit = stringList(spec.policyTypes).filter(
    (t): t is Direction => t === "Ingress" || t === "Egress",
  );
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) return new Set(explicit);
  const types = new Set<Direction>(["Ingress"]);
  if (Array.isArray(spec.egress) && spec.egress.length > 0) types.add("Egress");
  return types;
}

export function policiesOf(ctx: ScanContext): Policy[] {
  const out: Policy[] = [];
  for (const obj of ctx.objects) {
    if (!isNetworkPolicy(obj)) continue;
    const spec = isRecord(obj.raw.spec) ? obj.raw.spec : {};
    const sel = spec.podSelector;
    const selectsAll =
      sel === undefined ||
      sel === null ||
      (isRecord(sel) &&
        (!isRecord(sel.matchLabels) || Object.keys(sel.matchLabels).length === 0) &&
        (!Array.isArray(sel.matchExpressions) || sel.matchExpressions.length === 0));
    out.push({
      obj,
      name: typeof obj.metadata.name === "string" ? obj.metadata.name : "<unnamed>",
      namespace: namespaceOf(obj),
      podSelector: sel,
      types: policyTypesOf(spec),
      ingressRules: Array.isArray(spec.ingress) ? spec.ingress.length : 0,
      egressRules: Array.isArray(spec.egress) ? spec.egress.length : 0,
      selectsAll,
    });
  }
  return out;
}

/** "Kind/namespace/name" of the object's controller (ownerReferences with controller: true). */
function controllerOf(obj: K8sObject): string | undefined {
  const refs = obj.metadata.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs) {
    if (isRecord(r) && r.controller === true && typeof r.kind === "string" && typeof r.name === "string") {
      return `${r.kind}/${namespaceOf(obj)}/${r.name}`;
    }
  }
  return undefined;
}

/**
 * Objects that run pods (PodTemplate only describes pods and runs none). In a cluster scan a
 * Deployment, its ReplicaSets and their Pods are all present; objects whose controller is among the
 * scanned objects are left out so each workload is reported once, at the top.
 */
export function workloadsOf(ctx: ScanContext): Workload[] {
  const present = new Set(ctx.objects.map((o) => `${o.kind}/${namespaceOf(o)}/${String(o.metadata.name)}`));
  const out: Workload[] = [];
  for (const obj of ctx.objects) {
    if (obj.kind === "PodTemplate") continue;
    const owner = controllerOf(obj);
    if (owner !== undefined && present.has(owner)) continue;
    const pod = podOf(obj);
    if (!pod) continue;
    const templatePath = pod.specPath.slice(0, -1);
    out.push({
      obj,
      namespace: namespaceOf(obj),
      labels: labelsOf(pod.metadata.labels),
      labelsPath: deepestExisting(obj.raw, [...templatePath, "metadata", "labels"]),
    });
  }
  return out;
}

export interface Coverage {
  /** Policies that select the workload for this direction. */
  selectedBy: string[];
  /** Policies of the namespace for this direction (whatever they select). */
  inNamespace: number;
  /** Whether the namespace has a default-deny policy for this direction. */
  defaultDeny: boolean;
  /** Policies skipped because their podSelector is invalid. */
  invalid: string[];
}

export function coverage(w: Workload, policies: readonly Policy[], dir: Direction): Coverage {
  const c: Coverage = { selectedBy: [], inNamespace: 0, defaultDeny: false, invalid: [] };
  for (const p of policies) {
    if (p.namespace !== w.namespace || !p.types.has(dir)) continue;
    c.inNamespace++;
    const rules = dir === "Ingress" ? p.ingressRules : p.egressRules;
    if (p.selectsAll && rules === 0) c.defaultDeny = true;
    const r = matchSelector(p.podSelector, w.labels);
    if (!r.ok) c.invalid.push(`${p.name} (${r.error})`);
    else if (r.matches) c.selectedBy.push(p.name);
  }
  return c;
}

export function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? "no labels" : `labels {${entries.map(([k, v]) => `${k}: ${v}`).join(", ")}}`;
}

/**
 * One violation per workload that no NetworkPolicy selects for `dir`, naming the namespace's
 * situation: how many policies it has for that direction and that no default-deny exists (had one
 * existed, it would have selected the workload).
 */
export function uncoveredWorkloads(ctx: ScanContext, dir: Direction): Violation[] {
  const byNamespace = new Map<string, Policy[]>();
  for (const p of policiesOf(ctx)) {
    const list = byNamespace.get(p.namespace) ?? [];
    list.push(p);
    byNamespace.set(p.namespace, list);
  }
  const out: Violation[] = [];
  const word = dir.toLowerCase();
  for (const w of workloadsOf(ctx)) {
    const c = coverage(w, byNamespace.get(w.namespace) ?? [], dir);
    if (c.selectedBy.length > 0) continue;
    const ns = `namespace "${w.namespace}"`;
    const situation =
      c.inNamespace === 0
        ? `${ns} has no NetworkPolicy for ${word} and no default-deny ${word} policy`
        : `${ns} has ${c.inNamespace} ${word} NetworkPolicy(ies) but none selects ${labelText(w.labels)}, and no default-deny ${word} policy`;
    const invalid = c.invalid.length > 0 ? `; ignored for invalid podSelector: ${c.invalid.join(", ")}` : "";
    out.push({
      message: `${w.obj.kind}/${w.obj.metadata.name ?? "<unnamed>"}: ${word} traffic is not restricted: ${situation}${invalid}`,
      path: w.labelsPath,
      object: w.obj,
    });
  }
  return out;
}
