import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { ImageError } from "../errors.js";
import type { Descriptor, ImageSource, Platform } from "../types.js";
import {
  checkLayerType,
  isIndex,
  parseConfig,
  parseJsonDoc,
  parseManifest,
  selectFromIndex,
  verifyDigest,
} from "./manifest.js";

const MAX_DOC = 16 << 20;

/** Reads blobs by digest from an OCI image layout, wherever it is stored (directory or archive). */
export interface BlobStore {
  name: string;
  readFile(path: string, max?: number): Buffer;
  has(path: string): boolean;
  openFile(path: string): Readable;
}

export function blobPath(digest: string): string {
  const [alg, hex] = digest.split(":");
  return `blobs/${alg}/${hex}`;
}

export function dirStore(dir: string): BlobStore {
  return {
    name: dir,
    has: (p) => existsSync(join(dir, p)),
    readFile(p, max = MAX_DOC) {
      const full = join(dir, p);
      if (!existsSync(full)) throw new ImageError("not-found", `missing ${p}`, dir);
      if (statSync(full).size > max)
        throw new ImageError("file-too-large", `${p} is larger than ${max} bytes`, dir);
      return readFileSync(full);
    },
    openFile: (p) => {
      const full = join(dir, p);
      if (!existsSync(full)) throw new ImageError("not-found", `missing ${p}`, dir);
      return createReadStream(full);
    },
  };
}

function readBlob(store: BlobStore, d: Descriptor): Buffer {
  const buf = store.readFile(blobPath(d.digest));
  verifyDigest(buf, d.digest, `${store.name} ${d.digest}`);
  return buf;
}

/** Opens an image from an OCI image layout: index.json → (tag) → index → manifest for the platform. */
export function openOciLayout(
  store: BlobStore,
  tag: string | undefined,
  platform: Platform,
  transport: "oci" | "oci-archive",
  ref: string,
): ImageSource {
  const what = store.name;
  if (!store.has("index.json"))
    throw new ImageError("bad-index", "no index.json: not an OCI image layout", what);
  const index = parseJsonDoc(store.readFile("index.json"), `${what} index.json`, "bad-index");
  const entries = (Array.isArray(index.manifests) ? index.manifests : []) as Descriptor[];
  if (entries.length === 0) throw new ImageError("bad-index", "index.json lists no manifests", what);
  const tagOf = (d: Descriptor) => d.annotations?.["org.opencontainers.image.ref.name"];
  let desc: Descriptor | undefined;
  if (tag) {
    desc = entries.find((d) => tagOf(d) === tag);
    if (!desc) {
      const tags = entries.map(tagOf).filter(Boolean).join(", ");
      throw new ImageError("not-found", `no image tagged "${tag}" (tags: ${tags || "none"})`, what);
    }
  } else if (entries.length === 1) {
    desc = entries[0];
  } else {
    const tags = entries.map(tagOf).filter(Boolean);
    throw new ImageError(
      "bad-reference",
      `layout holds ${entries.length} images; name one with :TAG (${tags.join(", ")})`,
      what,
    );
  }
  let d = desc!;
  let indexDigest: string | undefined;
  for (let depth = 0; depth < 4; depth++) {
    const buf = readBlob(store, d);
    const doc = parseJsonDoc(buf, `${what} ${d.digest}`, "bad-manifest");
    if (isIndex(doc, d.mediaType)) {
      indexDigest = d.digest;
      d = selectFromIndex(doc, platform, `${what} ${d.digest}`);
      continue;
    }
    const m = parseManifest(doc, `${what} ${d.digest}`, d.mediaType);
    const config = parseConfig(readBlob(store, m.config), `${what} config ${m.config.digest}`);
    for (const l of m.layers) checkLayerType(l, what);
    const tags = entries.map(tagOf).filter((t): t is string => !!t);
    return {
      ref,
      transport,
      digest: d.digest,
      ...(indexDigest ? { indexDigest } : {}),
      repoTags: tag ? [tag] : tags,
      config,
      configDigest: m.config.digest,
      layers: m.layers.map((l) => ({
        digest: l.digest,
        mediaType: l.mediaType,
        size: l.size,
        open: async () => store.openFile(blobPath(l.digest)),
      })),
    };
  }
  throw new ImageError("bad-index", "indexes nested too deeply", what);
}
