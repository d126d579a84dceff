import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import { extract as tarExtract } from "tar-stream";
import type { Collector } from "./collector.js";
import { decompress } from "./decompress.js";
import { errorCode, errorMessage, ImageError } from "./errors.js";
import { followDatabaseLinks } from "./links.js";
import type { LayerRef } from "./types.js";
import { type EntryKind, type FsEntry, normalisePath, type VirtualFs } from "./vfs.js";

export { Collector, collectPackages, DEFAULT_LIMITS, RETAINED, type WalkLimits } from "./collector.js";

export interface WalkProgress {
  layer: number;
  layers: number;
  /** Bytes of this layer read so far, and its stored size (0 when unknown). */
  bytes: number;
  total: number;
}

/** What catalogers run and the limits come from the Collector. */
export interface WalkOptions {
  onProgress?(p: WalkProgress): void;
}

function kindOf(type: string | null | undefined): EntryKind {
  switch (type) {
    case "file":
    case "contiguous-file":
      return "file";
    case "directory":
      return "dir";
    case "symlink":
      return "symlink";
    case "link":
      return "hardlink";
    default:
      return "other";
  }
}

/** Counts bytes flowing through and stops the stream past a limit (decompression bombs). */
function byteLimiter(max: number, what: string): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      total += chunk.length;
      if (total > max) cb(new ImageError("layer-too-large", `uncompressed layer exceeds ${max} bytes`, what));
      else cb(null, chunk);
    },
  });
}

function hasher(): { t: Transform; digest(): string } {
  const h = createHash("sha256");
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) {
      h.update(chunk);
      cb(null, chunk);
    },
  });
  return { t, digest: () => `sha256:${h.digest("hex")}` };
}

interface LayerDelta {
  entries: Map<string, FsEntry>;
  /** Paths whose lower-layer content is deleted (".wh.NAME"). */
  whiteouts: Set<string>;
  /** Directories whose lower-layer content is hidden (".wh..wh..opq"). */
  opaque: Set<string>;
}

/** Walks one layer tar as a stream: nothing is written to disk; only wanted files are held, one at a time. */
async function walkLayer(
  col: Collector,
  layer: LayerRef,
  index: number,
  count: number,
  opts: WalkOptions,
): Promise<LayerDelta> {
  const what = `layer ${layer.digest}`;
  const delta: LayerDelta = { entries: new Map(), whiteouts: new Set(), opaque: new Set() };
  const raw = await layer.open();
  const verify = layer.verify ?? "raw";
  const rawHash = verify === "raw" ? hasher() : undefined;
  const diffHash = verify === "decompressed" ? hasher() : undefined;
  let rawBytes = 0;
  raw.on("data", (c: Buffer) => {
    rawBytes += c.length;
    opts.onProgress?.({ layer: index, layers: count, bytes: rawBytes, total: layer.size });
  });
  const source = rawHash ? raw.pipe(rawHash.t) : raw;
  raw.on("error", (e) => source.destroy(e));
  const plain = decompress(source, what);
  const limited = plain.pipe(byteLimiter(col.limits.maxLayerBytes, what));
  plain.on("error", (e) => limited.destroy(e));
  const counted = diffHash ? limited.pipe(diffHash.t) : limited;
  if (diffHash) limited.on("error", (e) => counted.destroy(e));
  const ex = tarExtract();
  counted.on("error", (e) => ex.destroy(e));
  counted.pipe(ex);
  try {
    for await (const entry of ex) {
      const h = entry.header;
      col.countEntry(what);
      const path = normalisePath(h.name);
      if (path === undefined) {
        col.errors.push({
          file: h.name,
          message: `${what}: member "${h.name}" leaves the root; skipped`,
          code: "tar-path-escape",
        });
        entry.resume();
        continue;
      }
      if (path === "") {
        entry.resume();
        continue;
      }
      const slash = path.lastIndexOf("/");
      const dir = slash < 0 ? "" : path.slice(0, slash);
      const base = slash < 0 ? path : path.slice(slash + 1);
      if (base.startsWith(".wh.")) {
        if (base === ".wh..wh..opq") delta.opaque.add(dir);
        else delta.whiteouts.add(dir ? `${dir}/${base.slice(4)}` : base.slice(4));
        entry.resume();
        continue;
      }
      const kind = kindOf(h.type);
      const size = h.size ?? 0;
      const mode = h.mode ?? 0;
      const fe: FsEntry = { kind, size, mode, layer: index };
      if (kind === "other") fe.special = h.type ?? "unknown";
      if (kind === "symlink" || kind === "hardlink") {
        fe.link = h.linkname ?? "";
        if (kind === "hardlink") {
          const target = normalisePath(fe.link);
          const t = target !== undefined ? (delta.entries.get(target) ?? col.fs.get(target)) : undefined;
          if (t) {
            fe.kind = t.kind;
            fe.size = t.size;
            fe.mode = t.mode || mode;
            if (t.packages) fe.packages = t.packages.map((p) => ({ ...p, path }));
            if (t.data) fe.data = t.data;
            if (t.kind === "file") fe.bytesAt = t.bytesAt ?? { path: target!, layer: t.layer };
            if (t.special) fe.special = t.special;
          }
        }
      }
      delta.entries.set(path, fe);
      if (kind !== "file") {
        entry.resume();
        continue;
      }
      const cats = col.wantsBytes(path, size, mode);
      if (!cats) {
        entry.resume();
        continue;
      }
      if (
        size > col.limits.maxFileSize &&
        cats !== "retain" &&
        cats.some((c) => c.window && c.catalogWindow)
      ) {
        await col.catalogLarge(path, fe, entry, cats, layer.digest);
        continue;
      }
      if (size > col.limits.maxFileSize) {
        col.errors.push({
          file: path,
          message: `${what}: ${size} bytes exceeds the ${col.limits.maxFileSize}-byte limit; not read`,
          code: "file-too-large",
        });
        entry.resume();
        continue;
      }
      // One buffer of the declared size, filled in place: a file is held once, never twice.
      const data = Buffer.allocUnsafe(size);
      let got = 0;
      for await (const c of entry) {
        const chunk = c as Buffer;
        const n = Math.min(chunk.length, size - got);
        chunk.copy(data, got, 0, n);
        got += n;
      }
      col.catalog(path, fe, got === size ? data : data.subarray(0, got), cats, layer.digest);
    }
  } catch (err) {
    raw.destroy();
    if (err instanceof ImageError) throw err;
    throw new ImageError(
      errorCode(err, "tar-invalid") === "tar-invalid" ? "tar-invalid" : "decompress-failed",
      errorMessage(err),
      what,
    );
  }
  if (rawHash) {
    const got = rawHash.digest();
    if (layer.digest.startsWith("sha256:") && got !== layer.digest) {
      throw new ImageError("digest-mismatch", `content is ${got}`, what);
    }
  }
  if (diffHash) {
    const got = diffHash.digest();
    if (layer.digest.startsWith("sha256:") && got !== layer.digest) {
      throw new ImageError("digest-mismatch", `uncompressed content is ${got}`, what);
    }
  }
  return delta;
}

