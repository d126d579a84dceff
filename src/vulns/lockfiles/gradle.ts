import type { Cataloger } from "../../core/cataloger.js";
import { baseName, type LockPackage, MAX_LOCKFILE_BYTES, pkg } from "./util.js";

/** gradle.lockfile (and buildscript-gradle.lockfile): `group:artifact:version=configurations` lines. */
export const gradleCataloger: Cataloger = {
  id: "gradle-lockfile",
  wants: (path, size) => /(^|-)gradle\.lockfile$/.test(baseName(path)) && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    const out: LockPackage[] = [];
    for (const raw of file.data.toString("utf8").split(/\r?\n/)) {
      const line = raw.trim();
      if (!line || line.startsWith("#") || line.startsWith("empty=")) continue;
      const m = /^([^:=\s]+):([^:=\s]+):([^:=\s]+)=/.exec(line);
      if (m) out.push(pkg(`${m[1]}:${m[2]}`, m[3]!, "Maven", file.path));
    }
    return out;
  },
};
