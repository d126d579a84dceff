// `scan cluster`: the objects of a live cluster through the API server -> the same checks,
// exceptions and reports as `scan manifests`. One engine, many gates: only the source differs.
import type { CheckOptions } from "../core/check.js";
import { expiredAsErrors, readIgnoreRules } from "../core/exceptions.js";
import { type KubeApi, KubeApiError, type ListOptions, listAll } from "../core/kube-api.js";
import type { Finding, Report, ScanError } from "../core/model.js";
import { isRecord, type K8sObject, objectFromData } from "../core/object.js";
import { POD_KINDS } from "../core/podspec.js";
import { buildReport } from "../core/report.js";
import type { ClusterImageOptions } from "./cluster-images.js";
import {
  CLUSTER_RESOURCES,
  type ClusterResource,
  collectionPath,
  resourceName,
} from "./cluster-resources.js";
import { checkReportParts, type ManifestScanOptions, runManifestChecks } from "./scan.js";

export interface ClusterScanOptions extends Omit<ManifestScanOptions, "load" | "pssPolicyOf"> {
  /** Only this namespace (kubectl -n); cluster-scoped kinds are then not listed. Default: all namespaces. */
  namespace?: string;
  /** Namespaces left out of the scan (their objects and the Namespace objects themselves). */
  excludeNamespaces?: readonly string[];
  /** Evaluate each namespace's pods at its pod-security.kubernetes.io/enforce label, as Pod Security Admission does. */
  namespacePss?: boolean;
  /** Page size, answer size limit and timeout of each request. */
  request?: ListOptions;
  /** Called as each resource type is listed (for a progress bar). */
  onProgress?: (done: number, total: number, resource: string) => void;
  /** --images: also report the vulnerabilities of the workloads' images. */
  images?: ClusterImageOptions;
}

/** The cluster cannot be scanned at all (unreachable, credentials refused, nothing listable): exit 2. */
export class ClusterUnavailableError extends Error {}

/** Stable codes of the `errors` entries for a resource type that could not be listed. */
function errorCode(err: KubeApiError): string {
  if (err.code === "http") {
    if (err.status === 403) return "forbidden";
    if (err.status === 404) return "not-found";
    if (err.status === 401) return "unauthorized";
    return "http-error";
  }
  if (err.code === "too-large") return "response-too-large";
  if (err.code === "bad-json" || err.code === "bad-shape") return "bad-response";
  return err.code; // unreachable, timeout, credentials
}

interface Listed {
  resource: ClusterResource;
  items: Record<string, unknown>[];
}

