import type { Cataloger } from "../../core/cataloger.js";
import { isPythonMetadata, parsePythonMetadata } from "../../images/index.js";
import { MAX_LOCKFILE_BYTES } from "./util.js";

/**
 * Installed Python distributions (*.dist-info/METADATA, *.egg-info/PKG-INFO, an *.egg-info file in
 * site-packages), read by the image layer's parser so that `scan fs` and `scan image` find the same
 * names, versions and licences. Metadata without Name or Version is reported with this layer's
 * `python-metadata` code.
 */
export const pythonInstalledCataloger: Cataloger = {
  id: "python-installed",
  wants: (path, size) => isPythonMetadata(path) && size <= MAX_LOCKFILE_BYTES,
  catalog(file, ctx) {
    try {
      return parsePythonMetadata(file.data, file.path);
    } catch (err) {
      ctx.errors.push({ file: file.path, message: (err as Error).message, code: "python-metadata" });
      return [];
    }
  },
};
