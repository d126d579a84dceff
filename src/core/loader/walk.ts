// Expands the user's targets into units to load: plain files, Helm charts,
// Kustomize directories and stdin. Directories are walked recursively in name
// order (so results are deterministic); a chart or kustomization directory is
// one unit and its files are not also read raw.
import { type Dirent, promises as fs } from "node:fs";
import { extname, isAbsolute, join, relative, sep } from "node:path";
import type { ScanError } from "../model.js";
import type { SkippedDoc } from "./parse.js";

export type Unit =
  | { type: "file"; path: string; display: string }
  | { type: "helm" | "kustomize"; path: string; display: string }
  | { type: "stdin" };

export const MANIFEST_EXTENSIONS: ReadonlySet<string> = new Set([".yaml", ".yml", ".json"]);
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([".git", "node_modules"]);
/** kubeward's own exceptions file sits next to manifests; it is read as such, never as a manifest. */
export const SKIPPED_FILES: ReadonlySet<string> = new Set([".kubewardignore.yaml"]);
const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export interface WalkResult {
  units: Unit[];
  errors: ScanError[];
  skipped: SkippedDoc[];
}

export async function expandTargets(targets: readonly string[]): Promise<WalkResult> {
  const out: WalkResult = { units: [], errors: [], skipped: [] };
  let stdinSeen = false;
  for (const target of targets) {
    if (target === "-") {
      if (!stdinSeen) out.units.push({ type: "stdin" });
      stdinSeen = true;
      continue;
    }
    let isDir: boolean;
    try {
      isDir = (await fs.stat(target)).isDirectory();
    } catch (err) {
      out.errors.push({ file: target, code: "unreadable", message: `${target}: ${describe(err)}` });
      continue;
    }
    if (!isDir) {
      out.units.push({ type: "file", path: target, display: target });
      continue;
    }
    const rootReal = await fs.realpath(target);
    await walkDir(target, rootReal, new Set([rootReal]), out);
  }
  return out;
}

/** Walks a directory; `path` is also the name reported (it joins the target as the user wrote it). */
async function walkDir(path: string, rootReal: string, visited: Set<string>, out: WalkResult): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(path, { withFileTypes: true });
  } catch (err) {
    out.errors.push({ file: path, code: "unreadable", message: `${path}: ${describe(err)}` });
    return;
  }
  const names = new Set(entries.map((e) => e.name));
  const unitType = KUSTOMIZATION_FILES.some((n) => names.has(n))
    ? "kustomize"
    : names.has("Chart.yaml")
      ? "helm"
      : undefined;
  if (unitType) {
    out.units.push({ type: unitType, path, display: path });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (SKIPPED_DIRS.has(entry.name) || SKIPPED_FILES.has(entry.name)) continue;
    const childPath = join(path, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      let real: string;
      try {
        real = await fs.realpath(childPath);
        const st = await fs.stat(real);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch (err) {
        out.errors.push({
          file: childPath,
          code: "unreadable",
          message: `${childPath}: broken symbolic link (${describe(err)})`,
        });
        continue;
      }
      if (!isInside(real, rootReal)) {
        out.skipped.push({
          file: childPath,
          code: "symlink-outside",
          reason: `symbolic link to ${real}, outside the scanned directory: not followed (name it as a target to scan it)`,
        });
        continue;
      }
      if (isDir) {
        if (visited.has(real)) continue; // a loop back into a directory already walked
        visited.add(real);
      }
    }
    if (isDir) await walkDir(childPath, rootReal, visited, out);
    else if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      if (isFile) out.units.push({ type: "file", path: childPath, display: childPath });
      // A FIFO or socket found in a walk is not read (a FIFO would wait for a writer forever), but
      // it is said: name it as a target to read it, as `kubeward scan manifests <(helm template)` does.
      else
        out.skipped.push({
          file: childPath,
          code: "not-regular-file",
          reason: "not a regular file (FIFO, socket or device): not read (name it as a target to read it)",
        });
    }
  }
}

function isInside(real: string, root: string): boolean {
  const rel = relative(root, real);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === "ENOENT") return "no such file or directory";
  if (e?.code === "EACCES" || e?.code === "EPERM") return "permission denied";
  if (e?.code === "EISDIR") return "is a directory";
  return e?.message ?? String(err);
}
