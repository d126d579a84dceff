import type { Cataloger } from "../../core/cataloger.js";
import { commitOf } from "./commit.js";
import { baseName, type LockPackage, MAX_LOCKFILE_BYTES, pkg } from "./util.js";

/** The package a yarn specifier ("name@range", "alias@npm:real@range", "@scope/name@...") names. */
function nameOf(spec: string): string {
  const s = spec.trim().replace(/^"|"$/g, "");
  const alias = /^@?[^@]+@npm:(@?[^@]+)@/.exec(s);
  if (alias) return alias[1]!;
  const at = s.indexOf("@", 1);
  return at < 0 ? s : s.slice(0, at);
}

function unquote(v: string): string {
  return v.trim().replace(/^"(.*)"$/, "$1");
}

/**
 * yarn.lock, classic (v1, `version "x"` / `resolved "url"`) and berry (v2+, YAML with `version:` /
 * `resolution:`). Workspace entries of berry lockfiles are the project itself and are left out.
 */
export const yarnCataloger: Cataloger = {
  id: "yarn-lock",
  wants: (path, size) => baseName(path) === "yarn.lock" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    const out: LockPackage[] = [];
    type Entry = { header: string; fields: Map<string, string> };
    const entries: Entry[] = [];
    let cur: Entry | undefined;
    for (const line of file.data.toString("utf8").split(/\r?\n/)) {
      if (!line.trim() || line.trimStart().startsWith("#")) continue;
      if (!/^\s/.test(line)) {
        cur = { header: line.replace(/:\s*$/, ""), fields: new Map() };
        entries.push(cur);
        continue;
      }
      // Only the entry's own fields (two-space indent), not its dependency lists.
      const m = /^ {2}([\w"-]+):? (.+)$/.exec(line);
      if (cur && m && !/^ {3}/.test(line)) cur.fields.set(m[1]!.replace(/"/g, ""), unquote(m[2]!));
    }
    for (const e of entries) {
      if (e.header === "__metadata") continue;
      const version = e.fields.get("version");
      if (version === undefined) continue;
      const resolution = e.fields.get("resolution");
      if (resolution && /@(workspace|link|portal):/.test(resolution)) continue;
      const specs = unquote(e.header).split(/",\s*"|,\s+/);
      let name = nameOf(specs[0]!);
      if (resolution) {
        const r = /^(@?[^@]+)@/.exec(resolution);
        if (r) name = r[1]!;
      }
      const commit = commitOf(e.fields.get("resolved") ?? resolution);
      out.push(pkg(name, version, "npm", file.path, commit ? { commit } : {}));
    }
    return out;
  },
};
