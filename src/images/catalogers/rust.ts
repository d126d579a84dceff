import { inflateSync } from "node:zlib";
import type { CatalogFile } from "../../core/cataloger.js";
import { isElf, parseElf, sectionData } from "./elf.js";
import { isExecutableCandidate } from "./gobinary.js";
import type { ImageCataloger, LangPackage } from "./types.js";

interface AuditablePackage {
  name?: string;
  version?: string;
  source?: string;
  kind?: string;
  root?: boolean;
}

/** Reads the dependency list cargo-auditable embeds in a Rust binary (zlib-compressed JSON in .dep-v0). */
export function rustAuditablePackages(data: Buffer, file: string): LangPackage[] {
  const elf = parseElf(data);
  if (!elf) return [];
  const sec = sectionData(elf, ".dep-v0");
  if (!sec) return [];
  let doc: { packages?: AuditablePackage[] };
  try {
    doc = JSON.parse(inflateSync(sec, { maxOutputLength: 16 << 20 }).toString("utf8"));
  } catch (err) {
    throw Object.assign(new Error(`${file}: unreadable .dep-v0 section (${(err as Error).message})`), {
      code: "parse-error",
    });
  }
  const out: LangPackage[] = [];
  for (const p of doc.packages ?? []) {
    if (!p.name || !p.version || p.root || p.kind === "build") continue;
    out.push({ name: p.name, version: p.version, ecosystem: "crates.io", path: file });
  }
  return out;
}

export const rustBinaryCataloger: ImageCataloger = {
  id: "rust-binary",
  wants: isExecutableCandidate,
  catalog: (file: CatalogFile) => (isElf(file.data) ? rustAuditablePackages(file.data, file.path) : []),
};
