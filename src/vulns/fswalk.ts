import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { Cataloger, OsInfo } from "../core/cataloger.js";
import type { Finding, Package, ScanError } from "../core/model.js";

/** A check over the files of a tree that gives findings rather than packages (Dockerfile checks). */
export interface FileChecker {
  id: string;
  wants(path: string): boolean;
  /** Files larger than this are listed in `errors` (fs-too-large) and not read. */
  maxBytes: number;
  check(path: string, data: Buffer): { findings: Finding[]; errors: ScanError[] };
}

export interface FsWalkOptions {
  catalogers: readonly Cataloger[];
  checkers?: readonly FileChecker[];
  /** Directory names never entered. */
  skipDirs?: ReadonlySet<string>;
  /** Stop after this many files have been looked at (guards against scanning a whole disk by mistake). */
  maxFiles?: number;
  os?: OsInfo;
}

export interface FsWalkResult {
  packages: Package[];
  /** Findings of the checkers. */
  findings: Finding[];
  errors: ScanError[];
  files: number;
}

const DEFAULT_SKIP = new Set([".git", ".hg", ".svn", "proc", "sys", "dev"]);

/**
 * Walks a source tree and hands every file some cataloger or checker wants to it. Symbolic links are
 * not followed and special files are not read; a file a cataloger or checker fails on is reported
 * (with its error code) and the walk goes on.
 */
export function walkTree(root: string, opts: FsWalkOptions): FsWalkResult {
  const skip = opts.skipDirs ?? DEFAULT_SKIP;
  const max = opts.maxFiles ?? 2_000_000;
  const checkers = opts.checkers ?? [];
  const result: FsWalkResult = { packages: [], findings: [], errors: [], files: 0 };
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
        if (opts.catalogers.some((c) => c.wants(rel, 0, st.mode)) || checkers.some((c) => c.wants(rel)))
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
      const checking: FileChecker[] = [];
      for (const c of checkers) {
        if (!c.wants(rel)) continue;
        // Told before reading: a huge file named like a Dockerfile is not read into memory for it.
        if (st.size > c.maxBytes)
          result.errors.push({
            file: rel,
            message: `${c.id}: ${st.size} bytes, more than the ${c.maxBytes} this check reads: not checked`,
            code: "fs-too-large",
          });
        else checking.push(c);
      }
      if (wanting.length === 0 && checking.length === 0) continue;
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
      for (const c of checking) {
        try {
          const checked = c.check(rel, data);
          result.findings.push(...checked.findings);
          result.errors.push(...checked.errors);
        } catch (e) {
          result.errors.push({
            file: rel,
            message: `${c.id}: ${(e as Error).message}`,
            code: "checker-failed",
          });
        }
      }
    }
  }
  return result;
}
