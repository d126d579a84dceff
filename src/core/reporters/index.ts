import { jsonReporter } from "./json.js";
import { junitReporter } from "./junit.js";
import { policyReportReporter } from "./policyreport.js";
import { sarifReporter } from "./sarif.js";
import { tableReporter } from "./table.js";
import type { Reporter } from "./types.js";

/** Every output format, by --format id. Add a reporter here and in docs/reports.md. */
export const REPORTERS: ReadonlyMap<string, Reporter> = new Map(
  [tableReporter, jsonReporter, sarifReporter, junitReporter, policyReportReporter].map((r) => [r.id, r]),
);

export type { Reporter, ReporterOptions } from "./types.js";
