import type { Package } from "../../core/model.js";

/** A package from a lockfile: the contract's Package plus facts lockfiles carry. */
export type LockPackage = Package & { dev?: boolean; commit?: string };

export function baseName(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? p : p.slice(i + 1);
}

export class LockfileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function parseJson(data: Buffer, file: string): unknown {
  try {
    return JSON.parse(data.toString("utf8"));
  } catch (e) {
    throw new LockfileError("lockfile-parse", `${file}: invalid JSON (${(e as Error).message})`);
  }
}

/** Files larger than this are skipped by every lockfile cataloger. */
export const MAX_LOCKFILE_BYTES = 64 * 1024 * 1024;

/**
 * The `[[package]]` tables of a TOML lockfile (Cargo.lock, poetry.lock): string keys only, which is all
 * these generated files put there. Not a general TOML parser.
 */
export function tomlPackageTables(text: string, table = "package"): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  let cur: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("[")) {
      cur = line === `[[${table}]]` ? {} : undefined;
      if (cur) out.push(cur);
      continue;
    }
    if (!cur) continue;
    const m = /^([A-Za-z0-9_-]+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(line);
    if (m) cur[m[1]!] = m[2]!.replace(/\\(.)/g, "$1");
  }
  return out;
}

export function pkg(
  name: string,
  version: string,
  ecosystem: string,
  path: string,
  extra: Partial<LockPackage> = {},
): LockPackage {
  return { name, version, ecosystem, path, ...extra };
}
