import type { CatalogContext } from "../core/cataloger.js";
import type { Package, ScanError } from "../core/model.js";
import type { ImageCataloger } from "./catalogers/types.js";
import { errorCode, errorMessage, ImageError } from "./errors.js";
import { type FsEntry, VirtualFs } from "./vfs.js";
import { WindowScanner } from "./window.js";

// The collecting stage: which files catalogers want, what they made of them, and the merged file system.
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

/** Identity of a package found at a path: (ecosystem, name, version, path). */
export function packageKey(p: Package): string {
  return `${p.ecosystem}\0${p.name}\0${p.version}\0${p.path}`;
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
        this.record(path, entry, c.catalog(file, ctx));
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
        this.record(path, entry, pkgs);
      } catch (err) {
        this.errors.push({ file: path, message: `${c.id}: ${errorMessage(err)}`, code: errorCode(err) });
      }
    }
  }

  /** Adds a cataloger's packages to `entry` (path defaulting to the file's) and notes the layer of each. */
  private record(path: string, entry: FsEntry, pkgs: Package[]): void {
    if (!pkgs.length) return;
    for (const p of pkgs) {
      p.path ??= path;
      const key = packageKey(p);
      if (!this.firstSeen.has(key)) this.firstSeen.set(key, entry.layer);
    }
    entry.packages = [...(entry.packages ?? []), ...pkgs];
  }

  countEntry(what: string): void {
    if (++this.entryCount > this.limits.maxEntries) {
      throw new ImageError("too-many-entries", `more than ${this.limits.maxEntries} entries`, what);
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
      const first = col.firstSeen.get(packageKey(p)) ?? e.layer;
      const digest = layerDigests[first];
      packages.push(digest ? { ...p, layerDigest: digest } : { ...p });
    }
  }
  return { packages, owned, licenses };
}
