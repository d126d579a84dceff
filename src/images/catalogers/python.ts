import type { CatalogFile } from "../../core/cataloger.js";
import { baseName, type ImageCataloger, type LangPackage } from "./types.js";

/** Parses the RFC 822-style header block of METADATA / PKG-INFO (the body after a blank line is ignored). */
export function parseCoreMetadata(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break;
    if ((line[0] === " " || line[0] === "\t") && last) {
      const vals = out.get(last)!;
      vals[vals.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    const list = out.get(last) ?? [];
    list.push(line.slice(colon + 1).trim());
    out.set(last, list);
  }
  return out;
}

/** Licenses: License-Expression (PEP 639), else License (unless it is a whole license text), else classifiers. */
function licensesOf(md: Map<string, string[]>): string[] | undefined {
  const expr = md.get("license-expression")?.[0];
  if (expr) return [expr];
  const lic = md.get("license")?.[0];
  if (lic && lic !== "UNKNOWN" && !lic.includes("\n") && lic.length < 100) return [lic];
  const classifiers = (md.get("classifier") ?? [])
    .filter((c) => c.startsWith("License :: "))
    .map((c) => c.split(" :: ").at(-1)!)
    .filter((c) => c !== "OSI Approved");
  return classifiers.length ? classifiers : undefined;
}

export function parsePythonMetadata(data: Buffer, file: string): LangPackage[] {
  const md = parseCoreMetadata(data.toString("utf8"));
  const name = md.get("name")?.[0];
  const version = md.get("version")?.[0];
  if (!name || !version) {
    throw Object.assign(new Error(`${file}: metadata has no Name or Version`), { code: "parse-error" });
  }
  const licenses = licensesOf(md);
  return [{ name, version, ecosystem: "PyPI", path: file, ...(licenses ? { licenses } : {}) }];
}

/** Installed distributions: NAME.dist-info/METADATA, NAME.egg-info/PKG-INFO, or a NAME.egg-info file. */
export function isPythonMetadata(path: string): boolean {
  const base = baseName(path);
  if (base === "METADATA") return /\.dist-info\/METADATA$/.test(path);
  if (base === "PKG-INFO") return /\.egg-info\/PKG-INFO$/.test(path);
  return base.endsWith(".egg-info") && /(site|dist)-packages\//.test(path);
}

export const pythonCataloger: ImageCataloger = {
  id: "python",
  wants: (path, size) => size < 8 << 20 && isPythonMetadata(path),
  catalog: (file: CatalogFile) => parsePythonMetadata(file.data, file.path),
};
