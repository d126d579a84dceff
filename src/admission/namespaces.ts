// Live namespace labels and pods from the Kubernetes API (core/kube-api), labels cached briefly. Used by
// the server when started with --kube; offline review and tests use the config's `namespaces`.
import { KubeApi, KubeApiError, listAll } from "../core/kube-api.js";
import { isRecord } from "../core/object.js";

export type NamespaceLabelSource = (namespace: string) => Promise<Record<string, string> | undefined>;

/** Wraps a lookup with a TTL cache (clock injected). Failed lookups are not cached. */
export function cachedLabels(
  lookup: NamespaceLabelSource,
  ttlMs: number,
  now: () => number,
): NamespaceLabelSource {
  const cache = new Map<string, { at: number; labels: Record<string, string> | undefined }>();
  return async (ns) => {
    const hit = cache.get(ns);
    if (hit && now() - hit.at < ttlMs) return hit.labels;
    const labels = await lookup(ns);
    if (cache.size > 10_000) cache.clear();
    cache.set(ns, { at: now(), labels });
    return labels;
  };
}

/** Reads Namespace labels through the API server (in-cluster config or the current kubeconfig). */
export async function kubeNamespaceLabels(): Promise<NamespaceLabelSource> {
  const api = await KubeApi.connect();
  return async (name) => {
    let ns: Record<string, unknown>;
    try {
      ns = await api.getJson(`/api/v1/namespaces/${encodeURIComponent(name)}`);
    } catch (err) {
      if (err instanceof KubeApiError && err.code === "http" && err.status === 404) return undefined;
      throw err;
    }
    const labels = isRecord(ns.metadata) ? ns.metadata.labels : undefined;
    if (labels === undefined) return {};
    if (!isRecord(labels) || !Object.values(labels).every((v) => typeof v === "string"))
      throw new Error(`namespace ${JSON.stringify(name)}: metadata.labels is not a map of strings`);
    return { ...(labels as Record<string, string>) };
  };
}

/** Lists a namespace's pods as the API serves them (plain JSON, every field kept). */
export type NamespacePodSource = (namespace: string, signal: AbortSignal) => Promise<readonly unknown[]>;

/** Lists pods through the API server (in-cluster config or the current kubeconfig), for the namespace dry run. */
export async function kubeNamespacePods(): Promise<NamespacePodSource> {
  const api = await KubeApi.connect();
  return async (namespace, signal) =>
    (await listAll(api, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { signal })).items;
}
