import type { CatalogContext, CatalogFile } from "../../core/cataloger.js";
import type { Package } from "../../core/model.js";
import type { ImageCataloger } from "./types.js";

export interface ApkPackage extends Package {
  arch?: string;
  commit?: string;
}

/** Splits an apk L: field: an SPDX expression stays whole; old space-separated lists are split. */
export function apkLicenses(l: string | undefined): string[] | undefined {
  if (!l) return undefined;
  if (/\b(AND|OR|WITH)\b|[()]/.test(l)) return [l.trim()];
  return l.split(/\s+/).filter(Boolean);
}

function* records(text: string): Generator<Array<[string, string]>> {
  let cur: Array<[string, string]> = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (cur.length) yield cur;
      cur = [];
      continue;
    }
    if (line.length < 2 || line[1] !== ":") continue;
    cur.push([line[0]!, line.slice(2)]);
  }
  if (cur.length) yield cur;
}

/** Reads apk's installed database (lib/apk/db/installed). */
export function parseApkInstalled(text: string, file: string, ctx: CatalogContext): ApkPackage[] {
  const out: ApkPackage[] = [];
  for (const rec of records(text)) {
    const get = (k: string) => rec.find(([key]) => key === k)?.[1];
    const name = get("P");
    const version = get("V");
    if (!name) continue;
    if (!version) {
      ctx.errors.push({
        file,
        message: `apk package "${name}" has no version; skipped`,
        code: "apk-no-version",
      });
      continue;
    }
    const origin = get("o") || name;
    const licenses = apkLicenses(get("L"));
    const arch = get("A");
    const commit = get("c");
    out.push({
      name,
      version,
      ecosystem: "Alpine",
      sourceName: origin,
      sourceVersion: version,
      ...(licenses ? { licenses } : {}),
      ...(arch ? { arch } : {}),
      ...(commit ? { commit } : {}),
      path: file,
    });
  }
  return out;
}

export function apkOwnedFiles(text: string): string[] {
  const out: string[] = [];
  let dir = "";
  for (const line of text.split("\n")) {
    if (line.startsWith("F:")) dir = line.slice(2);
    else if (line.startsWith("R:")) out.push(dir ? `${dir}/${line.slice(2)}` : line.slice(2));
  }
  return out;
}

export const apkCataloger: ImageCataloger = {
  id: "apk",
  osPackages: true,
  wants: (path) => path === "lib/apk/db/installed",
  catalog: (file: CatalogFile, ctx) => parseApkInstalled(file.data.toString("utf8"), file.path, ctx),
  owns: (file) => apkOwnedFiles(file.data.toString("utf8")),
};
