// Package databases that are not regular files in the merged file system. The walk hands catalogers
// only regular files as they stream past; a database standing as a symlink or hard link is read here,
// from the file it leads to, and one that is a FIFO, a device or a dangling link is reported: it is
// suspicious, and must not pass for an empty inventory.
import type { Collector } from "./collector.js";
import { errorMessage } from "./errors.js";
import type { FsEntry } from "./vfs.js";

/**
 * Reads regular files of one layer (index -1: a root filesystem): path → bytes, or why not (too
 * large, gone). Files it does not find are absent from the map.
 */
export type ReadFiles = (layer: number, paths: ReadonlySet<string>) => Promise<Map<string, Buffer | string>>;

interface Pending {
  path: string;
  entry: FsEntry;
  /** Where the bytes are. */
  from: { path: string; layer: number };
}

/**
 * Finds the entries catalogers want that the walk could not read as regular files, reads the files
 * links lead to with `read` and catalogs them under the link's path; reports the rest. `layerDigests`
 * name the layers in messages (none for a root filesystem).
 */
export async function followDatabaseLinks(
  col: Collector,
  read: ReadFiles,
  layerDigests: readonly string[] = [],
): Promise<void> {
  const where = (layer: number) => (layerDigests[layer] ? `layer ${layerDigests[layer]}: ` : "");
  const pending: Pending[] = [];
  const report = (path: string, e: FsEntry, message: string) =>
    col.errors.push({
      file: path,
      message: `${where(e.layer)}${message}; not read`,
      code: "not-regular-file",
    });
  for (const [path, e] of col.fs.entries) {
    // Regular files were handed to the catalogers as they streamed past.
    if (e.kind === "dir" || e.packages || (e.kind === "file" && !e.bytesAt)) continue;
    // Catalogers decide by path (a size of zero keeps executables out: they are not databases).
    const cats = col.interested(path, 0, e.mode);
    if (cats.length === 0) continue;
    if (e.kind === "other") {
      // A root filesystem walk reports these as it meets them.
      if (!col.errors.some((x) => x.file === path && x.code === "not-regular-file"))
        report(path, e, `a ${e.special ?? "special file"} stands where a package database belongs`);
    } else if (e.kind === "hardlink") {
      report(path, e, `a hard link to "${e.link}", which is not in the image`);
    } else if (e.kind === "file" && e.bytesAt) {
      // A hard link to a file no cataloger wanted under its own name.
      if (col.interested(e.bytesAt.path, 0, e.mode).length === 0)
        pending.push({ path, entry: e, from: e.bytesAt });
    } else if (e.kind === "symlink") {
      const to = col.fs.resolve(path);
      if (!to)
        report(path, e, `a symlink to "${e.link}", which leads nowhere in the image (dangling or looping)`);
      else if (to.entry.kind === "dir") report(path, e, `a symlink to the directory "${to.path}"`);
      else if (to.entry.kind === "other")
        report(path, e, `a symlink to "${to.path}", a ${to.entry.special ?? "special file"}`);
      else if (to.entry.kind === "hardlink")
        report(
          path,
          e,
          `a symlink to "${to.path}", a hard link to "${to.entry.link}" which is not in the image`,
        );
      // A target some cataloger wants was read under its own name already.
      else if (col.interested(to.path, 0, to.entry.mode).length === 0)
        pending.push({ path, entry: e, from: to.entry.bytesAt ?? { path: to.path, layer: to.entry.layer } });
    }
  }
  const byLayer = new Map<number, Pending[]>();
  for (const p of pending) byLayer.set(p.from.layer, [...(byLayer.get(p.from.layer) ?? []), p]);
  for (const [layer, list] of byLayer) {
    let files: Map<string, Buffer | string>;
    try {
      files = await read(layer, new Set(list.map((p) => p.from.path)));
    } catch (err) {
      for (const p of list)
        col.errors.push({
          file: p.path,
          message: `${where(layer)}cannot read "${p.from.path}", which it links to: ${errorMessage(err)}`,
          code: "unreadable",
        });
      continue;
    }
    for (const p of list) {
      const data = files.get(p.from.path) ?? "not found in the layer";
      if (typeof data === "string") {
        col.errors.push({
          file: p.path,
          message: `${where(layer)}"${p.from.path}", which it links to: ${data}; not read`,
          code: /exceeds/.test(data) ? "file-too-large" : "unreadable",
        });
        continue;
      }
      col.catalog(p.path, p.entry, data, col.interested(p.path, 0, p.entry.mode), layerDigests[layer]);
    }
  }
}
