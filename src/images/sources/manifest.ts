import { createHash } from "node:crypto";
import { ImageError } from "../errors.js";
import { type Descriptor, type ImageConfig, MT, type Platform } from "../types.js";

export const DEFAULT_PLATFORM: Platform = { os: "linux", architecture: "amd64" };

export function parsePlatform(s: string | undefined): Platform {
  if (!s) return DEFAULT_PLATFORM;
  const [os, architecture, variant] = s.split("/");
  if (!os || !architecture)
    throw new ImageError("bad-reference", `invalid platform "${s}" (expected os/arch[/variant])`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

export function parseJsonDoc(
  buf: Buffer,
  what: string,
  code: "bad-manifest" | "bad-config" | "bad-index",
): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(buf.toString("utf8"));
  } catch (err) {
    throw new ImageError(code, `not valid JSON (${(err as Error).message})`, what);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ImageError(code, "not a JSON object", what);
  return v as Record<string, unknown>;
}

export function sha256(buf: Buffer): string {
  return `sha256:${createHash("sha256").update(buf).digest("hex")}`;
}

export function verifyDigest(buf: Buffer, digest: string, what: string): void {
  if (!digest.startsWith("sha256:")) return;
  const got = sha256(buf);
  if (got !== digest) throw new ImageError("digest-mismatch", `content is ${got}, expected ${digest}`, what);
}

export function isIndex(doc: Record<string, unknown>, mediaType?: string): boolean {
  const mt = mediaType || (doc.mediaType as string | undefined);
  if (mt === MT.ociIndex || mt === MT.dockerList) return true;
  return !mt && Array.isArray(doc.manifests) && !("layers" in doc);
}

function asDescriptor(v: unknown, what: string): Descriptor {
  const d = v as Descriptor;
  if (!d || typeof d.digest !== "string" || typeof d.mediaType !== "string") {
    throw new ImageError("bad-manifest", "descriptor without digest or mediaType", what);
  }
  if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(d.digest) || d.digest.includes("..")) {
    throw new ImageError("bad-manifest", `invalid digest "${d.digest}"`, what);
  }
  return { ...d, size: Number(d.size) || 0 };
}

/** Picks the manifest for a platform from an index (Docker manifest list or OCI index). */
export function selectFromIndex(doc: Record<string, unknown>, platform: Platform, what: string): Descriptor {
  const list = Array.isArray(doc.manifests) ? doc.manifests.map((m) => asDescriptor(m, what)) : [];
  if (list.length === 0) throw new ImageError("bad-index", "index lists no manifests", what);
  const images = list.filter((d) => d.annotations?.["vnd.docker.reference.type"] !== "attestation-manifest");
  const withPlatform = images.filter((d) => d.platform);
  if (withPlatform.length === 0) return images[0] ?? list[0]!;
  const match = withPlatform.filter(
    (d) => d.platform!.os === platform.os && d.platform!.architecture === platform.architecture,
  );
  const exact =
    match.find((d) => (d.platform!.variant ?? "") === (platform.variant ?? "")) ??
    (platform.variant ? undefined : match[0]);
  if (!exact) {
    const avail = withPlatform.map((d) => formatPlatform(d.platform!)).join(", ");
    throw new ImageError(
      "no-matching-platform",
      `no manifest for ${formatPlatform(platform)} (has ${avail})`,
      what,
    );
  }
  return exact;
}

export interface ParsedManifest {
  config: Descriptor;
  layers: Descriptor[];
}

export function parseManifest(
  doc: Record<string, unknown>,
  what: string,
  mediaType?: string,
): ParsedManifest {
  const mt = mediaType || (doc.mediaType as string | undefined);
  if (mt === MT.dockerV1Signed || doc.schemaVersion === 1) {
    throw new ImageError("unsupported-manifest", "Docker schema 1 manifests are not supported", what);
  }
  if (mt && mt !== MT.ociManifest && mt !== MT.dockerManifest) {
    throw new ImageError("unsupported-media-type", `unsupported manifest media type "${mt}"`, what);
  }
  if (!Array.isArray(doc.layers)) throw new ImageError("bad-manifest", "manifest has no layers array", what);
  return { config: asDescriptor(doc.config, what), layers: doc.layers.map((l) => asDescriptor(l, what)) };
}

export function parseConfig(buf: Buffer, what: string): ImageConfig {
  const doc = parseJsonDoc(buf, what, "bad-config") as ImageConfig;
  if (doc.config !== undefined && (typeof doc.config !== "object" || doc.config === null)) doc.config = {};
  if (doc.history !== undefined && !Array.isArray(doc.history)) doc.history = [];
  return doc;
}

const LAYER_TYPES = new Set([
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  "application/vnd.docker.image.rootfs.diff.tar",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  "application/vnd.docker.image.rootfs.diff.tar.zstd",
]);

export function checkLayerType(d: Descriptor, what: string): void {
  if (!LAYER_TYPES.has(d.mediaType)) {
    throw new ImageError(
      "unsupported-media-type",
      `layer ${d.digest} has unsupported media type "${d.mediaType}"`,
      what,
    );
  }
}
