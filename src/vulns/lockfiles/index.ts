import type { Cataloger } from "../../core/cataloger.js";
import { npmCataloger } from "../../images/index.js";
import { cargoCataloger } from "./cargo.js";
import { composerCataloger } from "./composer.js";
import { gemfileCataloger } from "./gemfile.js";
import { goModCataloger } from "./gomod.js";
import { gradleCataloger } from "./gradle.js";
import { pipfileCataloger } from "./pipfile.js";
import { pnpmCataloger } from "./pnpm.js";
import { poetryCataloger } from "./poetry.js";
import { pomCataloger } from "./pom.js";
import { pythonInstalledCataloger } from "./python-installed.js";
import { pythonRequirementsCataloger } from "./python-requirements.js";
import { yarnCataloger } from "./yarn.js";

/**
 * Source-tree catalogers for `scan fs`, by id: one per file in this folder, plus the image layer's npm
 * cataloger (package-lock.json and installed package.json), reused rather than written twice.
 */
export const LOCKFILE_CATALOGERS: ReadonlyMap<string, Cataloger> = new Map(
  [
    pythonRequirementsCataloger,
    poetryCataloger,
    pipfileCataloger,
    pythonInstalledCataloger,
    goModCataloger,
    cargoCataloger,
    gemfileCataloger,
    composerCataloger,
    gradleCataloger,
    pomCataloger,
    yarnCataloger,
    pnpmCataloger,
  ].map((c) => [c.id, c]),
);

export const FS_CATALOGERS: readonly Cataloger[] = [...LOCKFILE_CATALOGERS.values(), npmCataloger];
