import type { Cataloger } from "../../core/cataloger.js";
import { baseName, type LockPackage, MAX_LOCKFILE_BYTES, pkg } from "./util.js";

/** Gemfile.lock: the four-space-indented `name (version)` lines under a GEM section's `specs:`. */
export const gemfileCataloger: Cataloger = {
  id: "gemfile-lock",
  wants: (path, size) => baseName(path) === "Gemfile.lock" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    const out: LockPackage[] = [];
    let section = "";
    let inSpecs = false;
    for (const line of file.data.toString("utf8").split(/\r?\n/)) {
      if (/^\S/.test(line)) {
        section = line.trim();
        inSpecs = false;
        continue;
      }
      if (/^ {2}specs:\s*$/.test(line)) {
        inSpecs = section === "GEM";
        continue;
      }
      if (!inSpecs) continue;
      const m = /^ {4}([^\s(]+) \(([^)]+)\)\s*$/.exec(line);
      if (!m) continue;
      // A platform-specific gem is spelled "1.13.10-x86_64-linux": the platform is not part of the version.
      const version = m[2]!.replace(
        /-(?:x86|x64|arm|aarch|universal|java|mswin|mingw|darwin|linux)[\w.-]*$/,
        "",
      );
      out.push(pkg(m[1]!, version, "RubyGems", file.path));
    }
    return out;
  },
};
