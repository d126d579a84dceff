import type { ScanContext, Violation } from "../../../core/check.js";
import { isRecord, type K8sObject } from "../../../core/object.js";
import { type ContainerView, containersOf, type PodView, podOf } from "../../../core/podspec.js";
import { deepestExisting, namespaceOf, recordList } from "./k8s.js";
import { scanIndex } from "./scan-index.js";

export const RESOURCES = ["cpu", "memory"] as const;
export type ResourceName = (typeof RESOURCES)[number];

/** Container defaults that LimitRange objects in a namespace inject at admission. */
export interface NamespaceDefaults {
  limits: Set<string>;
  requests: Set<string>;
  /** Names of the LimitRanges that contributed, for messages. */
  from: string[];
}

/**
 * Collects LimitRange "Container" defaults of the namespace, after the API server's own defaulting
 * of LimitRange items: default falls back to max; defaultRequest falls back to default, then min.
 */
export function namespaceDefaults(ctx: ScanContext, namespace: string): NamespaceDefaults {
  const out: NamespaceDefaults = { limits: new Set(), requests: new Set(), from: [] };
  for (const lr of scanIndex(ctx).limitRanges.get(namespace) ?? []) {
    const spec = lr.raw.spec;
    if (!isRecord(spec)) continue;
    for (const { item } of recordList(spec.limits)) {
      if (item.type !== "Container") continue;
      const keys = (v: unknown) => (isRecord(v) ? Object.keys(v) : []);
      const def = new Set([...keys(item.default), ...keys(item.max)]);
      const defReq = new Set([...keys(item.defaultRequest), ...def, ...keys(item.min)]);
      for (const k of def) out.limits.add(k);
      for (const k of defReq) out.requests.add(k);
      if (def.size + defReq.size > 0 && typeof lr.metadata.name === "string") out.from.push(lr.metadata.name);
    }
  }
  return out;
}

function keysOf(v: unknown): Set<string> {
  return new Set(isRecord(v) ? Object.keys(v) : []);
}

/** Containers that can carry resources (ephemeral containers cannot). */
export function resourceContainers(containers: ContainerView[]): ContainerView[] {
  return containers.filter((c) => c.type !== "ephemeralContainers");
}

/**
 * Resources with no effective limit (or request) once Kubernetes' defaulting applies: a request
 * defaults to the container's own limit, then LimitRange defaults fill what is still missing.
 * Pod-level resources (spec.resources) bound the whole pod and count for every container.
 */
export function missingResources(
  c: ContainerView,
  pod: PodView,
  defaults: NamespaceDefaults,
  which: "limits" | "requests",
): ResourceName[] {
  const res = isRecord(c.container.resources) ? c.container.resources : {};
  const limits = keysOf(res.limits);
  const requests = keysOf(res.requests);
  const podRes = isRecord(pod.spec.resources) ? pod.spec.resources : {};
  const podLimits = keysOf(podRes.limits);
  const podRequests = keysOf(podRes.requests);
  return RESOURCES.filter((r) => {
    if (which === "limits") return !(limits.has(r) || podLimits.has(r) || defaults.limits.has(r));
    return !(
      requests.has(r) ||
      limits.has(r) ||
      podRequests.has(r) ||
      podLimits.has(r) ||
      defaults.requests.has(r)
    );
  });
}

/**
 * One violation per container that lacks CPU or memory `requests` or `limits` once the namespace's
 * LimitRange defaults (from the scanned set) apply. A missing memory limit is the graver one.
 */
export function missingResourceViolations(
  obj: K8sObject,
  ctx: ScanContext,
  kind: "requests" | "limits",
): Violation[] {
  const pod = podOf(obj);
  if (!pod) return [];
  const defaults = namespaceDefaults(ctx, namespaceOf(obj));
  const out: Violation[] = [];
  for (const c of resourceContainers(containersOf(pod))) {
    const missing = missingResources(c, pod, defaults, kind);
    if (missing.length === 0) continue;
    const v: Violation = {
      message: `container "${c.name}" has no ${missing.map((r) => `resources.${kind}.${r}`).join(" or ")}`,
      path: deepestExisting(obj.raw, [...c.path, "resources", kind]),
      container: c.name,
    };
    if (kind === "limits") v.severity = missing.includes("memory") ? "medium" : "low";
    out.push(v);
  }
  return out;
}