export async function scanCluster(api: KubeApi, opts: ClusterScanOptions): Promise<Report> {
  const clock = opts.now ?? (() => new Date());
  const startedAt = clock();
  const request = opts.request ?? {};
  const serverVersion = await preflight(api, request);
  const errors: ScanError[] = [];
  const notInstalled: string[] = [];

  const planned = await plan(api, opts, request, errors, notInstalled);
  const listed: Listed[] = [];
  let done = 0;
  let failures = 0;
  for (const { resource, path } of planned) {
    opts.onProgress?.(done, planned.length, resourceName(resource));
    try {
      const items =
        resource.kind === "Namespace" && opts.namespace !== undefined
          ? [{ apiVersion: "v1", kind: "Namespace", ...(await api.getJson(path, request)) }]
          : (await listAll(api, path, request)).items;
      listed.push({ resource, items });
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      if (resource.kind === "Namespace" && opts.namespace !== undefined && err.status === 404)
        throw new ClusterUnavailableError(`namespace "${opts.namespace}" does not exist on ${api.server}`);
      failures++;
      errors.push({
        code: errorCode(err),
        message: `cannot list ${resourceName(resource)} (GET ${err.path}): ${err.message}; not scanned`,
      });
    }
    done++;
  }
  opts.onProgress?.(done, planned.length, "");
  if (planned.length > 0 && failures === planned.length) {
    throw new ClusterUnavailableError(
      `no resource type could be listed on ${api.server}: ${errors[errors.length - 1]?.message ?? ""}`,
    );
  }

  const excluded = new Set(opts.excludeNamespaces ?? []);
  const all: Record<string, unknown>[] = [];
  for (const l of listed) {
    for (const item of l.items) {
      const meta = isRecord(item.metadata) ? item.metadata : {};
      const ns = l.resource.kind === "Namespace" ? meta.name : meta.namespace;
      if (typeof ns === "string" && excluded.has(ns)) continue;
      all.push(item);
    }
  }
  const { kept, owned } = dropControllerOwned(all);
  const objects = kept.map((item, index) => objectFromData(item, "", index));

  const ignoreRules = readIgnoreRules(opts.ignoreFiles ?? [], errors);
  const pssPolicyOf = opts.namespacePss ? await namespacePolicies(objects, opts, errors) : undefined;
  const images = opts.images ? await workloadImages(objects, opts.images) : undefined;
  if (images) errors.push(...images.errors);
  // Image vulnerabilities go through the same exceptions (ignore files, annotations) as the checks.
  const policyFindings =
    images && images.findings.length > 0
      ? (objs: readonly K8sObject[]) => [...(opts.policyFindings?.(objs) ?? []), ...images.findings]
      : opts.policyFindings;
  const { findings, expired } = runManifestChecks(
    objects,
    { ...opts, ...(pssPolicyOf ? { pssPolicyOf } : {}), ...(policyFindings ? { policyFindings } : {}) },
    ignoreRules,
    startedAt,
  );
  errors.push(...expiredAsErrors(expired));

  const extra: Record<string, unknown> = {
    cluster: {
      context: api.context,
      server: api.server,
      ...(serverVersion ? { version: serverVersion } : {}),
      objects: countByKind(objects.map((o) => o.kind)),
      ...(Object.keys(owned).length > 0 ? { skippedOwned: owned } : {}),
      ...(notInstalled.length > 0 ? { notInstalled } : {}),
      ...(images ? { images: images.images } : {}),
    },
  };
  const { options, compliance } = checkReportParts(opts, findings);
  if (compliance) extra.compliance = compliance;
  return buildReport({
    type: "cluster",
    target: api.context,
    startedAt,
    finishedAt: clock(),
    options: {
      ...options,
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      ...(excluded.size > 0 ? { excludeNamespaces: [...excluded].sort() } : {}),
      ...(opts.namespacePss ? { namespacePss: true } : {}),
      ...(opts.images
        ? {
            images: true,
            platform: opts.images.platform ?? "linux/amd64",
            ignoreUnfixed: !!opts.images.vulns.ignoreUnfixed,
            ...(opts.images.vulns.vexFiles?.length ? { vex: opts.images.vulns.vexFiles } : {}),
          }
        : {}),
    },
    findings: findings.map(withoutLocation),
    errors,
    extra,
  });
}

/** Loaded only with --images: the image and vulnerability layers are large. */
async function workloadImages(objects: readonly K8sObject[], opts: ClusterImageOptions) {
  const { scanWorkloadImages } = await import("./cluster-images.js");
  return scanWorkloadImages(objects, opts);
}

/** A cluster object has no file: its findings name the resource only. */
function withoutLocation(f: Finding): Finding {
  if (!f.location) return f;
  const { location: _, ...rest } = f;
  return rest;
}

/**
 * GET /version: the server's Kubernetes version, and the first sign of a server that cannot be
 * scanned at all (unreachable, credentials refused, not an API server). 403/404 are tolerated.
 */
async function preflight(api: KubeApi, request: ListOptions): Promise<string | undefined> {
  try {
    const v = await api.getJson("/version", request);
    return typeof v.gitVersion === "string" ? v.gitVersion : undefined;
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    if (err.code === "http" && err.status === 401)
      throw new ClusterUnavailableError(
        `${api.server} refused the credentials of context "${api.context}" (${err.message})`,
      );
    if (err.code === "http" && (err.status === 403 || err.status === 404)) return undefined;
    if (err.code === "bad-json" || err.code === "bad-shape" || err.code === "http")
      throw new ClusterUnavailableError(
        `${api.server} does not answer like a Kubernetes API server: GET /version: ${err.message}`,
      );
    throw new ClusterUnavailableError(err.message);
  }
}

