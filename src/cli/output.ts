import { writeFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CheckMeta } from "../core/check.js";
import { isSeverity, type Report, SEVERITIES, type Severity } from "../core/model.js";
import { activeFindings, summarize } from "../core/report.js";
import { REPORTERS } from "../core/reporters/index.js";
import { UsageError } from "./errors.js";

/** Options every scanning command shares. */
export interface OutputOptions {
  format?: string;
  output?: string;
  severity?: string;
  exitCode?: string;
  includePassed?: boolean;
  includeSuppressed?: boolean;
}

// --severity and --exit-code are checked when the command line is parsed, so a typo fails before a long scan runs.
export function addOutputOptions(cmd: Command, formats: readonly string[] = [...REPORTERS.keys()]): Command {
  return cmd
    .addOption(
      new Option(
        "-f, --format <format>",
        "output format (default: table on a terminal, json otherwise)",
      ).choices(formats),
    )
    .option("-o, --output <file>", "write the report to FILE instead of stdout")
    .option(
      "--severity <list>",
      `only report these severities, comma-separated (${SEVERITIES.join(",")})`,
      validated(parseSeverities),
    )
    .option(
      "--exit-code <n>",
      "exit with N (0-255) when at least one finding remains after filtering",
      validated((value) => {
        if (exitCodeNumber(value) === undefined) throw new Error("expected a number 0-255");
      }),
    )
    .option("--include-passed", "also report checks that passed")
    .option("--include-suppressed", "also report findings suppressed by exceptions (marked as such)");
}

/** An option parser that checks the value with `parse` and keeps the text as given. */
export function validated(parse: (value: string) => unknown): (value: string) => string {
  return (value) => {
    try {
      parse(value);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
    return value;
  };
}

export function parseSeverities(list: string | undefined): Set<Severity> | undefined {
  if (!list) return undefined;
  const out = new Set<Severity>();
  for (const raw of list.split(",")) {
    const s = raw.trim().toLowerCase();
    if (!s) continue;
    if (!isSeverity(s)) throw new UsageError(`unknown severity "${raw}" (expected ${SEVERITIES.join(", ")})`);
    out.add(s);
  }
  return out;
}

/** Applies the user's filters to a finished report; the summary is recounted by the caller's buildReport. */
export function filterFindings(report: Report, opts: OutputOptions): Report {
  const severities = parseSeverities(opts.severity);
  const findings = report.findings.filter(
    (f) =>
      (!severities || severities.has(f.severity)) &&
      (opts.includePassed || f.status !== "pass") &&
      (opts.includeSuppressed || !f.suppressed),
  );
  return { ...report, findings, summary: summarize(findings) };
}

/**
 * Writes the report in the chosen format and returns the process exit code.
 * Only the report goes to stdout; everything else goes to stderr.
 */
export function emitReport(
  report: Report,
  opts: OutputOptions,
  rules?: ReadonlyMap<string, CheckMeta>,
): number {
  const toTerminal = !opts.output && process.stdout.isTTY === true;
  const format = opts.format ?? (toTerminal ? "table" : "json");
  const reporter = REPORTERS.get(format);
  if (!reporter)
    throw new UsageError(`unknown format "${format}" (expected ${[...REPORTERS.keys()].join(", ")})`);
  const filtered = filterFindings(report, opts);
  const text = reporter.render(filtered, { color: toTerminal && !process.env.NO_COLOR, rules });
  if (opts.output) writeOutputFile(opts.output, text);
  else process.stdout.write(text);
  return exitCodeFor(filtered, opts.exitCode);
}

/** Writes `-o FILE`; a missing directory or an unwritable file is a one-line UsageError (exit 2). */
export function writeOutputFile(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : (err as Error).message;
    throw new UsageError(`cannot write "${file}": ${reason}`);
  }
}

/** The number of `--exit-code N`, or undefined when N is not an integer 0-255. */
function exitCodeNumber(text: string): number | undefined {
  const n = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  return n <= 255 ? n : undefined;
}

export function exitCodeFor(report: Report, exitCode: string | undefined): number {
  if (exitCode === undefined) return 0;
  const n = exitCodeNumber(exitCode);
  if (n === undefined) throw new UsageError(`--exit-code takes a number 0-255, got "${exitCode}"`);
  return activeFindings(report).length > 0 ? n : 0;
}
