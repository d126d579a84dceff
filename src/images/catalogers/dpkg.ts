import type { CatalogContext, CatalogFile } from "../../core/cataloger.js";
import type { Package } from "../../core/model.js";
import { parseControlParagraphs } from "./rfc822.js";
import { baseName, type ImageCataloger } from "./types.js";

export interface DpkgPackage extends Package {
  arch?: string;
  status?: string;
}

export interface DpkgOptions {
  /** Also list packages whose Status is not "... installed" (config-files, unpacked, half-installed). */
  includeNotInstalled?: boolean;
}

/** Parses "Source: name" or "Source: name (version)". */
export function parseSourceField(
  source: string | undefined,
  name: string,
  version: string,
): { sourceName: string; sourceVersion: string } {
  if (!source) return { sourceName: name, sourceVersion: version };
  const m = /^(\S+)\s*(?:\(([^)]+)\))?/.exec(source.trim());
  if (!m) return { sourceName: name, sourceVersion: version };
  return { sourceName: m[1]!, sourceVersion: m[2]?.trim() || version };
}

/** Reads a dpkg status database (var/lib/dpkg/status) or a distroless per-package file (status.d/NAME). */
export function parseDpkgStatus(
  text: string,
  file: string,
  ctx: CatalogContext,
  opts: DpkgOptions = {},
): DpkgPackage[] {
  const perPackageFile = file.includes("/status.d/");
  const out: DpkgPackage[] = [];
  for (const para of parseControlParagraphs(text)) {
    const name = para.get("Package");
    const version = para.get("Version");
    if (!name) continue;
    if (!version) {
      ctx.errors.push({
        file,
        message: `dpkg package "${name}" has no Version; skipped`,
        code: "dpkg-no-version",
      });
      continue;
    }
    const status = para.get("Status");
    // Upstream semantics: the package is installed when the status' last word is "installed".
    // A distroless status.d file carries no Status field: what it lists is installed.
    if (!opts.includeNotInstalled) {
      if (status === undefined ? !perPackageFile : status.split(/\s+/).at(-1) !== "installed") continue;
    }
    const src = parseSourceField(para.get("Source"), name, version);
    const arch = para.get("Architecture");
    out.push({
      name,
      version,
      ecosystem: "Debian",
      ...src,
      ...(arch ? { arch } : {}),
      ...(status ? { status } : {}),
      path: file,
    });
  }
  return out;
}

function isStatusD(path: string): boolean {
  return /(^|\/)var\/lib\/dpkg\/status\.d\/[^/]+$/.test(path);
}

export const dpkgCataloger: ImageCataloger = {
  id: "dpkg",
  osPackages: true,
  wants(path) {
    if (path === "var/lib/dpkg/status") return true;
    if (isStatusD(path)) return true;
    return /^var\/lib\/dpkg\/info\/[^/]+\.list$/.test(path);
  },
  catalog(file, ctx) {
    if (file.path.endsWith(".list") && file.path.startsWith("var/lib/dpkg/info/")) return [];
    if (isStatusD(file.path) && /\.(md5sums|sha256sums)$/.test(file.path)) return [];
    return parseDpkgStatus(file.data.toString("utf8"), file.path, ctx);
  },
  owns(file: CatalogFile) {
    const text = file.data.toString("utf8");
    if (file.path.endsWith(".list") && file.path.startsWith("var/lib/dpkg/info/")) {
      return text
        .split("\n")
        .map((l) => l.replace(/^\/+/, ""))
        .filter(Boolean);
    }
    if (isStatusD(file.path) && baseName(file.path).endsWith(".md5sums")) {
      return text
        .split("\n")
        .map((l) => l.replace(/^[0-9a-f]+\s+/, "").replace(/^\/+/, ""))
        .filter(Boolean);
    }
    return [];
  },
};
