// `scan cluster --images`: the vulnerabilities of the images the scanned workloads run, found the way
// `scan image` finds them (the images layer's scanImage with the vulns layer's matcher), each image
// pulled once however many workloads use it, and reported on every workload (and container) using it.
import type { Finding, ScanError } from "../core/model.js";
import { isRecord, type K8sObject, resourceRef } from "../core/object.js";
import { containersOf, podOf } from "../core/podspec.js";
import { ImageError, openImage, parseImageRef, type RegistryOptions, scanImage } from "../images/index.js";
import { addVulnerabilityFindings, type VulnScanOptions } from "../vulns/index.js";

export interface ClusterImageOptions {
  vulns: VulnScanOptions;
  /** os/arch[/variant] picked from multi-platform images; default linux/amd64, as `scan image`. */
  platform?: string;
  /** Credentials come from the docker config (dockerConfigDir or $DOCKER_CONFIG), never from Secrets. */
  registry?: Pick<RegistryOptions, "dockerConfigDir" | "insecure">;
  /** Images resolved and scanned at the same time. Default 3. */
  concurrency?: number;
  /** Time limit of each image (resolving it, then pulling and matching it); 0 for none. Default 5 minutes. */
  timeoutMs?: number;
  onProgress?: (done: number, total: number) => void;
}

/** One container of one workload and the image reference it runs. */
export interface ImageUse {
  workload: K8sObject;
  container: string;
  /** `registry/repository[:tag|@digest]` as pulled: a Pod's running digest when its status names one. */
  image: string;
}

/** One image as the report lists it (`cluster.images`). */
export interface ScannedImage {
  /** The reference pulled: the repository at the resolved digest. */
  image: string;
  digest: string;
  /** The references the workloads name it by. */
  references: string[];
  workloads: number;
  vulnerabilities: number;
}

export const DEFAULT_IMAGE_CONCURRENCY = 3;
export const DEFAULT_IMAGE_TIMEOUT_MS = 5 * 60_000;

const STATUS_LISTS = {
  containers: "containerStatuses",
  initContainers: "initContainerStatuses",
  ephemeralContainers: "ephemeralContainerStatuses",
} as const;

/**
 * The image of every container, init and ephemeral container of the pod-running objects. For a Pod
 * whose status names the digest it runs (`imageID`), that digest: the tag may have moved since.
 */
export function imageUses(objects: readonly K8sObject[]): ImageUse[] {
  const uses: ImageUse[] = [];
  for (const obj of objects) {
    const pod = podOf(obj);
    if (!pod) continue;
    const status = obj.kind === "Pod" && isRecord(obj.raw.status) ? obj.raw.status : undefined;
    for (const c of containersOf(pod)) {
      const spec = typeof c.container.image === "string" ? c.container.image.trim() : "";
      const running = status ? runningDigestRef(status[STATUS_LISTS[c.type]], c.name) : undefined;
      const image = running ?? spec;
      if (image) uses.push({ workload: obj, container: c.name, image });
    }
  }
  return uses;
}

/**
 * `repository@sha256:...` from the container status of NAME. Runtimes write it as
 * `docker-pullable://repo@sha256:...` (dockershim) or `repo@sha256:...` (containerd, CRI-O); a bare
 * `sha256:...` is the local image id, which no registry serves.
 */
function runningDigestRef(statuses: unknown, name: string): string | undefined {
  if (!Array.isArray(statuses)) return undefined;
  const st = statuses.find((s) => isRecord(s) && s.name === name);
  if (!isRecord(st) || typeof st.imageID !== "string") return undefined;
  const id = st.imageID.replace(/^[a-z-]+:\/\//, "");
  return /^[^@\s]+@sha256:[0-9a-f]{64}$/.test(id) ? id : undefined;
}

/** Where a workload's container is, for error messages: `Deployment shop/web container app`. */
function describeUse(u: ImageUse): string {
  const { namespace, name } = u.workload.metadata;
  return `${u.workload.kind} ${namespace ? `${namespace}/` : ""}${String(name ?? "")} container ${u.container}`;
}

function describeUses(uses: readonly ImageUse[]): string {
  return uses.map(describeUse).join(", ");
}

/** Runs `task` on each item with at most `limit` at a time; results in item order. */
async function inPool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

class ImageTimeout extends Error {}

/**
 * Runs `work` with a registry fetch that is aborted after `ms`, so a stalled pull stops downloading,
 * and gives up waiting at the same moment.
 */
async function withTimeLimit<R>(
  ms: number,
  what: string,
  work: (fetchFn: typeof fetch) => Promise<R>,
): Promise<R> {
  if (ms <= 0) return work(globalThis.fetch);
  const ctl = new AbortController();
  const fetchFn: typeof fetch = (input, init) =>
    globalThis.fetch(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, ctl.signal]) : ctl.signal,
    });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl.abort();
      reject(new ImageTimeout(`${what}: not done within ${ms / 1000}s (--image-timeout)`));
    }, ms);
  });
  const running = work(fetchFn);
  running.catch(() => {}); // after the time limit its failure is of no interest
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function failure(err: unknown, image: string, uses: readonly ImageUse[]): ScanError {
  const reason =
    err instanceof ImageError
      ? `[${err.code}] ${err.message}`
      : err instanceof Error
        ? err.message
        : String(err);
  return {
    code: err instanceof ImageTimeout ? "image-timeout" : "image-unavailable",
    message: `image ${image} (used by ${describeUses(uses)}): ${reason}; its vulnerabilities are not reported`,
  };
}