/** Applies a layer on top of the lower ones: whiteouts and opaque directories first, then its entries. */
function applyDelta(fs: VirtualFs, delta: LayerDelta): void {
  if (delta.whiteouts.size || delta.opaque.size) {
    for (const path of [...fs.entries.keys()]) {
      if (delta.whiteouts.has(path)) {
        fs.entries.delete(path);
        continue;
      }
      let p = path;
      for (let i = p.lastIndexOf("/"); ; i = p.lastIndexOf("/")) {
        const parent = i < 0 ? "" : p.slice(0, i);
        if (delta.whiteouts.has(parent) || delta.opaque.has(parent)) {
          fs.entries.delete(path);
          break;
        }
        if (i < 0) break;
        p = parent;
      }
    }
  }
  for (const [path, e] of delta.entries) {
    const prev = fs.entries.get(path);
    // A directory entry in an upper layer only changes metadata; it keeps what lies below.
    if (e.kind === "dir" && prev?.kind === "dir") {
      prev.mode = e.mode;
      continue;
    }
    // A file or link replacing a lower directory replaces everything that was under it.
    if (e.kind !== "dir" && (prev?.kind === "dir" || fs.parents.has(path))) {
      const prefix = `${path}/`;
      for (const p of [...fs.entries.keys()])
        if (p.startsWith(prefix) && !delta.entries.has(p)) fs.entries.delete(p);
    }
    fs.set(path, e);
  }
}

/** Errors worth another walk of a layer fetched over the network (a dropped or cut stream). */
const RETRYABLE = new Set([
  "network",
  "tar-invalid",
  "decompress-failed",
  "digest-mismatch",
  "registry-error",
]);

export async function walkLayers(
  col: Collector,
  layers: readonly LayerRef[],
  opts: WalkOptions,
): Promise<void> {
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const attempts = layer.attempts ?? 1;
    for (let attempt = 1; ; attempt++) {
      const errorsBefore = col.errors.length;
      try {
        const delta = await walkLayer(col, layer, i, layers.length, opts);
        applyDelta(col.fs, delta);
        break;
      } catch (err) {
        if (attempt >= attempts || !RETRYABLE.has(errorCode(err, "network"))) throw err;
        // The layer is walked again from its first byte; what the failed walk reported is dropped.
        col.errors.length = errorsBefore;
      }
    }
  }
  await followDatabaseLinks(
    col,
    (index, paths) => readLayerFiles(col, layers[index]!, paths),
    layers.map((l) => l.digest),
  );
}

/**
 * Streams one layer again for the regular files at `paths` (the last member of each name wins), each
 * up to the file size limit. Used only for package databases reached through links, which are rare.
 */
async function readLayerFiles(
  col: Collector,
  layer: LayerRef,
  paths: ReadonlySet<string>,
): Promise<Map<string, Buffer | string>> {
  const what = `layer ${layer.digest}`;
  const out = new Map<string, Buffer | string>();
  const raw = await layer.open();
  const plain = decompress(raw, what);
  raw.on("error", (e) => plain.destroy(e));
  const limited = plain.pipe(byteLimiter(col.limits.maxLayerBytes, what));
  plain.on("error", (e) => limited.destroy(e));
  const ex = tarExtract();
  limited.on("error", (e) => ex.destroy(e));
  limited.pipe(ex);
  try {
    for await (const entry of ex) {
      const path = normalisePath(entry.header.name);
      const size = entry.header.size ?? 0;
      if (path === undefined || !paths.has(path) || kindOf(entry.header.type) !== "file") {
        entry.resume();
        continue;
      }
      if (size > col.limits.maxFileSize) {
        out.set(path, `${size} bytes exceeds the ${col.limits.maxFileSize}-byte limit`);
        entry.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.set(path, Buffer.concat(chunks));
    }
  } finally {
    raw.destroy();
  }
  return out;
}
