import type { Report } from "../model.js";

export interface ReporterOptions {
  /** Colour and terminal-only touches; never set when writing to a file or a pipe. */
  color: boolean;
  /** Check metadata by id, for formats that list rules (SARIF, JUnit). */
  rules?: ReadonlyMap<string, import("../check.js").CheckMeta>;
}

/** Renders a report. Must be deterministic: the same report gives the same bytes. */
export interface Reporter {
  id: string;
  description: string;
  render(report: Report, opts: ReporterOptions): string;
}
