import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Finding, Report } from "../../src/core/model.js";
import { ensureBuilt, kubeward } from "./helpers.js";

let tmp: string;
beforeAll(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), "kw-cli-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function json(args: string[], input?: string): { report: Report; code: number | null; stderr: string } {
  const r = kubeward(["scan", "manifests", ...args, "-f", "json"], { input });
  return { report: JSON.parse(r.stdout) as Report, code: r.code, stderr: r.stderr };
}

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: bad
  namespace: apps
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        privileged: true
`;

describe("scan manifests on the bundled example", () => {
  it("reports findings from all four check families with the contract's fields", () => {
    const { report, code } = json(["examples/"]);
    expect(code).toBe(0);
    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toEqual({ name: "kubeward", version: "0.1.0" });
    expect(report.scan).toMatchObject({
      type: "manifests",
      target: "examples/",
      options: { pssLevel: "restricted", pssVersion: "latest" },
    });
    expect(report.scan.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const findings = report.findings as Finding[];
    expect(findings.some((f) => f.frameworks?.pss)).toBe(true);
    for (const layer of ["workload", "rbac", "network"])
      expect(findings.some((f) => f.layer === layer)).toBe(true);
    for (const f of findings) {
      expect(f.checkId).toMatch(/^KW-(POD|WL|RBAC|NET)-\d{3}$/);
      expect(f.location?.file).toMatch(/^examples\//);
      expect(f.location?.line).toBeGreaterThan(0);
      expect(["critical", "high", "medium", "low", "info"]).toContain(f.severity);
    }
    const total = Object.values(report.summary.bySeverity).reduce((a, b) => a + b, 0);
    expect(report.summary.total).toBe(findings.length);
    expect(total).toBe(findings.length);
  });

  it("renders every format", () => {
    const table = kubeward(["scan", "manifests", "examples/", "-f", "table"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/KW-POD-\d{3}/);
    expect(table.stdout).toMatch(/KW-RBAC-\d{3}/);
    expect(table.stdout).toMatch(/\d+ findings: /);
    expect(table.stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour

    const sarif = JSON.parse(kubeward(["scan", "manifests", "examples/", "-f", "sarif"]).stdout);
    expect(sarif.version).toBe("2.1.0");
    const ruleIds = sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
    for (const family of ["KW-POD-", "KW-WL-", "KW-RBAC-", "KW-NET-"])
      expect(ruleIds.some((id: string) => id.startsWith(family))).toBe(true);

    const junit = kubeward(["scan", "manifests", "examples/", "-f", "junit"]).stdout;
    expect(junit.startsWith("<?xml")).toBe(true);
    expect(junit).toContain("<failure");
    expect(junit).toContain("KW-NET-");

    const docs = parseAllDocuments(
      kubeward(["scan", "manifests", "examples/", "-f", "policyreport"]).stdout,
    ).map((d) => d.toJS());
    expect(docs.some((d) => d.kind === "PolicyReport")).toBe(true);
    expect(docs.some((d) => d.kind === "ClusterPolicyReport")).toBe(true);
    const policies = docs.flatMap((d) => d.results.map((r: { policy: string }) => r.policy));
    for (const family of ["KW-POD-", "KW-WL-", "KW-RBAC-", "KW-NET-"])
      expect(policies.some((p: string) => p.startsWith(family))).toBe(true);
  });

  it("writes to a file with -o and keeps stdout empty", () => {
    const out = join(tmp, "report.json");
    const r = kubeward(["scan", "manifests", "examples/", "-f", "json", "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect((JSON.parse(readFileSync(out, "utf8")) as Report).findings.length).toBeGreaterThan(0);
  });

  it("prints a compliance summary for one framework", () => {
    const { report } = json(["examples/", "--framework", "cis"]);
    const compliance = report.compliance as {
      framework: string;
      passed: number;
      failed: number;
      score: number;
    };
    expect(compliance.framework).toBe("cis");
    expect(compliance.failed).toBeGreaterThan(0);
    expect(compliance.score).toBeGreaterThanOrEqual(0);
    for (const f of report.findings as Finding[]) expect(f.frameworks?.cis?.length).toBeGreaterThan(0);
  });
});

describe("exit codes and filters", () => {
  it("exits with --exit-code only when findings remain after filtering", () => {
    expect(kubeward(["scan", "manifests", "examples/", "--exit-code", "3"]).code).toBe(3);
    const dir = join(tmp, "clean");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "cm.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: apps}\ndata: {a: b}\n",
    );
    expect(kubeward(["scan", "manifests", dir, "--exit-code", "3"]).code).toBe(0);
  });

  it("filters by severity", () => {
    const { report } = json(["examples/", "--severity", "critical"]);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings as Finding[]) expect(f.severity).toBe("critical");
    expect(report.summary.total).toBe(report.findings.length);
  });

  it("exits 2 with a one-line reason when it cannot do its job", () => {
    for (const args of [
      ["scan", "manifests", join(tmp, "missing")],
      ["scan", "manifests", "examples/", "--pss-version", "v9"],
      ["scan", "manifests", "examples/", "--severity", "urgent"],
      ["scan", "manifests", "examples/", "--format", "xml"],
      ["scan", "manifests", "examples/", "--ignore-file", join(tmp, "nope.yaml")],
    ]) {
      const r = kubeward(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().length).toBeGreaterThan(0);
    }
  });
});

describe("inputs", () => {
  it("reads standard input", () => {
    const { report, code } = json(["-"], PRIVILEGED_POD);
    expect(code).toBe(0);
    const privileged = (report.findings as Finding[]).find((f) => f.frameworks?.pss?.check === "privileged");
    expect(privileged?.location).toEqual({ file: "<stdin>", line: 11 });
    expect(privileged?.resource).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      namespace: "apps",
      name: "bad",
      container: "app",
    });
    expect(privileged?.frameworks?.pss).toEqual({ level: "baseline", version: "v1.37", check: "privileged" });
  });

  it("lists a bad file in errors and scans the rest", () => {
    const dir = join(tmp, "mixed");
    mkdirSync(dir);
    writeFileSync(join(dir, "good.yaml"), PRIVILEGED_POD);
    writeFileSync(join(dir, "broken.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n");
    const { report, code } = json([dir]);
    expect(code).toBe(0);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ file: join(dir, "broken.yaml") });
    expect(report.errors[0]!.line).toBeGreaterThan(0);
    expect((report.findings as Finding[]).some((f) => f.location?.file === join(dir, "good.yaml"))).toBe(
      true,
    );
  });

  it("honours the PSS level and version", () => {
    const baseline = json(["-", "--pss-level", "baseline"], PRIVILEGED_POD).report.findings as Finding[];
    expect(baseline.filter((f) => f.frameworks?.pss).map((f) => f.frameworks?.pss?.check)).toEqual([
      "privileged",
    ]);
    const old = json(["-", "--pss-version", "v1.20"], PRIVILEGED_POD).report;
    expect(old.scan.options).toEqual({ pssLevel: "restricted", pssVersion: "v1.20" });
    const pss = (old.findings as Finding[]).filter((f) => f.frameworks?.pss);
    expect(pss.every((f) => f.frameworks?.pss?.version === "v1.20")).toBe(true);
    // capabilities_restricted arrived in v1.22: not checked at v1.20.
    expect(pss.some((f) => f.frameworks?.pss?.check === "capabilities_restricted")).toBe(false);
  });
});

describe("--include-passed", () => {
  it("passes only the Pod Security checks in force at the chosen level and version", () => {
    const pod =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, namespace: apps}\nspec:\n  containers: [{name: c, image: i}]\n";
    const checks = (args: string[]) =>
      (json(["-", "--include-passed", ...args], pod).report.findings as Finding[])
        .filter((f) => f.status === "pass" && f.frameworks?.pss)
        .map((f) => f.frameworks!.pss!.check)
        .sort();
    const baseline = checks(["--pss-level", "baseline"]);
    expect(baseline).toContain("privileged");
    expect(baseline).not.toContain("allowPrivilegeEscalation"); // restricted: not part of a baseline scan
    expect(baseline).toContain("hostProbesAndHostLifecycle");
    expect(checks(["--pss-level", "baseline", "--pss-version", "v1.33"])).not.toContain(
      "hostProbesAndHostLifecycle",
    );
    // Restricted replaces hostPathVolumes with restrictedVolumes.
    const restricted = checks([]);
    expect(restricted).toContain("restrictedVolumes");
    expect(restricted).not.toContain("hostPathVolumes");
    // Pass findings name the resolved version like failing ones.
    const passed = (
      json(["-", "--include-passed", "--pss-version", "v1.30"], pod).report.findings as Finding[]
    ).filter((f) => f.status === "pass" && f.frameworks?.pss);
    expect(passed.length).toBeGreaterThan(0);
    for (const f of passed) expect(f.frameworks?.pss?.version).toBe("v1.30");
  });
});

describe("exceptions through the CLI", () => {
  it("suppresses by annotation and by ignore file, and reports expired entries", () => {
    const dir = join(tmp, "ignored");
    mkdirSync(dir);
    const annotated = PRIVILEGED_POD.replace(
      "  namespace: apps\n",
      '  namespace: apps\n  annotations:\n    kubeward.io/ignore: "KW-POD-009"\n    kubeward.io/ignore-reason: "debug pod"\n',
    );
    writeFileSync(join(dir, "pod.yaml"), annotated);
    const before = json([dir]).report.findings as Finding[];
    expect(before.some((f) => f.frameworks?.pss?.check === "privileged")).toBe(false);

    const all = json([dir, "--include-suppressed"]).report.findings as Finding[];
    const suppressed = all.find((f) => f.frameworks?.pss?.check === "privileged");
    expect(suppressed?.suppressed).toMatchObject({ by: "annotation", reason: "debug pod" });

    writeFileSync(
      join(dir, ".kubewardignore.yaml"),
      "ignores:\n  - id: KW-WL-*\n    resource: { kind: Pod, name: bad }\n    reason: tolerated\n  - id: KW-POD-001\n    reason: old\n    expires: 2020-01-01\n",
    );
    const withFile = json([dir]).report;
    expect((withFile.findings as Finding[]).some((f) => f.checkId.startsWith("KW-WL-"))).toBe(false);
    expect((withFile.findings as Finding[]).some((f) => f.checkId === "KW-POD-001")).toBe(true);
    expect(withFile.errors.some((e) => e.code === "ignore-expired")).toBe(true);
  });
});

describe("SARIF of a real scan", () => {
  it("validates against the SARIF 2.1.0 schema", async () => {
    const { createRequire } = await import("node:module");
    const { Ajv2020 } = await import("ajv/dist/2020.js");
    const addFormats = (await import("ajv-formats")).default as unknown as (
      a: InstanceType<typeof Ajv2020>,
    ) => void;
    const schemaFile = createRequire(import.meta.url).resolve(
      "@microsoft/sarif-multitool-linux/sarif-2.1.0.json",
    );
    const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
    const log = JSON.parse(kubeward(["scan", "manifests", "examples/", "-f", "sarif"]).stdout);
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    expect(log.runs[0].results.length).toBeGreaterThan(10);
  });
});
