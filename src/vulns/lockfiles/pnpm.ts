import { parse } from "yaml";
import type { Cataloger } from "../../core/cataloger.js";
import { commitOf } from "./commit.js";
import { baseName, LockfileError, type LockPackage, MAX_LOCKFILE_BYTES, pkg } from "./util.js";

/**
 * Name and version from a `packages` key: "/name/1.0.0_peer" (v5), "/name@1.0.0(peer@1)" (v6),
 * "name@1.0.0" (v9), scoped names included; a git tarball key keeps its URL as the "version".
 */
export function parsePnpmKey(key: string): { name: string; version: string } | undefined {
  let k = key.startsWith("/") ? key.slice(1) : key;
  const paren = k.indexOf("(");
  if (paren > 0) k = k.slice(0, paren);
  const at = k.indexOf("@", 1);
  if (at > 0) return { name: k.slice(0, at), version: k.slice(at + 1) };
  const parts = k.split("/");
  if (parts.length < 2) return undefined;
  const version = parts.pop()!.replace(/_.*$/, "");
  return { name: parts.join("/"), version };
}

export const pnpmCataloger: Cataloger = {
  id: "pnpm-lock",
  wants: (path, size) => baseName(path) === "pnpm-lock.yaml" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    let doc: {
      packages?: Record<
        string,
        { version?: string; name?: string; resolution?: { tarball?: string }; dev?: boolean }
      >;
    };
    try {
      doc = parse(file.data.toString("utf8")) ?? {};
    } catch (e) {
      throw new LockfileError("lockfile-parse", `${file.path}: invalid YAML (${(e as Error).message})`);
    }
    const out: LockPackage[] = [];
    const seen = new Set<string>();
    for (const [key, body] of Object.entries(doc.packages ?? {})) {
      const parsed = parsePnpmKey(key);
      if (!parsed) continue;
      const name = body?.name ?? parsed.name;
      const commit = commitOf(body?.resolution?.tarball) ?? commitOf(parsed.version);
      const version = body?.version ?? parsed.version;
      if (/^[a-z+]+:/.test(version)) continue;
      const id = `${name}@${version}@${commit ?? ""}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(
        pkg(name, version, "npm", file.path, {
          ...(commit ? { commit } : {}),
          ...(body?.dev ? { dev: true } : {}),
        }),
      );
    }
    return out;
  },
};
