import { apkCataloger } from "./apk.js";
import { dpkgCataloger } from "./dpkg.js";
import type { ImageCataloger } from "./types.js";

/** Every cataloger, registered explicitly (one per file in this folder). */
export const CATALOGERS: ReadonlyMap<string, ImageCataloger> = new Map(
  [dpkgCataloger, apkCataloger].map((c) => [c.id, c]),
);
