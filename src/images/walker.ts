import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import { extract as tarExtract } from "tar-stream";
import type { CatalogContext } from "../core/cataloger.js";
import type { Package, ScanError } from "../core/model.js";
import type { ImageCataloger } from "./catalogers/types.js";
import { decompress } from "./decompress.js";
import { errorCode, errorMessage, ImageError } from "./errors.js";
import type { LayerRef } from "./types.js";
import { type EntryKind, type FsEntry, normalisePath, VirtualFs } from "./vfs.js";
import { WindowScanner } from "./window.js";

export interface WalkLimits {
  /** Largest file handed to a cataloger (bigger ones are skipped with an error). */
  maxFileSize: number;
  /** Largest uncompressed layer (decompression-bomb guard). */
  maxLayerBytes: number;
  /** Most tar entries in one image. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: WalkLimits = {
  maxFileSize: 128 << 20,
  maxLayerBytes: 16 * 1024 ** 3,
  maxEntries: 1_000_000,
};

/** Small files every inventory keeps (OS identification, image checks). */
export const RETAINED = new Set([
  "etc/os-release",
  "usr/lib/os-release",
  "etc/alpine-release",
  "etc/debian_version",
  "etc/redhat-release",
  "etc/lsb-release",
  "etc/passwd",
]);

export interface WalkProgress {
  layer: number;
  layers: number;
  /** Bytes of this layer read so far, and its stored size (0 when unknown). */
  bytes: number;
  total: number;
}

export interface WalkOptions {
  catalogers: readonly ImageCataloger[];
  limits?: Partial<WalkLimits>;
  onProgress?(p: WalkProgress): void;
}

/** Collects catalog results for one file system view (all layers, or a plain directory). */
export class Collector {
  readonly fs = new VirtualFs();
  readonly errors: ScanError[] = [];
  readonly limits: WalkLimits;
  /** First layer index where each (ecosystem, name, version, path) appeared: the layer that introduced it. */
  readonly firstSeen = new Map<string, number>();
  entryCount = 0;

  constructor(
    readonly catalogers: readonly ImageCataloger[],
    limits?: Partial<WalkLimits>,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Catalogers that want this file, or an empty list. */
  interested(path: string, size: number, mode: number): ImageCataloger[] {
    const out: ImageCataloger[] = [];
    for (const c of this.catalogers) if (c.wants(path, size, mode)) out.push(c);
    return out;
  }

  wantsBytes(path: string, size: number, mode: number): ImageCataloger[] | "retain" | undefined {
    const cats = this.interested(path, size, mode);
    if (cats.length) return cats;
    if (RETAINED.has(path) && size <= 1 << 20) return "retain";
    return undefined;
  }

  /** Runs the catalogers on one file's bytes and records the outcome in `entry`. */
  catalog(
    path: string,
    entry: FsEntry,
    data: Buffer,
    cats: ImageCataloger[] | "retain",
    layerDigest?: string,
  ): void {
    if (RETAINED.has(path) && data.length <= 1 << 20) entry.data = data;
    if (cats === "retain") return;
    const ctx: CatalogContext = { errors: this.errors };
    const file = { path, data, mode: entry.mode, ...(layerDigest ? { layerDigest } : {}) };
    for (const c of cats) {
      try {
        const pkgs = c.catalog(file, ctx);
        if (pkgs.length) {
          for (const p of pkgs) {
            p.path ??= path;
            const key = `${p.ecosystem}\0${p.name}\0${p.version}\0${p.path}`;
            if (!this.firstSeen.has(key)) this.firstSeen.set(key, entry.layer);
          }
          entry.packages = [...(entry.packages ?? []), ...pkgs];
        }
        if (c.annotate) {
          const notes = c.annotate(file, ctx);
          if (notes.length) entry.annotations = [...(entry.annotations ?? []), ...notes];
        }
        if (c.owns) {
          const owned = c.owns(file, ctx);
          if (owned.length) entry.owns = [...(entry.owns ?? []), ...owned];
        }
      } catch (err) {
        this.errors.push({ file: path, message: `${c.id}: ${errorMessage(err)}`, code: errorCode(err) });
      }
    }
  }

  /** Streams a file too large to hold past the catalogers that declared a window; nothing else reads it. */
  async catalogLarge(
    path: string,
    entry: FsEntry,
    stream: AsyncIterable<unknown>,
    cats: ImageCataloger[],
    layerDigest?: string,
  ): Promise<void> {
    const scanners = cats
      .filter((c) => c.window && c.catalogWindow)
      .map((c) => ({ c, s: new WindowScanner(c.window!.magic, c.window!.keep, c.window!.align ?? 1) }));
    for await (const chunk of stream) {
      for (const { s } of scanners) s.push(chunk as Buffer);
    }
    const ctx: CatalogContext = { errors: this.errors };
    for (const { c, s } of scanners) {
      const data = s.result();
      if (!data) continue;
      try {
        const pkgs = c.catalogWindow!(
          { path, data, mode: entry.mode, ...(layerDigest ? { layerDigest } : {}) },
          ctx,
        );
        for (const p of pkgs) {
          p.path ??= path;
          const key = `${p.ecosystem}\0${p.name}\0${p.version}\0${p.path}`;
          if (!this.firstSeen.has(key)) this.firstSeen.set(key, entry.layer);
        }
        if (pkgs.length) entry.packages = [...(entry.packages ?? []), ...pkgs];
      } catch (err) {
        this.errors.push({ file: path, message: `${c.id}: ${errorMessage(err)}`, code: errorCode(err) });
      }
    }
  }

  countEntry(what: string): void {
    if (++this.entryCount > this.limits.maxEntries) {
      throw new ImageError("too-many-entries", `more than ${this.limits.maxEntries} entries`, what);
    }
  }
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
function byteLimiter(max: number, what: string, onBytes: (n: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      total += chunk.length;
      onBytes(total);
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
  const limited = plain.pipe(byteLimiter(col.limits.maxLayerBytes, what, () => {}));
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
}

/** Packages of the merged file system, each with the layer that introduced it. */
export function collectPackages(
  col: Collector,
  layerDigests: readonly string[],
): { packages: Package[]; owned: Set<string>; licenses: Map<string, string[]> } {
  const owned = new Set<string>();
  const licenses = new Map<string, string[]>();
  const packages: Package[] = [];
  for (const e of col.fs.entries.values()) {
    if (e.owns) for (const o of e.owns) owned.add(o);
    if (e.annotations) for (const a of e.annotations) licenses.set(`${a.manager}\0${a.name}`, a.licenses);
  }
  for (const e of col.fs.entries.values()) {
    if (!e.packages) continue;
    for (const p of e.packages) {
      const first = col.firstSeen.get(`${p.ecosystem}\0${p.name}\0${p.version}\0${p.path}`) ?? e.layer;
      const digest = layerDigests[first];
      packages.push(digest ? { ...p, layerDigest: digest } : { ...p });
    }
  }
  return { packages, owned, licenses };
}
