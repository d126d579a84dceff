import type { Cataloger } from "../../core/cataloger.js";
import { baseName, type LockPackage, MAX_LOCKFILE_BYTES, parseJson, pkg } from "./util.js";

export const composerCataloger: Cataloger = {
  id: "composer-lock",
  wants: (path, size) => baseName(path) === "composer.lock" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    const doc = parseJson(file.data, file.path) as Record<string, unknown>;
    const out: LockPackage[] = [];
    for (const [group, dev] of [
      ["packages", false],
      ["packages-dev", true],
    ] as const) {
      const list = doc?.[group];
      if (!Array.isArray(list)) continue;
      for (const p of list as Array<{ name?: unknown; version?: unknown }>) {
        if (typeof p?.name !== "string" || typeof p.version !== "string") continue;
        out.push(
          pkg(p.name, p.version.replace(/^v(?=\d)/, ""), "Packagist", file.path, dev ? { dev: true } : {}),
        );
      }
    }
    return out;
  },
};
