import type { Cataloger } from "../../core/cataloger.js";
import { parseYarnLock } from "../../images/index.js";
import { baseName, MAX_LOCKFILE_BYTES } from "./util.js";

/**
 * yarn.lock, classic (v1) and berry (v2+), read by the image layer's parser (workspace entries of berry
 * lockfiles are the project itself and are left out). Unlike the image cataloger, this one also reads
 * yarn.lock files under node_modules.
 */
export const yarnCataloger: Cataloger = {
  id: "yarn-lock",
  wants: (path, size) => baseName(path) === "yarn.lock" && size <= MAX_LOCKFILE_BYTES,
  catalog: (file) => parseYarnLock(file.data, file.path),
};
