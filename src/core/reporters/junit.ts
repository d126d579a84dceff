// JUnit XML for CI test dashboards (GitLab, Jenkins, Azure DevOps, CircleCI...).
// One <testsuite> per scanned resource (or per file/target for findings without
// one), one <testcase> per finding: failing findings are <failure>s, suppressed
// and manual ones <skipped>, passed ones plain testcases. Scan errors go in a
// last suite as <error>s.
import type { CheckMeta } from "../check.js";
import type { Finding, Report } from "../model.js";
import type { Reporter, ReporterOptions } from "./types.js";
import {
  evidenceLine,
  evidenceOf,
  groupBy,
  locationLabel,
  renderableReport,
  resourceLabel,
  ruleMeta,
  sortedFindings,
  vulnerabilityLine,
  vulnerabilityOf,
} from "./util.js";

/** Characters XML 1.0 cannot carry at all, even as references. */
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** Escapes text content; characters XML forbids become a visible \uXXXX. */
export function xmlText(s: string): string {
  return s.replace(XML_INVALID, visible).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes an attribute value, keeping tabs and line breaks as character references. */
export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join("");
}

function suiteName(f: Finding, target: string): string {
  const res = resourceLabel(f.resource);
  const file = f.location?.file;
  if (res) return file ? `${file}: ${res}` : res;
  return file ?? target;
}

function failureBody(f: Finding, meta: CheckMeta): string {
  const lines = [
    `${f.severity.toUpperCase()} ${f.checkId}: ${f.title}`,
    f.message,
    resourceLabel(f.resource) ? `Resource: ${resourceLabel(f.resource)}` : "",
    f.resource?.container ? `Container: ${f.resource.container}` : "",
    locationLabel(f) ? `Location: ${locationLabel(f)}` : "",
  ];
  const vuln = vulnerabilityOf(f);
  if (vuln) lines.push(`Package: ${vulnerabilityLine(vuln)}`);
  const evidence = evidenceOf(f);
  if (evidence) lines.push(`Evidence: ${evidenceLine(evidence)}`);
  const remediation = f.remediation ?? meta.remediation;
  if (remediation) lines.push(`Remediation: ${remediation}`);
  const refs = f.references ?? meta.references;
  if (refs.length) lines.push(`References: ${refs.join(" ")}`);
  return lines.filter(Boolean).join("\n");
}

function testcase(f: Finding, classname: string, meta: (id: string) => CheckMeta): string {
  const container = f.resource?.container ? ` [${f.resource.container}]` : "";
  const line = f.location?.line !== undefined ? ` (line ${f.location.line})` : "";
  const head = `    <testcase${attrs({ name: `${f.checkId}: ${f.title}${container}${line}`, classname, time: "0" })}`;
  if (f.suppressed) {
    const s = f.suppressed;
    const msg = `suppressed by ${s.by}${s.reason ? `: ${s.reason}` : ""}${s.expires ? ` (until ${s.expires})` : ""}`;
    return `${head}>\n      <skipped${attrs({ message: msg })}/>\n    </testcase>`;
  }
  if (f.status === "pass") return `${head}/>`;
  if (f.status === "manual") {
    return `${head}>\n      <skipped${attrs({ message: `manual check: ${f.message}` })}/>\n    </testcase>`;
  }
  const failure = `<failure${attrs({ message: f.message, type: f.severity })}>${xmlText(failureBody(f, meta(f.checkId)))}</failure>`;
  return `${head}>\n      ${failure}\n    </testcase>`;
}

export function renderJunit(input: Report, opts: ReporterOptions): string {
  const report = renderableReport(input);
  const findings = sortedFindings(report.findings);
  const byId = groupBy(findings, (f) => f.checkId);
  const metas = new Map<string, CheckMeta>();
  const meta = (id: string): CheckMeta => {
    let m = metas.get(id);
    if (!m) {
      m = ruleMeta(id, byId.get(id) ?? [], opts.rules);
      metas.set(id, m);
    }
    return m;
  };
  const suites = groupBy(findings, (f) => suiteName(f, report.scan.target));
  const body: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const [name, list] of suites) {
    const failed = list.filter((f) => !f.suppressed && (f.status === "fail" || f.status === "warn")).length;
    const skip = list.filter((f) => f.suppressed || f.status === "manual").length;
    tests += list.length;
    failures += failed;
    skipped += skip;
    body.push(
      `  <testsuite${attrs({ name, tests: list.length, failures: failed, errors: 0, skipped: skip, time: "0" })}>`,
      ...list.map((f) => testcase(f, name, meta)),
      "  </testsuite>",
    );
  }
  const errors = report.errors.length;
  if (errors > 0) {
    tests += errors;
    body.push(
      `  <testsuite${attrs({ name: "kubeward scan errors", tests: errors, failures: 0, errors, skipped: 0, time: "0" })}>`,
    );
    for (const e of report.errors) {
      const where = e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ""}` : report.scan.target;
      body.push(
        `    <testcase${attrs({ name: where, classname: "kubeward scan errors", time: "0" })}>`,
        `      <error${attrs({ message: e.message, type: e.code ?? "scan-error" })}>${xmlText(`${where}: ${e.message}`)}</error>`,
        "    </testcase>",
      );
    }
    body.push("  </testsuite>");
  }
  if (body.length === 0) {
    // Some CI systems reject a report without any suite: say that the target was scanned.
    body.push(
      `  <testsuite${attrs({ name: report.scan.target, tests: 0, failures: 0, errors: 0, skipped: 0, time: "0" })}/>`,
    );
  }
  const time = (report.scan.durationMs / 1000).toFixed(3);
  const root = attrs({
    name: `kubeward ${report.scan.type} ${report.scan.target}`,
    tests,
    failures,
    errors,
    skipped,
    time,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${root}>\n${body.join("\n")}\n</testsuites>\n`;
}

export const junitReporter: Reporter = {
  id: "junit",
  description: "JUnit XML for CI test dashboards",
  render: renderJunit,
};
