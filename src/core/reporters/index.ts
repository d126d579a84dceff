import { jsonReporter } from "./json.js";
import type { Reporter } from "./types.js";

/** Every output format, by --format id. Add a reporter here and in docs/reports.md. */
export const REPORTERS: ReadonlyMap<string, Reporter> = new Map([jsonReporter].map((r) => [r.id, r]));

export type { Reporter, ReporterOptions } from "./types.js";
