// Live namespace labels from the Kubernetes API (@kubernetes/client-node), cached briefly. Used by
// the server when started with --kube; offline review and tests use the config's `namespaces`.

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
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const api = kc.makeApiClient(k8s.CoreV1Api);
  return async (name) => {
    try {
      const ns = await api.readNamespace({ name });
      return { ...(ns.metadata?.labels ?? {}) };
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  };
}
