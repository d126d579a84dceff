// End to end with the real components: the manifest loader, the manifest checks and the
// engine scan test/core/golden/input/, and every reporter renders the result. Check output
// changes as checks evolve, so this test asserts invariants, not bytes.
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { MANIFEST_CHECKS } from "../../src/config/registry.js";
import type { Check } from "../../src/core/check.js";
import { complianceSummary } from "../../src/core/compliance.js";
import { runChecks } from "../../src/core/engine.js";
import { loadManifests } from "../../src/core/loader/index.js";
import type { Report } from "../../src/core/model.js";
import { activeFindings, buildReport } from "../../src/core/report.js";
import { REPORTERS } from "../../src/core/reporters/index.js";
import { CLUSTER_SCOPED_KINDS } from "../../src/core/reporters/policyreport.js";
import { all, parseXml } from "./reporters-xml.js";

const here = dirname(fileURLToPath(import.meta.url));
const INPUT = relative(process.cwd(), join(here, "golden", "input"))
  .split("\\")
  .join("/");

// biome-ignore lint/suspicious/noExplicitAny: parsed documents are checked field by field.
type Json = any;

let report: Report;
let rules: Map<string, Check>;

function render(id: string, color = false): string {
  return REPORTERS.get(id)!.render(report, { color, rules });
}

beforeAll(async () => {
  const started = new Date("2026-11-27T08:00:00Z");
  const loaded = await loadManifests([INPUT]);
  const findings = runChecks(
    MANIFEST_CHECKS,
    { objects: loaded.objects, options: { pssLevel: "restricted", pssVersion: "latest" } },
    { includePassed: true },
  );
  rules = new Map(MANIFEST_CHECKS.map((c) => [c.id, c]));
  report = buildReport({
    type: "manifests",
    target: INPUT,
    startedAt: started,
    finishedAt: started,
    options: { pssLevel: "restricted", pssVersion: "latest" },
    findings,
    errors: loaded.errors,
    extra: { compliance: complianceSummary("cis", MANIFEST_CHECKS, findings) },
  });
});

describe("reporters on a real scan", () => {
  it("the scan found failures, passes and the broken file", () => {
    expect(activeFindings(report).length).toBeGreaterThan(5);
    expect(report.findings.some((f) => f.status === "pass")).toBe(true);
    expect(report.errors.some((e) => e.file?.endsWith("bad.yaml"))).toBe(true);
    expect(report.findings.some((f) => f.frameworks?.pss)).toBe(true);
  });

  it("SARIF: one result per finding at its file and line, every rule described", () => {
    const log = JSON.parse(render("sarif"));
    const run = log.runs[0];
    expect(run.results).toHaveLength(report.findings.length);
    const ids = new Set(report.findings.map((f) => f.checkId));
    expect(run.tool.driver.rules.map((r: Json) => r.id).sort()).toEqual([...ids].sort());
    for (const rule of run.tool.driver.rules) {
      expect(rule.fullDescription.text).toBe(rules.get(rule.id)!.description);
    }
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri.startsWith(`${INPUT}/`)).toBe(true);
      expect(loc.artifactLocation.uriBaseId).toBe("%SRCROOT%");
      expect(loc.region?.startLine ?? 1).toBeGreaterThanOrEqual(1);
    }
    const lines = report.findings.filter((f) => f.location?.line !== undefined).length;
    expect(run.results.filter((r: Json) => r.locations[0].physicalLocation.region).length).toBe(lines);
  });

  it("JUnit: well-formed, with one testcase per finding and one error per scan error", () => {
    const root = parseXml(render("junit"));
    const cases = all(root, "testsuite").flatMap((s) => all(s, "testcase"));
    expect(cases).toHaveLength(report.findings.length + report.errors.length);
    expect(Number(root.attrs.failures)).toBe(
      report.findings.filter((f) => f.status === "fail" || f.status === "warn").length,
    );
    expect(Number(root.attrs.errors)).toBe(report.errors.length);
  });

  it("PolicyReport: every finding in the report of its namespace, summaries add up", () => {
    const docs: Json[] = parseAllDocuments(render("policyreport")).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.namespace ?? "(cluster)")).toEqual([
      "(cluster)",
      "default",
      "ops",
      "shop",
    ]);
    const results = docs.flatMap((d) => d.results);
    expect(results).toHaveLength(report.findings.length + report.errors.length);
    const cluster = docs[0].results.flatMap((r: Json) => r.resources ?? []).map((r: Json) => r.kind);
    expect(cluster).toContain("ClusterRoleBinding");
    for (const kind of cluster) expect(CLUSTER_SCOPED_KINDS.has(kind), kind).toBe(true);
    for (const d of docs) {
      const sum = Object.values(d.summary as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(sum).toBe(d.results.length);
    }
  });

  it("table: each resource once, plain without colour, and the summary of the report", () => {
    const text = render("table");
    expect(text).not.toMatch(/\u001b\[/);
    expect(render("table", true)).toMatch(/\u001b\[/);
    for (const heading of [
      "Deployment shop/web",
      "Deployment api",
      "ClusterRoleBinding all-admins",
      "Role ops/ops",
    ]) {
      expect(text.split("\n").filter((l) => l.startsWith(`${heading}  (`))).toHaveLength(1);
    }
    expect(text).toContain(
      `${report.summary.total} findings: ${report.summary.bySeverity.critical} critical`,
    );
    expect(text).toMatch(/Compliance \(CIS\): \d+ of \d+ controls passed/);
  });

  it("compliance: controls come from the real checks' CIS mappings", () => {
    const c = complianceSummary("cis", MANIFEST_CHECKS, report.findings);
    const mapped = new Set(MANIFEST_CHECKS.flatMap((k) => k.frameworks.cis ?? []));
    expect(new Set(c.controls.map((x) => x.id))).toEqual(mapped);
    expect(c.failed).toBeGreaterThan(0);
    for (const control of c.controls) {
      for (const id of control.checks) expect(rules.has(id)).toBe(true);
    }
  });
});
