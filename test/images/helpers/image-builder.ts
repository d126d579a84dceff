// Builds small real images (OCI layouts, docker-archive, oci-archive) from lists of tar entries, for tests.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

export interface Entry {
  name: string;
  data?: string | Buffer;
  type?: "file" | "directory" | "symlink" | "link" | "fifo" | "character-device" | "block-device";
  linkname?: string;
  mode?: number;
  /** Lie about the size in the header (hostile tars). */
  size?: number;
}

export type Compression = "gzip" | "zstd" | "none";

export async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on("end", () => resolve());
    p.on("error", reject);
  });
  for (const e of entries) {
    const type = e.type ?? (e.data === undefined && e.name.endsWith("/") ? "directory" : "file");
    const data = e.data === undefined ? undefined : Buffer.from(e.data);
    await new Promise<void>((resolve, reject) => {
      p.entry(
        {
          name: e.name,
          type,
          mode: e.mode ?? (type === "directory" ? 0o755 : 0o644),
          ...(e.linkname ? { linkname: e.linkname } : {}),
          ...(data ? { size: data.length } : {}),
        },
        // tar-stream accepts no buffer for entries without content (directories, links)
        data as Buffer,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function compress(tar: Buffer, c: Compression): Buffer {
  if (c === "gzip") return gzipSync(tar);
  if (c === "zstd") return execFileSync("zstd", ["-q", "-c", "-3"], { input: tar, maxBuffer: 1 << 30 });
  return tar;
}

const LAYER_MT: Record<Compression, string> = {
  gzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  zstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  none: "application/vnd.oci.image.layer.v1.tar",
};

export const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export interface BuiltImage {
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  configDigest: string;
  layers: { blob: Buffer; digest: string; diffId: string; tar: Buffer; mediaType: string }[];
}

export interface ImageSpec {
  layers: Entry[][];
  compression?: Compression;
  config?: Record<string, unknown>;
  history?: Record<string, unknown>[];
  architecture?: string;
  os?: string;
}

export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const c = spec.compression ?? "gzip";
  const layers = [];
  for (const entries of spec.layers) {
    const tar = await tarOf(entries);
    const blob = compress(tar, c);
    layers.push({ blob, digest: sha(blob), diffId: sha(tar), tar, mediaType: LAYER_MT[c] });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: spec.architecture ?? "amd64",
      os: spec.os ?? "linux",
      created: "2026-01-02T03:04:05Z",
      config: spec.config ?? {},
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
      history: spec.history ?? layers.map((_, i) => ({ created_by: `layer ${i}` })),
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: sha(config),
        size: config.length,
      },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })),
    }),
  );
  return { manifest, manifestDigest: sha(manifest), config, configDigest: sha(config), layers };
}

function writeBlob(dir: string, b: Buffer): void {
  const d = sha(b).slice(7);
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  writeFileSync(join(dir, "blobs", "sha256", d), b);
}

/** Writes an OCI image layout holding the images under their tags (an index per platform list if given). */
export function writeOciLayout(
  dir: string,
  images: Record<string, BuiltImage>,
  index?: {
    tag: string;
    platforms: { img: BuiltImage; os: string; architecture: string; variant?: string }[];
  },
): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const manifests: unknown[] = [];
  const all = [...Object.values(images), ...(index?.platforms.map((p) => p.img) ?? [])];
  for (const img of all) {
    writeBlob(dir, img.manifest);
    writeBlob(dir, img.config);
    for (const l of img.layers) writeBlob(dir, l.blob);
  }
  for (const [tag, img] of Object.entries(images)) {
    manifests.push({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: img.manifestDigest,
      size: img.manifest.length,
      annotations: { "org.opencontainers.image.ref.name": tag },
    });
  }
  if (index) {
    const idx = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: index.platforms.map((p) => ({
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: p.img.manifestDigest,
          size: p.img.manifest.length,
          platform: { os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) },
        })),
      }),
    );
    writeBlob(dir, idx);
    manifests.push({
      mediaType: "application/vnd.oci.image.index.v1+json",
      digest: sha(idx),
      size: idx.length,
      annotations: { "org.opencontainers.image.ref.name": index.tag },
    });
  }
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests }));
}

/** Writes a `docker save`-style archive: manifest.json, config JSON and uncompressed layer tars. */
export async function writeDockerArchive(file: string, img: BuiltImage, repoTag: string): Promise<void> {
  const entries: Entry[] = [];
  const cfgName = `${img.configDigest.slice(7)}.json`;
  const layerNames = img.layers.map((l) => `${l.diffId.slice(7, 19)}/layer.tar`);
  entries.push({ name: cfgName, data: img.config });
  for (const [i, l] of img.layers.entries()) entries.push({ name: layerNames[i]!, data: l.tar });
  entries.push({
    name: "manifest.json",
    data: JSON.stringify([{ Config: cfgName, RepoTags: [repoTag], Layers: layerNames }]),
  });
  writeFileSync(file, await tarOf(entries));
}

/** Writes an oci-archive: an OCI layout packed in a tar. */
export async function writeOciArchive(file: string, img: BuiltImage, tag: string): Promise<void> {
  const blobs = [img.manifest, img.config, ...img.layers.map((l) => l.blob)];
  const entries: Entry[] = [{ name: "oci-layout", data: JSON.stringify({ imageLayoutVersion: "1.0.0" }) }];
  for (const b of blobs) entries.push({ name: `blobs/sha256/${sha(b).slice(7)}`, data: b });
  entries.push({
    name: "index.json",
    data: JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: img.manifestDigest,
          size: img.manifest.length,
          annotations: { "org.opencontainers.image.ref.name": tag },
        },
      ],
    }),
  });
  writeFileSync(file, await tarOf(entries));
}

export const DEBIAN_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;

export function dpkgStatus(pkgs: { name: string; version: string; source?: string }[]): string {
  return pkgs
    .map(
      (p) =>
        `Package: ${p.name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${p.version}\n${p.source ? `Source: ${p.source}\n` : ""}Description: test\n`,
    )
    .join("\n");
}
