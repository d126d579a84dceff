// The ImageVulnerabilityScanner the admission commands give vulnerability rules: the image layer's
// inventory (src/images) matched against the vulnerability database (src/vulns), like `scan image`.
// Results are cached by digest (and by reference for 10 minutes); concurrent scans of one image share
// one run, and a scan that outlives its caller's time box still fills the cache for the next request.
import type { ImageVulnerabilityScanner } from "../core/image-gates.js";
import type { Finding, ScanError } from "../core/model.js";

export interface VulnScannerOptions {
  dbPath: string;
  ignoreUnfixed?: boolean;
  platform?: string;
  ttlMs?: number;
  now?: () => number;
}

type Result = { digest: string; findings: Finding[] };

export function createImageVulnerabilityScanner(opts: VulnScannerOptions): ImageVulnerabilityScanner {
  const ttl = opts.ttlMs ?? 600_000;
  const now = opts.now ?? (() => Date.now());
  const byDigest = new Map<string, Result>();
  const byRef = new Map<string, { at: number; result: Result }>();
  const inflight = new Map<string, Promise<Result>>();

  const run = async (image: string): Promise<Result> => {
    const { inventoryAny } = await import("../images/index.js");
    const { addVulnerabilityFindings } = await import("../vulns/index.js");
    // Only registry images: a pod's image string must never name a path on the webhook's host.
    const inv = await inventoryAny(`docker://${image}`, opts.platform ? { platform: opts.platform } : {});
    const into: { findings: Finding[]; errors: ScanError[] } = { findings: [], errors: [] };
    addVulnerabilityFindings(into, inv.packages, inv.os, {
      dbPath: opts.dbPath,
      ignoreUnfixed: !!opts.ignoreUnfixed,
    });
    const result = { digest: inv.image.digest ?? image, findings: into.findings };
    if (byDigest.size > 2048) byDigest.clear();
    if (byRef.size > 2048) byRef.clear();
    byDigest.set(result.digest, result);
    byRef.set(image, { at: now(), result });
    return result;
  };

  return {
    scan(image) {
      const at = image.indexOf("@");
      const pinned = at >= 0 ? byDigest.get(image.slice(at + 1)) : undefined;
      if (pinned) return Promise.resolve(pinned);
      const recent = byRef.get(image);
      if (recent && now() - recent.at < ttl) return Promise.resolve(recent.result);
      let p = inflight.get(image);
      if (!p) {
        p = run(image).finally(() => inflight.delete(image));
        inflight.set(image, p);
      }
      return p;
    },
  };
}
