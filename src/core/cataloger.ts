import type { Package, ScanError } from "./model.js";

/** The distribution an image or root filesystem runs, from /etc/os-release and fallbacks. */
export interface OsInfo {
  /** os-release ID: debian, ubuntu, alpine, rhel, fedora, amzn, ... */
  family: string;
  /** os-release VERSION_ID: "12", "22.04", "3.20.1", ... */
  version: string;
  name?: string;
  codename?: string;
}

/** One file handed to a cataloger: its path relative to the root (no leading "/"), bytes, and origin. */
export interface CatalogFile {
  path: string;
  data: Buffer;
  mode?: number;
  /** Digest of the image layer that last wrote this file, when read from an image. */
  layerDigest?: string;
}

export interface CatalogContext {
  os?: OsInfo;
  /** Problems found while cataloging; each names its file. The scan goes on. */
  errors: ScanError[];
}

/**
 * Turns files into packages. Declares the paths it needs so that the layer walker
 * keeps only those in memory (Trivy's analyzers work the same way).
 */
export interface Cataloger {
  id: string;
  /** True when this file must be read for this cataloger. `size` lets it skip huge files. */
  wants(path: string, size: number, mode: number): boolean;
  catalog(file: CatalogFile, ctx: CatalogContext): Package[];
}