/**
 * Resolves each distinct reference to its manifest digest (tags and running digests of the same
 * image meet there), scans each digest once, and reports its vulnerabilities on every workload
 * container that runs it. An image that cannot be resolved or pulled is one error naming its users.
 */
export async function scanWorkloadImages(
  objects: readonly K8sObject[],
  opts: ClusterImageOptions,
): Promise<{ findings: Finding[]; errors: ScanError[]; images: ScannedImage[] }> {
  const errors: ScanError[] = [];
  const limit = Math.max(1, opts.concurrency ?? DEFAULT_IMAGE_CONCURRENCY);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_IMAGE_TIMEOUT_MS;
  const platform = opts.platform ?? "linux/amd64";
  const registryWith = (fetchFn: typeof fetch): RegistryOptions => ({ ...opts.registry, fetch: fetchFn });

  const byRef = new Map<string, ImageUse[]>();
  for (const u of imageUses(objects)) {
    const list = byRef.get(u.image) ?? [];
    list.push(u);
    byRef.set(u.image, list);
  }
  const refs = [...byRef.keys()].sort();
  let done = 0;
  const total = refs.length;
  opts.onProgress?.(0, total);

  // Always the registry transport: an image field must never make kubeward read a local path.
  const resolved = await inPool(refs, limit, async (ref) => {
    const uses = byRef.get(ref)!;
    try {
      const parsed = parseImageRef(`docker://${ref}`);
      if (parsed.transport !== "docker") throw new ImageError("bad-reference", "not a registry image", ref);
      return await withTimeLimit(timeoutMs, `image ${ref}`, async (fetchFn) => {
        const src = await openImage(`docker://${ref}`, { platform, registry: registryWith(fetchFn) }, parsed);
        await src.close?.();
        const { registry, repository } = parsed.ref;
        return {
          ref,
          digest: src.digest ?? "",
          pinned: `${registry}/${repository}@${src.indexDigest ?? src.digest}`,
        };
      });
    } catch (err) {
      errors.push(failure(err, ref, uses));
      done++;
      opts.onProgress?.(done, total);
      return undefined;
    }
  });

  // One scan per manifest digest; the first reference (in sorted order) names where it is pulled from.
  const byDigest = new Map<string, { pinned: string; refs: string[] }>();
  for (const r of resolved) {
    if (!r) continue;
    const entry = byDigest.get(r.digest) ?? { pinned: r.pinned, refs: [] };
    entry.refs.push(r.ref);
    byDigest.set(r.digest, entry);
  }

  const findings: Finding[] = [];
  const images: ScannedImage[] = [];
  await inPool([...byDigest], limit, async ([digest, { pinned, refs: names }]) => {
    const uses = names.flatMap((n) => byRef.get(n)!);
    try {
      const report = await withTimeLimit(timeoutMs, `image ${pinned}`, (fetchFn) =>
        scanImage(`docker://${pinned}`, {
          platform,
          registry: registryWith(fetchFn),
          vulnerabilities: (into, packages, os) => addVulnerabilityFindings(into, packages, os, opts.vulns),
        }),
      );
      const vulns = report.findings.filter((f) => f.layer === "vulnerability");
      for (const u of uses) {
        for (const f of vulns)
          findings.push({ ...f, resource: resourceRef(u.workload, u.container), image: u.image });
      }
      for (const e of report.errors) errors.push({ ...e, message: `image ${pinned}: ${e.message}` });
      images.push({
        image: pinned,
        digest,
        references: names,
        workloads: new Set(uses.map((u) => u.workload)).size,
        vulnerabilities: vulns.length,
      });
    } catch (err) {
      errors.push(failure(err, pinned, uses));
    }
    done += names.length;
    opts.onProgress?.(done, total);
  });
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  images.sort((a, b) => byText(a.image, b.image));
  // Pulls finish in any order; the report should not.
  errors.sort((a, b) => byText(a.message, b.message));
  return { findings, errors, images };
}
