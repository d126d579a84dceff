import type { Cataloger } from "../../core/cataloger.js";
import { parsePnpmLock } from "../../images/index.js";
import { baseName, LockfileError, MAX_LOCKFILE_BYTES } from "./util.js";

/**
 * pnpm-lock.yaml (lockfile versions 5 to 9), read by the image layer's parser; invalid YAML is this
 * layer's "lockfile-parse" error. Unlike the image cataloger, this one also reads lockfiles under
 * node_modules.
 */
export const pnpmCataloger: Cataloger = {
  id: "pnpm-lock",
  wants: (path, size) => baseName(path) === "pnpm-lock.yaml" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    try {
      return parsePnpmLock(file.data, file.path);
    } catch (e) {
      throw new LockfileError("lockfile-parse", `${file.path}: invalid YAML (${(e as Error).message})`);
    }
  },
};
