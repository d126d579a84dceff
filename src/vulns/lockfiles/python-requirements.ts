import type { Cataloger } from "../../core/cataloger.js";
import { baseName, type LockPackage, MAX_LOCKFILE_BYTES, pkg } from "./util.js";

/** requirements*.txt: only pinned requirements (name==version / name===version) name an installed version. */
export const pythonRequirementsCataloger: Cataloger = {
  id: "python-requirements",
  wants: (path, size) => /^requirements.*\.txt$/.test(baseName(path)) && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    const out: LockPackage[] = [];
    // Backslash continuations join lines (hash options are often wrapped that way).
    const text = file.data.toString("utf8").replace(/\\\r?\n/g, " ");
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.replace(/(^|\s)#.*$/, "").trim();
      if (!line || line.startsWith("-")) continue;
      const spec = line
        .split(";")[0]!
        .replace(/\s--hash[= ]\S+/g, "")
        .trim();
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s,;]+)$/.exec(spec);
      if (!m) continue;
      out.push(pkg(m[1]!, m[2]!, "PyPI", file.path));
    }
    return out;
  },
};
