import { parse as parseYaml } from "yaml";
import { commitOf } from "./js-commit.js";
import { baseName, dedupe, type ImageCataloger, type LangPackage } from "./types.js";

/** Name of a yarn descriptor: "name@range", "@scope/name@range", "alias@npm:real@range". */
function nameOfDescriptor(spec: string): string {
  const s = spec.trim().replace(/^"|"$/g, "");
  const npm = s.indexOf("@npm:");
  if (npm > 0) {
    const rest = s.slice(npm + 5);
    const at = rest.lastIndexOf("@");
    // "alias@npm:real@range" names "real"; "name@npm:1.2.3" names "name".
    if (at > 0) return rest.slice(0, at);
    return s.slice(0, npm);
  }
  const at = s.indexOf("@", 1);
  return at > 0 ? s.slice(0, at) : s;
}

/** yarn classic (v1) lockfile: "spec, spec:" headers, then indented `key "value"` lines. */
export function parseYarnV1(text: string, file: string): LangPackage[] {
  const out: LangPackage[] = [];
  let cur: { name: string; version?: string; resolved?: string } | undefined;
  const flush = () => {
    if (cur?.version !== undefined) {
      const commit = commitOf(cur.resolved);
      out.push({
        name: cur.name,
        version: cur.version,
        ecosystem: "npm",
        path: file,
        ...(commit ? { commit } : {}),
      });
    }
    cur = undefined;
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    if (!line.startsWith(" ")) {
      flush();
      const header = line.replace(/:\s*$/, "");
      const first = header.split(/,\s*/)[0] ?? "";
      cur = { name: nameOfDescriptor(first) };
      continue;
    }
    if (!cur || line.startsWith("    ")) continue;
    const m = /^\s+(\w+)\s+"?([^"]*)"?\s*$/.exec(line);
    if (!m) continue;
    if (m[1] === "version") cur.version = m[2];
    else if (m[1] === "resolved") cur.resolved = m[2];
  }
  flush();
  return dedupe(out);
}

/** yarn berry (v2+) lockfile: YAML whose entries have version and resolution. */
export function parseYarnBerry(text: string, file: string): LangPackage[] {
  const doc = parseYaml(text, { uniqueKeys: false }) as Record<
    string,
    { version?: unknown; resolution?: unknown }
  > | null;
  const out: LangPackage[] = [];
  for (const [key, entry] of Object.entries(doc ?? {})) {
    if (key === "__metadata" || !entry || typeof entry !== "object") continue;
    const resolution = typeof entry.resolution === "string" ? entry.resolution : "";
    if (/@(workspace|link|portal):/.test(resolution)) continue;
    const name = resolution ? nameOfDescriptor(resolution) : nameOfDescriptor(key.split(",")[0] ?? key);
    const version = entry.version === undefined ? "" : String(entry.version);
    const commit = commitOf(resolution);
    out.push({ name, version, ecosystem: "npm", path: file, ...(commit ? { commit } : {}) });
  }
  return dedupe(out);
}

export function parseYarnLock(data: Buffer, file: string): LangPackage[] {
  const text = data.toString("utf8");
  return /^__metadata:/m.test(text) ? parseYarnBerry(text, file) : parseYarnV1(text, file);
}

export const yarnCataloger: ImageCataloger = {
  id: "yarn",
  wants: (path, size) => baseName(path) === "yarn.lock" && size < 64 << 20 && !path.includes("node_modules/"),
  catalog: (file) => parseYarnLock(file.data, file.path),
};
