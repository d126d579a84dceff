import type { Cataloger } from "../../core/cataloger.js";
import { baseName, MAX_LOCKFILE_BYTES, pkg, tomlPackageTables } from "./util.js";

export const cargoCataloger: Cataloger = {
  id: "cargo-lock",
  wants: (path, size) => baseName(path) === "Cargo.lock" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    return tomlPackageTables(file.data.toString("utf8"))
      .filter((t) => t.name && t.version)
      .map((t) => pkg(t.name!, t.version!, "crates.io", file.path));
  },
};
