import type { ScanContext } from "../../../core/check.js";
import type { K8sObject } from "../../../core/object.js";
import { namespaceOf } from "./k8s.js";

/**
 * Lookups over the scanned objects that object checks need (ServiceAccounts, LimitRanges), built
 * once per scan instead of once per workload. Keyed on the (read-only) objects array of the context.
 */
export interface ScanIndex {
  serviceAccounts: Map<string, K8sObject>;
  limitRanges: Map<string, K8sObject[]>;
}

const cache = new WeakMap<readonly K8sObject[], ScanIndex>();

export function scanIndex(ctx: ScanContext): ScanIndex {
  let idx = cache.get(ctx.objects);
  if (idx) return idx;
  idx = { serviceAccounts: new Map(), limitRanges: new Map() };
  for (const o of ctx.objects) {
    const ns = namespaceOf(o);
    if (o.kind === "ServiceAccount" && typeof o.metadata.name === "string") {
      const key = `${ns}/${o.metadata.name}`;
      if (!idx.serviceAccounts.has(key)) idx.serviceAccounts.set(key, o);
    } else if (o.kind === "LimitRange") {
      const list = idx.limitRanges.get(ns) ?? [];
      list.push(o);
      idx.limitRanges.set(ns, list);
    }
  }
  cache.set(ctx.objects, idx);
  return idx;
}
