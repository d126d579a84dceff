import type { Cataloger } from "../../core/cataloger.js";
import { MAX_LOCKFILE_BYTES, pkg } from "./util.js";

/** Installed Python distributions: *.dist-info/METADATA and *.egg-info/PKG-INFO (core metadata Name/Version). */
export const pythonInstalledCataloger: Cataloger = {
  id: "python-installed",
  wants: (path, size) =>
    /\.(dist-info\/METADATA|egg-info\/PKG-INFO)$/.test(path) && size <= MAX_LOCKFILE_BYTES,
  catalog(file, ctx) {
    // Headers end at the first blank line; the long description follows.
    const head = file.data.toString("utf8").split(/\r?\n\r?\n/)[0]!;
    const name = /^Name:\s*(.+)$/m.exec(head)?.[1]?.trim();
    const version = /^Version:\s*(.+)$/m.exec(head)?.[1]?.trim();
    if (!name || !version) {
      ctx.errors.push({
        file: file.path,
        message: `${file.path}: no Name/Version in Python package metadata`,
        code: "python-metadata",
      });
      return [];
    }
    const license = /^License-Expression:\s*(.+)$/m.exec(head)?.[1]?.trim();
    return [pkg(name, version, "PyPI", file.path, license ? { licenses: [license] } : {})];
  },
};
