import type { CatalogContext, Cataloger, CatalogFile } from "../../core/cataloger.js";

/**
 * The image layer's cataloger: the core Cataloger plus two optional, additive hooks.
 * `owns` lists the files an OS package manager says it installed (so language packages
 * inside OS packages are not reported twice); `osPackages` marks OS package databases.
 */
export interface ImageCataloger extends Cataloger {
  osPackages?: boolean;
  owns?(file: CatalogFile, ctx: CatalogContext): string[];
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
