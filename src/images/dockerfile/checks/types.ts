import type { CheckMeta } from "../../../core/check.js";
import type { Dockerfile } from "../parse.js";

export interface DockerfileViolation {
  message: string;
  line?: number;
}

/** A check over one Dockerfile (layer "image"). Pure. */
export interface DockerfileCheck extends CheckMeta {
  layer: "image";
  run(df: Dockerfile): DockerfileViolation[];
}
