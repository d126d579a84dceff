import type { Cataloger } from "../../core/cataloger.js";
import { baseName, MAX_LOCKFILE_BYTES, pkg, tomlPackageTables } from "./util.js";

export const poetryCataloger: Cataloger = {
  id: "poetry-lock",
  wants: (path, size) => baseName(path) === "poetry.lock" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    return tomlPackageTables(file.data.toString("utf8"))
      .filter((t) => t.name && t.version)
      .map((t) => pkg(t.name!, t.version!, "PyPI", file.path, t.category === "dev" ? { dev: true } : {}));
  },
};
