import type { CatalogContext, Cataloger, CatalogFile } from "../../core/cataloger.js";
import type { Package } from "../../core/model.js";

/**
 * The image layer's cataloger: the core Cataloger plus two optional, additive hooks.
 * `owns` lists the files an OS package manager says it installed (so language packages
 * inside OS packages are not reported twice); `osPackages` marks OS package databases.
 */
export interface ImageCataloger extends Cataloger {
  osPackages?: boolean;
  owns?(file: CatalogFile, ctx: CatalogContext): string[];
  /** Facts about packages another cataloger lists (licenses from /usr/share/doc/NAME/copyright). */
  annotate?(file: CatalogFile, ctx: CatalogContext): PackageAnnotation[];
  /**
   * For wanted files too large to hold: a byte pattern the walker looks for while the file streams
   * past (at offsets that are multiples of `align`), keeping `keep` bytes from it for catalogWindow.
   */
  window?: { magic: Buffer; keep: number; align?: number };
  catalogWindow?(file: CatalogFile, ctx: CatalogContext): Package[];
}

/** Licenses for the package `name` of a package manager ("dpkg"). */
export interface PackageAnnotation {
  manager: string;
  name: string;
  licenses: string[];
}

/** Base name of a path. */
export function baseName(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? p : p.slice(i + 1);
}

export function dirName(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}

/** A language package with the extra facts lockfiles carry (all optional, all additive to the contract). */
export interface LangPackage {
  name: string;
  version: string;
  ecosystem: string;
  purl?: string;
  licenses?: string[];
  path?: string;
  sourceName?: string;
  sourceVersion?: string;
  /** Only needed for development (lockfile dev/devOptional flags). */
  dev?: boolean;
  /** Git commit for dependencies resolved from a repository. */
  commit?: string;
}

/** Merges duplicates of name@version(+commit): one package, dev only when every occurrence is dev. */
export function dedupe(pkgs: LangPackage[]): LangPackage[] {
  const byKey = new Map<string, LangPackage>();
  for (const p of pkgs) {
    const key = `${p.name}\0${p.version}\0${p.commit ?? ""}`;
    const prev = byKey.get(key);
    if (!prev) byKey.set(key, p);
    else if (prev.dev && !p.dev) prev.dev = false;
  }
  return [...byKey.values()];
}

export function parseJsonFile(data: Buffer, file: string): unknown {
  try {
    return JSON.parse(data.toString("utf8"));
  } catch (err) {
    throw Object.assign(new Error(`${file}: invalid JSON (${(err as Error).message})`), {
      code: "parse-error",
    });
  }
}
