import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Cataloger, OsInfo } from "../core/cataloger.js";
import type { Package, ScanError } from "../core/model.js";

export interface FsWalkOptions {
  catalogers: readonly Cataloger[];
  /** Directory names never entered. */
  skipDirs?: ReadonlySet<string>;
  /** Stop after this many files have been looked at (guards against scanning a whole disk by mistake). */
  maxFiles?: number;
  os?: OsInfo;
}

export interface FsWalkResult {
  packages: Package[];
  errors: ScanError[];
  files: number;
}

const DEFAULT_SKIP = new Set([".git", ".hg", ".svn", "proc", "sys", "dev"]);

/**
 * Walks a source tree and hands every file some cataloger wants to it. Symbolic links are not followed
 * and special files are not read; a file a cataloger fails on is reported (with the cataloger's error code) and the walk goes on.
 */
export function walkTree(root: string, opts: FsWalkOptions): FsWalkResult {
  const skip = opts.skipDirs ?? DEFAULT_SKIP;
  const max = opts.maxFiles ?? 2_000_000;
  const result: FsWalkResult = { packages: [], errors: [], files: 0 };
  const ctx = { errors: result.errors, ...(opts.os ? { os: opts.os } : {}) };
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (e) {
      result.errors.push({
        file: relative(root, dir) || ".",
        message: `cannot list directory: ${(e as Error).message}`,
        code: "fs-unreadable",
      });
      continue;
    }
    for (const name of entries.reverse()) {
      const full = join(dir, name);
      let st: ReturnType<typeof lstatSync>;
      const rel = relative(root, full).split(sep).join("/");
      try {
        st = lstatSync(full);
      } catch (e) {
        result.errors.push({
          file: rel,
          message: `cannot stat: ${(e as Error).message}`,
          code: "fs-unreadable",
        });
        continue;
      }
      if (st.isDirectory()) {
        if (!skip.has(name)) stack.push(full);
        continue;
      }
      if (st.isSymbolicLink()) continue;
      if (!st.isFile()) {
        // A FIFO, socket or device is never read (a FIFO would block the walk), but one standing where
        // a cataloger expects its file is said rather than dropped.
        if (opts.catalogers.some((c) => c.wants(rel, 0, st.mode)))
          result.errors.push({
            file: rel,
            message: "not a regular file (FIFO, socket or device): not read",
            code: "fs-not-regular",
          });
        continue;
      }
      if (++result.files > max) {
        result.errors.push({ file: ".", message: `stopped after ${max} files`, code: "fs-too-many-files" });
        return result;
      }
      const wanting = opts.catalogers.filter((c) => c.wants(rel, st.size, st.mode));
      if (wanting.length === 0) continue;
      let data: Buffer;
      try {
        data = readFileSync(full);
      } catch (e) {
        result.errors.push({
          file: rel,
          message: `cannot read: ${(e as Error).message}`,
          code: "fs-unreadable",
        });
        continue;
      }
      for (const c of wanting) {
        try {
          result.packages.push(...c.catalog({ path: rel, data, mode: st.mode }, ctx));
        } catch (e) {
          const code = (e as { code?: string }).code ?? "cataloger-failed";
          result.errors.push({ file: rel, message: `${c.id}: ${(e as Error).message}`, code });
        }
      }
    }
  }
  return result;
}
