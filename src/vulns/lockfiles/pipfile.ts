import type { Cataloger } from "../../core/cataloger.js";
import { baseName, LockfileError, type LockPackage, MAX_LOCKFILE_BYTES, parseJson, pkg } from "./util.js";

export const pipfileCataloger: Cataloger = {
  id: "pipfile-lock",
  wants: (path, size) => baseName(path) === "Pipfile.lock" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    const doc = parseJson(file.data, file.path) as Record<string, unknown>;
    if (typeof doc !== "object" || doc === null)
      throw new LockfileError("lockfile-parse", `${file.path}: not an object`);
    const out: LockPackage[] = [];
    for (const group of ["default", "develop"]) {
      const deps = doc[group];
      if (typeof deps !== "object" || deps === null) continue;
      for (const [name, d] of Object.entries(deps as Record<string, { version?: unknown }>)) {
        const v = typeof d?.version === "string" ? d.version.replace(/^===?/, "") : "";
        if (!v) continue;
        out.push(pkg(name, v, "PyPI", file.path, group === "develop" ? { dev: true } : {}));
      }
    }
    return out;
  },
};
