import { inflateSync } from "node:zlib";
import type { CatalogContext, CatalogFile } from "../../core/cataloger.js";
import { isRecord } from "../../core/object.js";
import { ImageError } from "../errors.js";
import { isElf, parseElf, sectionData } from "./elf.js";
import { isExecutableCandidate } from "./gobinary.js";
import type { ImageCataloger, LangPackage } from "./types.js";

/** Largest dependency list inflated from .dep-v0: real ones are kilobytes; more is a zlib bomb. */
const MAX_DEP_JSON_BYTES = 16 << 20;

/**
 * Reads the dependency list cargo-auditable embeds in a Rust binary (zlib-compressed JSON in .dep-v0).
 * A binary without the section gives nothing; one whose section is cut off, not zlib, too large once
 * inflated or not the expected JSON is a "parse-error"; entries without a name and version are
 * listed in `ctx.errors` and the others kept.
 */
export function rustAuditablePackages(
  data: Buffer,
  file: string,
  ctx: CatalogContext = { errors: [] },
): LangPackage[] {
  const elf = parseElf(data);
  if (!elf) return [];
  const declared = elf.sections.find((s) => s.name === ".dep-v0");
  if (!declared) return [];
  const bad = (why: string) => new ImageError("parse-error", `unreadable .dep-v0 section (${why})`, file);
  const sec = sectionData(elf, ".dep-v0");
  if (!sec)
    throw bad(
      `it claims ${declared.size} bytes at offset ${declared.offset}, past the end of the ${data.length}-byte file`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(inflateSync(sec, { maxOutputLength: MAX_DEP_JSON_BYTES }).toString("utf8"));
  } catch (err) {
    throw bad(
      (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
        ? `it inflates to more than ${MAX_DEP_JSON_BYTES} bytes`
        : (err as Error).message,
    );
  }
  if (!isRecord(doc) || !Array.isArray(doc.packages)) throw bad("no packages list");
  const out: LangPackage[] = [];
  for (const [i, p] of doc.packages.entries()) {
    if (!isRecord(p) || typeof p.name !== "string" || typeof p.version !== "string") {
      ctx.errors.push({
        file,
        message: `rust-binary: .dep-v0 packages[${i}] has no name and version strings; skipped`,
        code: "parse-error",
      });
      continue;
    }
    if (p.root === true || p.kind === "build") continue;
    out.push({ name: p.name, version: p.version, ecosystem: "crates.io", path: file });
  }
  return out;
}

export const rustBinaryCataloger: ImageCataloger = {
  id: "rust-binary",
  wants: isExecutableCandidate,
  catalog: (file: CatalogFile, ctx: CatalogContext) =>
    isElf(file.data) ? rustAuditablePackages(file.data, file.path, ctx) : [],
};
