import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { complianceSummary } from "../../src/core/compliance.js";
import type { Finding, Report } from "../../src/core/model.js";
import { buildReport } from "../../src/core/report.js";
import { REPORTERS } from "../../src/core/reporters/index.js";
import { clean, TABLE_WIDTH, wrap } from "../../src/core/reporters/table.js";
import { renderableReport } from "../../src/core/reporters/util.js";
import { CHECKS, fixtureFindings, fixtureReport, RULES, STARTED, shuffled } from "./reporters-fixture.js";

const here = dirname(fileURLToPath(import.meta.url));
const GOLDEN = join(here, "golden");
const ANSI_ESCAPE = /\u001b\[/;

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it instead (only on purpose). */
function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `golden file ${name} missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

function render(id: string, report: Report, color = false): string {
  const reporter = REPORTERS.get(id);
  if (!reporter) throw new Error(`no reporter ${id}`);
  return reporter.render(report, { color, rules: RULES });
}

function emptyReport(): Report {
  return buildReport({
    type: "manifests",
    target: "empty/",
    startedAt: STARTED,
    finishedAt: STARTED,
    options: {},
    findings: [],
    errors: [],
  });
}

const FORMATS = ["table", "json", "sarif", "junit", "policyreport"];
const EXT: Record<string, string> = {
  table: "txt",
  json: "json",
  sarif: "sarif.json",
  junit: "xml",
  policyreport: "yaml",
};

describe("reporter registry", () => {
  it("registers one reporter per module in the folder, under its own id", () => {
    const helpers = new Set(["index.ts", "types.ts", "util.ts", "yaml-out.ts"]);
    const modules = readdirSync(join(here, "../../src/core/reporters"))
      .filter((f) => f.endsWith(".ts") && !helpers.has(f))
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(modules).toEqual(["json", "junit", "policyreport", "sarif", "table"]);
    expect([...REPORTERS.keys()].sort()).toEqual(modules);
    for (const [id, r] of REPORTERS) {
      expect(r.id).toBe(id);
      expect(r.description.length).toBeGreaterThan(10);
    }
  });

  it("every format is documented in docs/reports.md", () => {
    const doc = readFileSync(join(here, "../../docs/reports.md"), "utf8");
    for (const id of REPORTERS.keys()) expect(doc).toContain(`--format ${id}`);
  });
});

describe.each(FORMATS)("%s reporter", (id) => {
  it("matches its golden file", () => {
    golden(`report.${EXT[id]}`, render(id, fixtureReport()));
  });

  it("renders the same bytes twice and for findings given in another order", () => {
    const first = render(id, fixtureReport());
    expect(render(id, fixtureReport())).toBe(first);
    // buildReport sorts, but reporters must not rely on it: hand them an unsorted report too.
    // (json prints the report as built, which buildReport has already sorted.)
    const unsorted = { ...fixtureReport(), findings: shuffled(fixtureFindings(), 11) };
    if (id !== "json") expect(render(id, unsorted)).toBe(first);
    expect(render(id, fixtureReport(shuffled(fixtureFindings(), 3)))).toBe(first);
  });

  it("renders an empty report", () => {
    const text = render(id, emptyReport());
    expect(text.length).toBeGreaterThan(0);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("copes with malformed layer-specific fields instead of throwing", () => {
    const bad: Finding = {
      checkId: "CVE-2099-0001",
      title: "malformed",
      severity: "high",
      status: "fail",
      layer: "vulnerability",
      message: "vulnerability and evidence are not objects",
      vulnerability: "not an object",
      evidence: ["nor", "this"],
      location: { file: "x.yaml", line: 0 },
    };
    const report = fixtureReport([...fixtureFindings(), bad]);
    report.compliance = { framework: "cis", controls: "broken" };
    expect(() => render(id, report)).not.toThrow();
    expect(render(id, report)).toContain("CVE-2099-0001");
  });
});

describe("table reporter", () => {
  it("has no ANSI escapes without colour, even when findings carry them", () => {
    const text = render("table", fixtureReport());
    expect(text).not.toMatch(ANSI_ESCAPE);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    // The escape sequence from the manifest is shown, not executed.
    expect(text).toContain("\\x1b[2J\\x07");
  });

  it("colours severities when asked, and only then", () => {
    const text = render("table", fixtureReport(), true);
    expect(text).toMatch(ANSI_ESCAPE);
    expect(text).toContain("\u001b[1;31mCRITICAL");
    expect(text).toContain("\u001b[31mHIGH");
    expect(text).toContain("\u001b[33mMEDIUM");
    expect(text).toContain("\u001b[32mPASS");
    // Stripping the codes gives the plain rendering back.
    expect(text.replace(/\u001b\[[0-9;]*m/g, "")).toBe(render("table", fixtureReport()));
    golden("report.color.txt", text);
  });

  it("keeps lines within the table width", () => {
    const long: Finding = {
      checkId: "KW-POD-002",
      title: "Container may run as root",
      severity: "medium",
      status: "fail",
      layer: "workload",
      message: `container "x" ${"very-long-word-".repeat(20)} and ${"words ".repeat(40)}`,
      resource: { kind: "Pod", namespace: "a", name: "b" },
      location: { file: "p.yaml", line: 4 },
    };
    const longId: Finding = {
      ...long,
      checkId: "PYSEC-2024-0000000000000000000000001",
      title: "t ".repeat(60),
    };
    const text = render("table", fixtureReport([...fixtureFindings(), long, longId]));
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(TABLE_WIDTH);
    // The long id gets its own line; the title below it stays aligned with the other rows.
    expect(text).toMatch(/\n {2}MEDIUM {3}PYSEC-2024-0000000000000000000000001\n {23}t t t/);
  });

  it("groups findings by resource with file, shows vulnerability and node details, errors, compliance, summary", () => {
    const text = render("table", fixtureReport());
    expect(text).toContain("Deployment shop/web  (deploy/web.yaml)");
    expect(text).toContain("(container app, line 17)");
    expect(text).toContain("openssl 3.0.11-1~deb12u2 (Debian), fixed in 3.0.13-1~deb12u1, CVSS 9.8");
    expect(text).toContain('kube-apiserver flag --anonymous-auth: actual "true", expected "false"');
    expect(text).toContain("suppressed by ignore-file: the shop needs its TLS secret (until 2027-01-31)");
    expect(text).toContain("deploy/bad.yaml:3 [yaml-syntax] mapping values are not allowed here");
    expect(text).toContain("Compliance (CIS): 1 of 7 controls passed (14.3%), 1 manual");
    expect(text.trimEnd().split("\n").at(-1)).toBe(
      "11 findings: 2 critical, 2 high, 5 medium, 2 low, 0 info (1 suppressed, 1 passed)",
    );
    // Each resource's findings sit together under one heading.
    const headings = text.split("\n").filter((l) => l.startsWith("Deployment shop/web"));
    expect(headings).toHaveLength(1);
  });

  it("prints each compliance summary when the report carries several, none when it carries none", () => {
    const report = fixtureReport();
    report.compliance = [
      complianceSummary("cis", CHECKS, report.findings),
      complianceSummary("nsa", CHECKS, report.findings),
    ];
    const text = render("table", report);
    expect(text).toContain("Compliance (CIS): 1 of 7 controls passed (14.3%), 1 manual");
    expect(text).toContain("Compliance (NSA): 0 of 4 controls passed (0.0%)");
    expect(text).toMatch(/FAIL {3}rbac {18}KW-RBAC-001, KW-RBAC-002 \(1 finding\)/);
    expect(render("table", emptyReport())).not.toContain("Compliance");
  });

  it("says so when there is nothing to report", () => {
    const text = render("table", emptyReport());
    expect(text).toContain("No findings.");
    expect(text).toContain("0 findings: 0 critical, 0 high, 0 medium, 0 low, 0 info");
  });

  it("wraps and cleans text", () => {
    expect(wrap("aa bb cc", 5)).toEqual(["aa bb", "cc"]);
    expect(wrap("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(wrap("", 10)).toEqual([""]);
    expect(clean("a\nb\tc\u001b[0m\u009b")).toBe("a b c\\x1b[0m\\x9b");
  });
});

describe("malformed reports", () => {
  const good = fixtureFindings()[0]!;
  const cases: Array<[string, unknown, RegExp]> = [
    [
      "unknown severity",
      { ...good, checkId: "KW-BAD", severity: "urgent" },
      /finding 13 \(KW-BAD\) has severity "urgent"/,
    ],
    [
      "unknown status",
      { ...good, checkId: "KW-BAD", status: "broken" },
      /finding 13 \(KW-BAD\) has status "broken"/,
    ],
    ["not an object", null, /finding 13 is not an object/],
    ["no check id", { ...good, checkId: "" }, /finding 13 has no checkId/],
    ["no message", { ...good, checkId: "KW-BAD", message: 42 }, /finding 13 \(KW-BAD\) has no message/],
    [
      "location without file",
      { ...good, checkId: "KW-BAD", location: { line: 3 } },
      /has a location without a file/,
    ],
    [
      "resource not an object",
      { ...good, checkId: "KW-BAD", resource: "web" },
      /has a resource that is not an object/,
    ],
  ];

  it.each(cases)("leaves out a finding with %s, says why with code invalid-finding", (_name, bad, why) => {
    const report = { ...fixtureReport(), findings: [...fixtureReport().findings, bad as Finding] };
    const fixed = renderableReport(report);
    expect(fixed.findings).toHaveLength(13);
    const added = fixed.errors.at(-1)!;
    expect(added.code).toBe("invalid-finding");
    expect(added.message).toMatch(why);
    // The errors that came with the report stay first, in order.
    expect(fixed.errors.slice(0, 2)).toEqual(report.errors);
    for (const id of ["table", "sarif", "junit", "policyreport"]) {
      const text = render(id, report);
      expect(text, id).toContain("invalid-finding");
      expect(text, id).toContain("KW-POD-001");
    }
  });

  it("drops a line that is not a positive integer but keeps the finding", () => {
    for (const line of ["17", -3, 1.5, Number.NaN]) {
      const bad = { ...good, location: { file: "deploy/web.yaml", line } } as unknown as Finding;
      const fixed = renderableReport({ ...fixtureReport(), findings: [bad] });
      expect(fixed.findings[0]!.location).toEqual({ file: "deploy/web.yaml" });
      const sarif = JSON.parse(render("sarif", { ...fixtureReport(), findings: [bad] }));
      expect(sarif.runs[0].results[0].locations[0].physicalLocation.region).toBeUndefined();
    }
  });

  it("reports a scan error without a message with code invalid-error", () => {
    const report = { ...fixtureReport(), errors: [{ file: "x.yaml" } as never] };
    const fixed = renderableReport(report);
    expect(fixed.errors).toEqual([
      { code: "invalid-error", message: 'scan error {"file":"x.yaml"} has no message' },
    ]);
    for (const id of ["table", "sarif", "junit", "policyreport"])
      expect(render(id, report), id).toContain("invalid-error");
  });

  it("returns a well-formed report unchanged", () => {
    const report = fixtureReport();
    expect(renderableReport(report)).toBe(report);
  });
});
