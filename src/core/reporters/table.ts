// Human-readable report for terminals: findings grouped by resource, then errors,
// the compliance summary (when the scan made one) and a one-line count.
import { type Compliance, isCompliance } from "../compliance.js";
import type { Finding, Report, Severity } from "../model.js";
import type { Reporter } from "./types.js";
import {
  evidenceLine,
  evidenceOf,
  groupBy,
  renderableReport,
  resourceLabel,
  sortedFindings,
  summaryLine,
  vulnerabilityLine,
  vulnerabilityOf,
} from "./util.js";

/** Lines are wrapped to this many columns; fixed so that output does not depend on the terminal. */
export const TABLE_WIDTH = 100;
const SEVERITY_COLUMN = 9;
const MAX_ID_COLUMN = 24;

const ANSI: Record<Severity | "pass" | "bold" | "gray" | "green" | "red" | "yellow", string> = {
  critical: "\u001b[1;31m",
  high: "\u001b[31m",
  medium: "\u001b[33m",
  low: "\u001b[36m",
  info: "\u001b[90m",
  pass: "\u001b[32m",
  bold: "\u001b[1m",
  gray: "\u001b[90m",
  green: "\u001b[32m",
  red: "\u001b[31m",
  yellow: "\u001b[33m",
};
const RESET = "\u001b[0m";

type Paint = (style: keyof typeof ANSI, text: string) => string;

