import { apkCataloger } from "./apk.js";
import { dpkgCataloger } from "./dpkg.js";
import { dpkgCopyrightCataloger } from "./dpkg-copyright.js";
import { goBinaryCataloger } from "./gobinary.js";
import { javaCataloger } from "./java.js";
import { npmCataloger } from "./npm.js";
import { pnpmCataloger } from "./pnpm.js";
import { pythonCataloger } from "./python.js";
import { rpmCataloger } from "./rpm.js";
import { rubyCataloger } from "./ruby.js";
import { rustBinaryCataloger } from "./rust.js";
import type { ImageCataloger } from "./types.js";
import { yarnCataloger } from "./yarn.js";

/** Every cataloger, registered explicitly (one per file in this folder; helpers live beside them). */
export const CATALOGERS: ReadonlyMap<string, ImageCataloger> = new Map(
  [
    dpkgCataloger,
    dpkgCopyrightCataloger,
    apkCataloger,
    rpmCataloger,
    npmCataloger,
    yarnCataloger,
    pnpmCataloger,
    pythonCataloger,
    goBinaryCataloger,
    rustBinaryCataloger,
    javaCataloger,
    rubyCataloger,
  ].map((c) => [c.id, c]),
);

/** Files in this folder that are helpers, not catalogers (the registry test checks the rest are registered). */
export const HELPER_FILES = [
  "index.ts",
  "types.ts",
  "rfc822.ts",
  "js-commit.ts",
  "rpm-header.ts",
  "bdb.ts",
  "elf.ts",
  "zip.ts",
];
