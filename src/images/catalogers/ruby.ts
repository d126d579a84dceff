import type { CatalogFile } from "../../core/cataloger.js";
import type { ImageCataloger, LangPackage } from "./types.js";

function unquote(s: string): string | undefined {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')/.exec(s);
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * Reads an installed gem's specification (specifications/NAME-VERSION.gemspec, as RubyGems writes it):
 * `s.name = "x"`, `s.version = "1.2.3"`, `s.licenses = ["MIT"]`. Ruby is not evaluated.
 */
export function parseGemspec(data: Buffer, file: string): LangPackage[] {
  const text = data.toString("utf8");
  let name: string | undefined;
  let version: string | undefined;
  let licenses: string[] | undefined;
  for (const line of text.split("\n")) {
    const m = /^\s*\w+\.(name|version|licenses?)\s*=\s*(.+)$/.exec(line);
    if (!m) continue;
    const rhs = m[2]!.replace(/\.freeze/g, "");
    if (m[1] === "name") name = unquote(rhs) ?? name;
    else if (m[1] === "version") {
      const gv = /Gem::Version\.new\(\s*(["'][^"']*["'])\s*\)/.exec(rhs);
      version = unquote(gv ? gv[1]! : rhs) ?? version;
    } else {
      const list = [...rhs.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)].map((x) => x[1] ?? x[2]!);
      if (list.length) licenses = list;
    }
  }
  if (!name || !version)
    throw Object.assign(new Error(`${file}: gemspec has no name or version`), { code: "parse-error" });
  return [{ name, version, ecosystem: "RubyGems", path: file, ...(licenses ? { licenses } : {}) }];
}

export const rubyCataloger: ImageCataloger = {
  id: "ruby",
  wants: (path, size) => size < 4 << 20 && /(^|\/)specifications\/[^/]+\.gemspec$/.test(path),
  catalog: (file: CatalogFile) => parseGemspec(file.data, file.path),
};
