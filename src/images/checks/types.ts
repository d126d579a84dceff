import type { OsInfo } from "../../core/cataloger.js";
import type { CheckMeta } from "../../core/check.js";
import type { Package, Severity, Status } from "../../core/model.js";
import type { HistoryEntry, ImageConfig, ImageMetadata } from "../types.js";
import type { VirtualFs } from "../vfs.js";

/** Everything an image check may look at: the inventory, nothing read from outside. */
export interface ImageFacts {
  image: ImageMetadata;
  config: ImageConfig;
  history: HistoryEntry[];
  os?: OsInfo;
  packages: readonly Package[];
  fs: VirtualFs;
}

export interface ImageCheckContext {
  /** The clock, injected (EOL dates). */
  now: Date;
}

export interface ImageViolation {
  message: string;
  severity?: Severity;
  status?: Status;
  details?: Record<string, unknown>;
}

/** A build-hygiene check of an image (layer "image"). Pure: no I/O, no clock but ctx.now. */
export interface ImageCheck extends CheckMeta {
  layer: "image";
  run(facts: ImageFacts, ctx: ImageCheckContext): ImageViolation[];
}
