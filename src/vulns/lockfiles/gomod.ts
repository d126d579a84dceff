import type { Cataloger } from "../../core/cataloger.js";
import { baseName, type LockPackage, MAX_LOCKFILE_BYTES, pkg } from "./util.js";

/**
 * go.mod: required module versions, with `replace` directives applied (a replacement by a local
 * path drops the module: there is no version to match). The `go` line is a minimum language version,
 * not the toolchain a binary was built with, so no stdlib package comes from here.
 */
export const goModCataloger: Cataloger = {
  id: "go-mod",
  wants: (path, size) => baseName(path) === "go.mod" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    const req = new Map<string, string>();
    const replace: Array<{ from: string; fromVersion?: string; to: string; toVersion?: string }> = [];
    let block: string | undefined;
    for (const raw of file.data.toString("utf8").split(/\r?\n/)) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      if (!line) continue;
      if (block) {
        if (line === ")") {
          block = undefined;
          continue;
        }
        handle(block, line);
        continue;
      }
      const m = /^(require|replace|exclude|retract)\s*\($/.exec(line);
      if (m) {
        block = m[1];
        continue;
      }
      const d = /^(require|replace)\s+(.*)$/.exec(line);
      if (d) handle(d[1]!, d[2]!);
    }
    function handle(kind: string, rest: string) {
      const f = rest.split(/\s+/);
      if (kind === "require" && f.length >= 2) req.set(f[0]!, f[1]!);
      if (kind === "replace") {
        const arrow = f.indexOf("=>");
        if (arrow < 0) return;
        const left = f.slice(0, arrow);
        const right = f.slice(arrow + 1);
        replace.push({ from: left[0]!, fromVersion: left[1], to: right[0]!, toVersion: right[1] });
      }
    }
    const out: LockPackage[] = [];
    for (const [mod, version] of req) {
      const r = replace.find((x) => x.from === mod && (!x.fromVersion || x.fromVersion === version));
      if (r) {
        if (!r.toVersion) continue; // replaced by a directory
        out.push(pkg(r.to, r.toVersion, "Go", file.path));
      } else out.push(pkg(mod, version, "Go", file.path));
    }
    return out;
  },
};