/** The collections to read, in table order; optional groups are looked up first and skipped when absent. */
async function plan(
  api: KubeApi,
  opts: ClusterScanOptions,
  request: ListOptions,
  errors: ScanError[],
  notInstalled: string[],
): Promise<Array<{ resource: ClusterResource; path: string }>> {
  const out: Array<{ resource: ClusterResource; path: string }> = [];
  for (const resource of CLUSTER_RESOURCES) {
    const ns = opts.namespace;
    if (ns !== undefined && !resource.namespaced) {
      // In one namespace, cluster-scoped kinds are out of scope, except that namespace's own object.
      if (resource.kind === "Namespace")
        out.push({ resource, path: `/api/v1/namespaces/${encodeURIComponent(ns)}` });
      continue;
    }
    let version = resource.version;
    if (version === undefined) {
      try {
        const group = await api.getJson(`/apis/${resource.group}`, request);
        const preferred = isRecord(group.preferredVersion) ? group.preferredVersion.version : undefined;
        if (typeof preferred !== "string")
          throw new KubeApiError(
            "the APIGroup answer names no preferredVersion",
            "bad-shape",
            `/apis/${resource.group}`,
          );
        version = preferred;
      } catch (err) {
        if (!(err instanceof KubeApiError)) throw err;
        if (err.status === 404) notInstalled.push(resourceName(resource));
        else
          errors.push({
            code: errorCode(err),
            message: `cannot discover API group ${resource.group} (GET ${err.path}): ${err.message}; ${resourceName(resource)} not scanned`,
          });
        continue;
      }
    }
    out.push({ resource, path: collectionPath(resource, version, ns) });
  }
  return out;
}

/**
 * Leaves out objects whose controller (ownerReferences[controller=true], matched by uid) was
 * listed too: a Deployment's ReplicaSets and Pods, a CronJob's Jobs. Each workload is then
 * reported once, on the object a user writes. Returns the counts left out per kind.
 */
function dropControllerOwned(items: Record<string, unknown>[]): {
  kept: Record<string, unknown>[];
  owned: Record<string, number>;
} {
  const uids = new Set<string>();
  for (const item of items) {
    const meta = item.metadata;
    if (isRecord(meta) && typeof meta.uid === "string" && meta.uid !== "") uids.add(meta.uid);
  }
  const kept: Record<string, unknown>[] = [];
  const owned: string[] = [];
  for (const item of items) {
    const owner = controllerUid(item);
    if (owner !== undefined && uids.has(owner)) owned.push(String(item.kind));
    else kept.push(item);
  }
  return { kept, owned: countByKind(owned) };
}

function controllerUid(item: Record<string, unknown>): string | undefined {
  const refs = isRecord(item.metadata) ? item.metadata.ownerReferences : undefined;
  if (!Array.isArray(refs)) return undefined;
  for (const r of refs) {
    if (isRecord(r) && r.controller === true && typeof r.uid === "string") return r.uid;
  }
  return undefined;
}

function countByKind(kinds: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...kinds].sort()) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/**
 * --namespace-pss: each pod-running object at its namespace's enforce level and version, read the
 * way Pod Security Admission reads them (a bad level means restricted, a bad version latest; each
 * bad label is reported). Namespaces without labels, or not listed, use --pss-level/--pss-version.
 */
async function namespacePolicies(
  objects: readonly K8sObject[],
  opts: ClusterScanOptions,
  errors: ScanError[],
): Promise<(obj: K8sObject) => CheckOptions | undefined> {
  const { policyToEvaluate, engineVersion } = await import("../admission/psa.js");
  const defaultsAt = { level: opts.pssLevel, version: opts.pssVersion };
  const defaults = { enforce: defaultsAt, warn: defaultsAt, audit: defaultsAt };
  const byNamespace = new Map<string, CheckOptions | undefined>();
  for (const ns of objects) {
    if (ns.kind !== "Namespace" || typeof ns.metadata.name !== "string") continue;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(ns.metadata.labels ?? {})) if (typeof v === "string") labels[k] = v;
    const { policy, errors: bad } = policyToEvaluate(labels, defaults);
    for (const e of bad) {
      if (!e.startsWith("metadata.labels[pod-security.kubernetes.io/enforce")) continue;
      errors.push({
        code: "invalid-pss-label",
        message: `namespace "${ns.metadata.name}": ${e}; evaluated at ${policy.enforce.level}:${policy.enforce.version} as Pod Security Admission does`,
      });
    }
    const { level, version } = policy.enforce;
    byNamespace.set(
      ns.metadata.name,
      level === "privileged" ? undefined : { pssLevel: level, pssVersion: engineVersion(version) },
    );
  }
  const fallback: CheckOptions = { pssLevel: opts.pssLevel, pssVersion: opts.pssVersion };
  const podKinds = new Set(POD_KINDS);
  return (obj) => {
    if (!podKinds.has(obj.kind)) return undefined;
    const ns = typeof obj.metadata.namespace === "string" ? obj.metadata.namespace : "default";
    return byNamespace.has(ns) ? byNamespace.get(ns) : fallback;
  };
}
