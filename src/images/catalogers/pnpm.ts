import { parse as parseYaml } from "yaml";
import { commitOf } from "./js-commit.js";
import { baseName, dedupe, type ImageCataloger, type LangPackage } from "./types.js";

/** Splits a pnpm package key of any lockfile version into name and version. */
export function splitPnpmKey(key: string): { name: string; version: string } | undefined {
  let k = key.replace(/^\//, "");
  // Peer-dependency suffixes: v6+ "(react@18.2.0)", v5 "_react@18.2.0".
  k = k.replace(/\(.*$/, "");
  const at = k.indexOf("@", 1);
  if (at > 0) return { name: k.slice(0, at), version: k.slice(at + 1) };
  // v5: "name/1.2.3" or "@scope/name/1.2.3", peers after "_".
  const slash = k.lastIndexOf("/");
  if (slash <= 0) return undefined;
  return { name: k.slice(0, slash), version: k.slice(slash + 1).replace(/_.*$/, "") };
}

/** pnpm-lock.yaml, lockfile versions 5 to 9. */
export function parsePnpmLock(data: Buffer, file: string): LangPackage[] {
  const doc = parseYaml(data.toString("utf8")) as {
    packages?: Record<
      string,
      { version?: unknown; dev?: boolean; resolution?: { tarball?: string; commit?: string } }
    >;
  } | null;
  const out: LangPackage[] = [];
  for (const [key, entry] of Object.entries(doc?.packages ?? {})) {
    const split = splitPnpmKey(key);
    if (!split) continue;
    let { name, version } = split;
    let commit: string | undefined;
    if (/^(https?:|git|file:|link:)/.test(version) || version.includes("/")) {
      commit = entry?.resolution?.commit ?? commitOf(version) ?? commitOf(entry?.resolution?.tarball);
      version = entry?.version === undefined ? "" : String(entry.version);
      if (version.startsWith("link:") || split.version.startsWith("link:")) continue;
    }
    if (!name) continue;
    name = name.trim();
    out.push({
      name,
      version,
      ecosystem: "npm",
      path: file,
      ...(entry?.dev ? { dev: true } : {}),
      ...(commit ? { commit } : {}),
    });
  }
  return dedupe(out);
}

export const pnpmCataloger: ImageCataloger = {
  id: "pnpm",
  wants: (path, size) =>
    baseName(path) === "pnpm-lock.yaml" && size < 64 << 20 && !path.includes("node_modules/"),
  catalog: (file) => parsePnpmLock(file.data, file.path),
};
