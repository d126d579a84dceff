import type { Package } from "../core/model.js";

export type EntryKind = "file" | "dir" | "symlink" | "hardlink" | "other";

/** What the walker keeps about one path of the merged image file system (never the bytes, except retained files). */
export interface FsEntry {
  kind: EntryKind;
  size: number;
  mode: number;
  /** Index of the layer that last wrote it (-1 for a plain root filesystem). */
  layer: number;
  link?: string;
  /** The tar member type of an "other" entry (fifo, character-device, block-device, ...). */
  special?: string;
  /** For a hard link to a regular file: where that file's bytes are (path and layer index). */
  bytesAt?: { path: string; layer: number };
  packages?: Package[];
  owns?: string[];
  annotations?: { manager: string; name: string; licenses: string[] }[];
  /** Bytes of small files kept for later (os-release and friends). */
  data?: Buffer;
}

/** The merged view of all layers, path → entry, with symlink resolution clamped to the root. */
export class VirtualFs {
  readonly entries = new Map<string, FsEntry>();
  /** Every path that is, or was, a parent of some entry (tars may omit directory entries). */
  readonly parents = new Set<string>();

  /** Records an entry and its parent directories. */
  set(path: string, e: FsEntry): void {
    this.entries.set(path, e);
    for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
      const parent = path.slice(0, i);
      if (this.parents.has(parent)) break;
      this.parents.add(parent);
    }
  }

  get(path: string): FsEntry | undefined {
    return this.entries.get(path);
  }

  /** Follows symlinks (absolute or relative) without ever leaving the root; undefined when dangling or looping. */
  resolve(path: string): { path: string; entry: FsEntry } | undefined {
    let cur = normalisePath(path);
    if (cur === undefined) return undefined;
    for (let hops = 0; hops < 40; hops++) {
      // Resolve symlinked parent directories too.
      const parts = cur.split("/");
      let resolvedPrefix = "";
      let changed = false;
      for (let i = 0; i < parts.length; i++) {
        const p = resolvedPrefix ? `${resolvedPrefix}/${parts[i]}` : parts[i]!;
        const e = this.entries.get(p);
        if (e?.kind === "symlink" && e.link !== undefined) {
          const target = e.link.startsWith("/") ? e.link : `${resolvedPrefix}/${e.link}`;
          const rest = parts.slice(i + 1).join("/");
          const next = clampPath(rest ? `${target}/${rest}` : target);
          cur = next;
          changed = true;
          break;
        }
        resolvedPrefix = p;
      }
      if (!changed) {
        const e = this.entries.get(cur);
        return e ? { path: cur, entry: e } : undefined;
      }
    }
    return undefined;
  }

  /** Retained bytes of a file, following symlinks. */
  read(path: string): Buffer | undefined {
    return this.resolve(path)?.entry.data;
  }

  exists(path: string): boolean {
    return this.resolve(path) !== undefined;
  }
}

/** Turns a tar member name into a root-relative path; undefined when it tries to leave the root. */
export function normalisePath(name: string): string | undefined {
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join("/");
}

/** Like normalisePath but ".." at the root stays at the root (how a chroot resolves symlinks). */
export function clampPath(name: string): string {
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}
