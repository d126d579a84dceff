import type { CatalogContext, CatalogFile } from "../../core/cataloger.js";
import { baseName, type ImageCataloger, type LangPackage } from "./types.js";
import { listZip, readZipEntry } from "./zip.js";

const ARCHIVE_RE = /\.(jar|war|ear|par|sar|jpi|hpi|nar)$/i;
const MAX_ENTRY = 32 << 20;
const MAX_DEPTH = 4;

function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("!")) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** MANIFEST.MF main section: "Key: value" with 72-byte continuation lines. */
export function parseManifestMf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break;
    if (line.startsWith(" ") && last) {
      out[last] += line.slice(1);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    out[last] = line.slice(colon + 1).trim();
  }
  return out;
}

/** "commons-lang3-3.12.0.jar" → name and version. */
function fromFileName(file: string): { artifact: string; version: string } | undefined {
  const m = /^(.+?)[-_](\d[\w.+-]*)\.\w+$/.exec(baseName(file));
  return m ? { artifact: m[1]!, version: m[2]! } : undefined;
}

/** Inventories a Java archive: pom.properties, else MANIFEST.MF, else the file name; nested archives too. */
export function javaArchivePackages(
  data: Buffer,
  file: string,
  ctx: CatalogContext,
  depth = 0,
): LangPackage[] {
  let entries: ReturnType<typeof listZip>;
  try {
    entries = listZip(data);
  } catch (err) {
    ctx.errors.push({
      file,
      message: `not a readable Java archive: ${(err as Error).message}`,
      code: "java-bad-archive",
    });
    return [];
  }
  const out: LangPackage[] = [];
  const read = (name: string) => {
    const e = entries.find((x) => x.name === name);
    return e ? readZipEntry(data, e, MAX_ENTRY) : undefined;
  };
  try {
    for (const e of entries) {
      if (!/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(e.name)) continue;
      const props = parseProperties(readZipEntry(data, e, MAX_ENTRY).toString("utf8"));
      if (props.groupId && props.artifactId && props.version) {
        out.push({
          name: `${props.groupId}:${props.artifactId}`,
          version: props.version,
          ecosystem: "Maven",
          path: file,
        });
      }
    }
    if (out.length === 0) {
      const mf = read("META-INF/MANIFEST.MF");
      const m = mf ? parseManifestMf(mf.toString("utf8")) : {};
      const fn = fromFileName(file);
      const version = m["Implementation-Version"] ?? m["Bundle-Version"] ?? fn?.version;
      const artifact = m["Implementation-Title"] ?? m["Bundle-SymbolicName"]?.split(";")[0] ?? fn?.artifact;
      const group =
        m["Implementation-Vendor-Id"] ?? m["Bundle-SymbolicName"]?.split(";")[0]?.replace(/\.[^.]+$/, "");
      if (artifact && version) {
        const a =
          artifact.includes(".") && group && artifact.startsWith(`${group}.`)
            ? artifact.slice(group.length + 1)
            : artifact;
        out.push({
          name: group && group !== a ? `${group}:${a}` : a,
          version,
          ecosystem: "Maven",
          path: file,
        });
      }
    }
    if (depth < MAX_DEPTH) {
      for (const e of entries) {
        if (!ARCHIVE_RE.test(e.name) || e.name.endsWith("/")) continue;
        const inner = readZipEntry(data, e, MAX_ENTRY);
        out.push(...javaArchivePackages(inner, `${file}!/${e.name}`, ctx, depth + 1));
      }
    }
  } catch (err) {
    ctx.errors.push({ file, message: (err as Error).message, code: "java-bad-archive" });
  }
  return out;
}

export const javaCataloger: ImageCataloger = {
  id: "java",
  wants: (path) => ARCHIVE_RE.test(path),
  catalog: (file: CatalogFile, ctx) => javaArchivePackages(file.data, file.path, ctx),
};
