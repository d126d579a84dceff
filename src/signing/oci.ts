// Cosign's storage in a registry: signatures and attestations are images tagged
// "sha256-<hex>.sig" / ".att" in the image's repository; each layer is one payload (simple-signing
// JSON or a DSSE envelope) with the signature and certificate material in layer annotations.
import { SigningError } from "./errors.js";
import { type Descriptor, OCI_MANIFEST, type Repo, sha256Digest } from "./registry-push.js";

export const SIMPLE_SIGNING_MT = "application/vnd.dev.cosign.simplesigning.v1+json";
export const DSSE_MT = "application/vnd.dsse.envelope.v1+json";
export const OCI_CONFIG_MT = "application/vnd.oci.image.config.v1+json";
export const SIG_ANNOTATION = "dev.cosignproject.cosign/signature";
export const CERT_ANNOTATION = "dev.sigstore.cosign/certificate";
export const CHAIN_ANNOTATION = "dev.sigstore.cosign/chain";
export const BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";
export const PREDICATE_TYPE_ANNOTATION = "predicateType";

export type Suffix = "sig" | "att";

/** "sha256:abc…" → "sha256-abc….sig" (cosign's triangulation). */
export function cosignTag(digest: string, suffix: Suffix): string {
  return `${digest.replace(":", "-")}.${suffix}`;
}

export interface StoredLayer {
  mediaType: string;
  payload: Buffer;
  annotations: Record<string, string>;
}

/** Reads the layer descriptors of a signature/attestation manifest, rejecting malformed ones with a reason. */
export function parseCosignManifest(buf: Buffer, what: string): Descriptor[] {
  let doc: { layers?: unknown };
  try {
    doc = JSON.parse(buf.toString("utf8")) as { layers?: unknown };
  } catch {
    throw new SigningError("bad-signature-manifest", "manifest is not JSON", what);
  }
  if (!doc || typeof doc !== "object" || !Array.isArray(doc.layers))
    throw new SigningError("bad-signature-manifest", "manifest has no layers array", what);
  return doc.layers.map((l, i) => {
    const d = l as Descriptor;
    if (!d || typeof d.digest !== "string" || !/^sha256:[a-f0-9]{64}$/.test(d.digest))
      throw new SigningError("bad-signature-manifest", `layer ${i} has no valid sha256 digest`, what);
    if (typeof d.mediaType !== "string")
      throw new SigningError("bad-signature-manifest", `layer ${i} has no mediaType`, what);
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.annotations ?? {})) if (typeof v === "string") annotations[k] = v;
    return { mediaType: d.mediaType, digest: d.digest, size: Number(d.size) || 0, annotations };
  });
}

/** The config blob cosign's signature images carry (go-containerregistry's empty image plus layers). */
function configFor(layers: Descriptor[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: "",
      created: "0001-01-01T00:00:00Z",
      history: layers.map(() => ({ created: "0001-01-01T00:00:00Z" })),
      os: "",
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
}

/**
 * Appends layers to the image at the cosign tag (creating it if absent) and pushes blobs and manifest.
 * A layer with the same payload digest and the same annotations as an existing one is not added twice.
 */
export async function appendCosignLayers(
  repo: Repo,
  digest: string,
  suffix: Suffix,
  add: StoredLayer[],
): Promise<{ tag: string; manifestDigest: string; layers: number }> {
  const tag = cosignTag(digest, suffix);
  const existing = await repo.manifest(tag);
  const layers = existing ? parseCosignManifest(existing.buf, `${repo.what}:${tag}`) : [];
  for (const l of add) {
    const desc = await repo.pushBlob(l.payload, l.mediaType);
    const dup = layers.some(
      (x) =>
        x.digest === desc.digest && JSON.stringify(x.annotations ?? {}) === JSON.stringify(l.annotations),
    );
    if (!dup) layers.push({ ...desc, annotations: l.annotations });
  }
  const config = configFor(layers);
  const configDesc = await repo.pushBlob(config, OCI_CONFIG_MT);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: configDesc.mediaType, size: configDesc.size, digest: configDesc.digest },
      layers: layers.map((l) => ({
        mediaType: l.mediaType,
        size: l.size,
        digest: l.digest,
        annotations: l.annotations,
      })),
    }),
  );
  await repo.putManifest(tag, manifest, OCI_MANIFEST);
  return { tag, manifestDigest: sha256Digest(manifest), layers: layers.length };
}

/** Layer blobs fetched at once: enough to hide round trips, few enough to spare the registry. */
const LAYER_FETCHES = 4;

/**
 * Fetches the layers at a cosign tag, in manifest order; undefined when there is no such tag.
 * Layers are fetched LAYER_FETCHES at a time; when some fail, the error of the first failing layer
 * is thrown, as a one-by-one fetch would. With `signal`, no layer is fetched after it fires (the
 * repository's own requests stop through its registry options).
 */
export async function readCosignLayers(
  repo: Repo,
  digest: string,
  suffix: Suffix,
  signal?: AbortSignal,
): Promise<{ tag: string; layers: Array<StoredLayer & { digest: string }> } | undefined> {
  const tag = cosignTag(digest, suffix);
  const m = await repo.manifest(tag);
  if (!m) return undefined;
  const descs = parseCosignManifest(m.buf, `${repo.what}:${tag}`).slice(0, 1000);
  const layers = await mapInOrder(descs, LAYER_FETCHES, signal, async (d) => ({
    mediaType: d.mediaType,
    payload: await repo.blob(d.digest, 4 << 20),
    annotations: d.annotations ?? {},
    digest: d.digest,
  }));
  return { tag, layers };
}

/**
 * Maps items with at most `limit` calls running, results in input order. After a failure no new
 * item starts; once the running ones settle, the failure of the lowest index is thrown.
 */
async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const failures = new Map<number, unknown>();
  let next = 0;
  const worker = async () => {
    while (next < items.length && failures.size === 0) {
      const i = next++;
      try {
        signal?.throwIfAborted();
        results[i] = await fn(items[i]!);
      } catch (err) {
        failures.set(i, err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.size > 0) throw failures.get(Math.min(...failures.keys()));
  return results;
}