/** Makes text from manifests safe to print: no terminal escapes, one line. */
export function clean(text: string): string {
  return text
    .replace(/[\t\n\r]+/g, " ")
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Word-wraps text to width, breaking words longer than a line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (let word of text.split(" ")) {
    while (word.length > width) {
      if (line) {
        lines.push(line);
        line = "";
      }
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

function groupOf(f: Finding, target: string): string {
  const res = resourceLabel(f.resource);
  const file = f.location?.file;
  // An image or a Dockerfile is named by its file already: "Dockerfile app/Dockerfile", not "... (app/Dockerfile)".
  if (res) return file && file !== f.resource?.name ? `${res}  (${file})` : res;
  return file ?? target;
}

function statusTag(f: Finding): { text: string; style: keyof typeof ANSI } {
  if (f.status === "pass") return { text: "PASS", style: "pass" };
  return { text: f.severity.toUpperCase(), style: f.severity };
}

/** Where the finding is ("container app, line 17, warn"), shown after the title when it fits. */
function whereOf(f: Finding): string | undefined {
  const where = [
    f.resource?.container ? `container ${f.resource.container}` : "",
    f.location?.line !== undefined ? `line ${f.location.line}` : "",
    f.status === "warn" || f.status === "manual" ? f.status : "",
  ].filter(Boolean);
  return where.length ? `(${where.join(", ")})` : undefined;
}

function detailLines(f: Finding): string[] {
  const out: string[] = [];
  const vuln = vulnerabilityOf(f);
  // A vulnerability's message says what its package line says (package, version, fix): one of them is
  // enough. The file the package came from is the group heading, so the line does not repeat it.
  if (f.message && f.message !== f.title && !vuln?.packageName) out.push(f.message);
  if (vuln) {
    const { path, ...rest } = vuln;
    out.push(vulnerabilityLine(path !== undefined && path !== f.location?.file ? { ...rest, path } : rest));
  }
  const evidence = evidenceOf(f);
  if (evidence) out.push(evidenceLine(evidence));
  if (f.suppressed) {
    const s = f.suppressed;
    out.push(
      `suppressed by ${s.by}${s.reason ? `: ${s.reason}` : ""}${s.expires ? ` (until ${s.expires})` : ""}`,
    );
  }
  return out;
}

function renderFinding(f: Finding, idWidth: number, paint: Paint): string[] {
  const tag = statusTag(f);
  const indent = 2 + SEVERITY_COLUMN + idWidth + 2;
  const textWidth = Math.max(20, TABLE_WIDTH - indent);
  const pad = " ".repeat(indent);
  const id = clean(f.checkId);
  const title = wrap(clean(f.title), textWidth).map((l) => (f.suppressed ? paint("gray", l) : l));
  const titleWidths = wrap(clean(f.title), textWidth).map((l) => l.length);
  const details = detailLines(f).flatMap((d) => wrap(clean(d), textWidth));
  const where = whereOf(f);
  if (where) {
    const last = titleWidths.length - 1;
    const w = clean(where);
    if (titleWidths[last]! + 1 + w.length <= textWidth) title[last] = `${title[last]} ${paint("gray", w)}`;
    else details.push(...wrap(w, textWidth));
  }
  const head = `  ${paint(tag.style, tag.text.padEnd(SEVERITY_COLUMN - 1))} `;
  const lines: string[] = [];
  if (id.length > idWidth) {
    // An id too long for the column gets a line of its own, so that the text stays aligned.
    lines.push(`${head}${id}`, ...title.map((l) => pad + l));
  } else {
    lines.push(`${head}${id.padEnd(idWidth)}  ${title[0]}`, ...title.slice(1).map((l) => pad + l));
  }
  for (const l of details) lines.push(pad + paint("gray", l));
  return lines;
}

function renderCompliance(c: Compliance, paint: Paint): string[] {
  const name = c.framework.toUpperCase();
  const counted = c.passed + c.failed;
  const lines = [
    paint(
      "bold",
      `Compliance (${name}): ${c.passed} of ${counted} controls passed (${c.score.toFixed(1)}%)` +
        (c.manual ? `, ${c.manual} manual` : ""),
    ),
  ];
  const idWidth = Math.min(MAX_ID_COLUMN, Math.max(0, ...c.controls.map((x) => x.id.length)));
  for (const control of c.controls) {
    const [label, style]: [string, keyof typeof ANSI] =
      control.status === "failed"
        ? ["FAIL", "red"]
        : control.status === "manual"
          ? ["MANUAL", "yellow"]
          : ["PASS", "green"];
    const checks = control.checks.length ? control.checks.join(", ") : "no check";
    const count = control.failedFindings
      ? ` (${control.failedFindings} ${control.failedFindings === 1 ? "finding" : "findings"})`
      : "";
    const indent = 2 + 7 + idWidth + 2;
    const body = wrap(clean(`${checks}${count}`), Math.max(20, TABLE_WIDTH - indent));
    lines.push(`  ${paint(style, label.padEnd(6))} ${clean(control.id).padEnd(idWidth)}  ${body[0]}`);
    for (const l of body.slice(1)) lines.push(" ".repeat(indent) + l);
  }
  return lines;
}

/** The message without a leading "FILE:LINE: " or "FILE: " that the line already starts with. */
function withoutPlace(message: string, where: string, file: string | undefined): string {
  for (const prefix of [where, file])
    if (prefix && message.startsWith(`${prefix}: `)) return message.slice(prefix.length + 2);
  return message;
}

export function renderTable(input: Report, color: boolean): string {
  const report = renderableReport(input);
  const paint: Paint = color
    ? (style, text) => (text ? `${ANSI[style]}${text}${RESET}` : text)
    : (_s, text) => text;
  const out: string[] = [];
  const scan = report.scan;
  out.push(
    paint("bold", clean(`kubeward ${report.tool.version}: ${scan.type} scan of ${scan.target}`)) +
      paint("gray", ` (${scan.startedAt})`),
    "",
  );
  const findings = sortedFindings(report.findings);
  const groups = groupBy(findings, (f) => groupOf(f, scan.target));
  for (const [key, list] of groups) {
    out.push(paint("bold", clean(key)));
    // Ids longer than the column get their own line; the others set its width.
    const ids = list.map((f) => clean(f.checkId).length).filter((n) => n <= MAX_ID_COLUMN);
    const idWidth = Math.max(8, ...ids);
    for (const f of list) out.push(...renderFinding(f, idWidth, paint));
    out.push("");
  }
  if (findings.length === 0) out.push("No findings.", "");
  if (report.errors.length > 0) {
    out.push(paint("bold", `Errors (${report.errors.length})`));
    for (const e of report.errors) {
      const where = e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ""}` : scan.target;
      const text = `${where}${e.code ? ` [${e.code}]` : ""} ${withoutPlace(e.message, where, e.file)}`;
      const body = wrap(clean(text), TABLE_WIDTH - 4);
      out.push(`  ${paint("red", body[0] ?? "")}`, ...body.slice(1).map((l) => `    ${l}`));
    }
    out.push("");
  }
  // Per-section counts (scan node adds them, like kube-bench's summary).
  if (Array.isArray(report.sections) && report.sections.length > 0) {
    out.push(paint("bold", "Sections"));
    for (const s of report.sections as Array<Record<string, unknown>>) {
      const n = (k: string) => (typeof s[k] === "number" ? s[k] : 0);
      const line = `${String(s.id).padEnd(6)} ${String(s.title ?? "").padEnd(36)} ${n("pass")} pass, ${n("fail")} fail, ${n("warn")} warn, ${n("manual")} manual${n("skipped") ? `, ${n("skipped")} skipped` : ""}`;
      out.push(`  ${clean(line)}`);
    }
    out.push("");
  }
  const compliance = Array.isArray(report.compliance) ? report.compliance : [report.compliance];
  for (const c of compliance) {
    if (!isCompliance(c)) continue;
    out.push(...renderCompliance(c, paint), "");
  }
  out.push(paint("bold", summaryLine(findings)));
  return `${out.join("\n")}\n`;
}

export const tableReporter: Reporter = {
  id: "table",
  description: "human-readable findings grouped by resource, for terminals",
  render: (report, opts) => renderTable(report, opts.color),
};
