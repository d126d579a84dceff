import type { CatalogFile } from "../../core/cataloger.js";
import { baseName, dedupe, type ImageCataloger, type LangPackage, parseJsonFile } from "./types.js";

interface LockV1Dep {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  bundled?: boolean;
  dependencies?: Record<string, LockV1Dep>;
}

interface LockV2Pkg {
  name?: string;
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  link?: boolean;
  resolved?: string;
  license?: string | { type?: string };
}

/** A git-resolved version ("git+ssh://...#SHA", "github:o/r#SHA") becomes version "" plus the commit. */
function splitGit(version: string): { version: string; commit?: string } {
  const m = /^(?:git\+|git:|github:|gitlab:|bitbucket:)[^#]*#([0-9a-f]{7,40})$/i.exec(version);
  return m ? { version: "", commit: m[1]!.toLowerCase() } : { version };
}

/** "npm:real-name@1.2.3" aliases name the real package. */
function unalias(name: string, version: string): { name: string; version: string } {
  if (!version.startsWith("npm:")) return { name, version };
  const spec = version.slice(4);
  const at = spec.lastIndexOf("@");
  return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : { name, version };
}

function licenseOf(l: LockV2Pkg["license"]): string[] | undefined {
  if (!l) return undefined;
  if (typeof l === "string") return [l];
  return l.type ? [l.type] : undefined;
}

function walkV1(deps: Record<string, LockV1Dep>, file: string, out: LangPackage[]): void {
  for (const [key, dep] of Object.entries(deps)) {
    if (!dep || typeof dep !== "object") continue;
    if (typeof dep.version === "string") {
      const { name, version: v } = unalias(key, dep.version);
      const { version, commit } = splitGit(v);
      out.push({
        name,
        version,
        ecosystem: "npm",
        path: file,
        dev: !!dep.dev,
        ...(commit ? { commit } : {}),
      });
    }
    if (dep.dependencies) walkV1(dep.dependencies, file, out);
  }
}

/** Reads package-lock.json / npm-shrinkwrap.json, lockfileVersion 1 (dependencies) to 3 (packages). */
export function parsePackageLock(data: Buffer, file: string): LangPackage[] {
  const doc = parseJsonFile(data, file) as {
    packages?: Record<string, LockV2Pkg>;
    dependencies?: Record<string, LockV1Dep>;
  };
  if (!doc || typeof doc !== "object")
    throw Object.assign(new Error(`${file}: not a JSON object`), { code: "parse-error" });
  const out: LangPackage[] = [];
  if (doc.packages && typeof doc.packages === "object") {
    for (const [key, pkg] of Object.entries(doc.packages)) {
      if (key === "" || !pkg || typeof pkg !== "object") continue;
      // Workspace folders and links are the project's own code, not dependencies.
      if (pkg.link || !key.includes("node_modules/")) continue;
      const dirName = key.slice(key.lastIndexOf("node_modules/") + 13);
      const name = pkg.name ?? dirName;
      let v = pkg.version ?? "";
      let commit: string | undefined;
      if (pkg.resolved && /^git/.test(pkg.resolved)) {
        const g = splitGit(pkg.resolved);
        if (g.commit) commit = g.commit;
      }
      ({ version: v } = splitGit(v));
      const licenses = licenseOf(pkg.license);
      out.push({
        name,
        version: v,
        ecosystem: "npm",
        path: file,
        dev: !!(pkg.dev || pkg.devOptional),
        ...(commit ? { commit } : {}),
        ...(licenses ? { licenses } : {}),
      });
    }
  } else if (doc.dependencies && typeof doc.dependencies === "object") {
    walkV1(doc.dependencies, file, out);
  }
  return dedupe(out);
}

/** Reads an installed package's package.json (under node_modules). */
export function parseInstalledPackageJson(data: Buffer, file: string): LangPackage[] {
  const doc = parseJsonFile(data, file) as {
    name?: unknown;
    version?: unknown;
    license?: unknown;
    licenses?: unknown;
  };
  if (!doc || typeof doc.name !== "string" || typeof doc.version !== "string") return [];
  let licenses: string[] | undefined;
  if (typeof doc.license === "string") licenses = [doc.license];
  else if (doc.license && typeof (doc.license as { type?: unknown }).type === "string")
    licenses = [(doc.license as { type: string }).type];
  else if (Array.isArray(doc.licenses)) {
    licenses = doc.licenses
      .map((l) => (typeof l === "string" ? l : (l as { type?: string })?.type))
      .filter((l): l is string => !!l);
  }
  return [
    {
      name: doc.name,
      version: doc.version,
      ecosystem: "npm",
      path: file,
      ...(licenses?.length ? { licenses } : {}),
    },
  ];
}

const LOCKS = new Set(["package-lock.json", "npm-shrinkwrap.json"]);

/** package.json directly inside a node_modules package folder (node_modules/x or node_modules/@s/x). */
export function isInstalledPackageJson(path: string): boolean {
  return /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path);
}

export const npmCataloger: ImageCataloger = {
  id: "npm",
  wants(path, size) {
    if (size > 64 << 20) return false;
    const base = baseName(path);
    if (LOCKS.has(base)) return !path.includes("/node_modules/") && !path.startsWith("node_modules/");
    return base === "package.json" && isInstalledPackageJson(path);
  },
  catalog(file: CatalogFile) {
    const base = baseName(file.path);
    if (LOCKS.has(base)) return parsePackageLock(file.data, file.path);
    return parseInstalledPackageJson(file.data, file.path);
  },
};
