import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { ImageError } from "../errors.js";
import { type DockerRef, formatDockerRef } from "../ref.js";
import {
  checkLayerType,
  isIndex,
  parseConfig,
  parseJsonDoc,
  parseManifest,
  selectFromIndex,
  sha256,
  verifyDigest,
} from "../sources/manifest.js";
import { type ImageSource, MT, type Platform } from "../types.js";
import { errorBody, RegistryClient, type RegistryOptions, readLimited } from "./client.js";

const MANIFEST_ACCEPT = [MT.ociIndex, MT.ociManifest, MT.dockerList, MT.dockerManifest].join(", ");
const MAX_MANIFEST = 4 << 20;

export async function fetchManifest(
  client: RegistryClient,
  repo: string,
  reference: string,
  what: string,
): Promise<{ buf: Buffer; mediaType: string; digest: string }> {
  const res = await client.request(repo, `/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT } });
  if (res.status === 404) {
    await res.body?.cancel();
    throw new ImageError("not-found", `manifest ${reference} not found`, what);
  }
  if (!res.ok)
    throw new ImageError(
      "registry-error",
      `manifest ${reference}: HTTP ${res.status}${await errorBody(res)}`,
      what,
    );
  const buf = await readLimited(res, MAX_MANIFEST, what);
  const digest = reference.includes(":")
    ? reference
    : (res.headers.get("docker-content-digest") ?? sha256(buf));
  if (reference.includes(":")) verifyDigest(buf, reference, what);
  return { buf, mediaType: (res.headers.get("content-type") ?? "").split(";")[0]!.trim(), digest };
}

export async function fetchBlob(
  client: RegistryClient,
  repo: string,
  digest: string,
  what: string,
): Promise<Response> {
  const res = await client.request(repo, `/blobs/${digest}`);
  if (res.status === 404) {
    await res.body?.cancel();
    throw new ImageError("not-found", `blob ${digest} not found`, what);
  }
  if (!res.ok || !res.body)
    throw new ImageError("registry-error", `blob ${digest}: HTTP ${res.status}${await errorBody(res)}`, what);
  return res;
}

/** Opens an image in a registry: manifest (through an index for the platform), config, and layer streams. */
export async function openRegistryImage(
  ref: DockerRef,
  platform: Platform,
  opts: RegistryOptions,
): Promise<ImageSource> {
  const what = formatDockerRef(ref);
  const client = new RegistryClient(ref.registry, opts);
  const repo = ref.repository;
  let m = await fetchManifest(client, repo, ref.digest ?? ref.tag ?? "latest", what);
  let indexDigest: string | undefined;
  let doc = parseJsonDoc(m.buf, what, "bad-manifest");
  if (isIndex(doc, m.mediaType)) {
    indexDigest = m.digest;
    const d = selectFromIndex(doc, platform, what);
    m = await fetchManifest(client, repo, d.digest, what);
    doc = parseJsonDoc(m.buf, what, "bad-manifest");
  }
  const manifest = parseManifest(
    doc,
    what,
    m.mediaType && m.mediaType !== "application/json" ? m.mediaType : undefined,
  );
  for (const l of manifest.layers) checkLayerType(l, what);
  const cres = await fetchBlob(client, repo, manifest.config.digest, what);
  const cbuf = await readLimited(cres, 16 << 20, what);
  verifyDigest(cbuf, manifest.config.digest, `${what} config`);
  const config = parseConfig(cbuf, `${what} config`);
  return {
    ref: what,
    transport: "docker",
    digest: m.digest,
    ...(indexDigest ? { indexDigest } : {}),
    repoTags: ref.tag ? [`${ref.registry}/${ref.repository}:${ref.tag}`] : [],
    config,
    configDigest: manifest.config.digest,
    layers: manifest.layers.map((l) => ({
      digest: l.digest,
      mediaType: l.mediaType,
      size: l.size,
      attempts: opts.attempts ?? 4,
      open: async () => {
        const res = await fetchBlob(client, repo, l.digest, what);
        return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
      },
    })),
  };
}
