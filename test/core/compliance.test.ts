import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checksAt, PSS_CHECK_DEFS, PSS_CHECKS, parsePssVersion } from "../../src/config/pss/index.js";
import { scanManifests } from "../../src/config/scan.js";
import {
  type Compliance,
  ComplianceError,
  compareControlIds,
  complianceSummary,
  filterByFramework,
  isCompliance,
} from "../../src/core/compliance.js";
import type { Finding } from "../../src/core/model.js";
import { CHECKS, fixtureFindings } from "./reporters-fixture.js";

/** The upstream checks in force at a level and version, from the PSS engine's registry. */
function pssChecks(level: "baseline" | "restricted", version = "latest"): string[] {
  return checksAt(level, parsePssVersion(version).minor).map((c) => c.def.id);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ComplianceError);
    return (e as ComplianceError).code;
  }
  return undefined;
}

describe("complianceSummary (CIS)", () => {
  const c = complianceSummary("cis", CHECKS, fixtureFindings());

  it("lists every control the checks and findings map to, in numeric order", () => {
    expect(c.controls.map((x) => x.id)).toEqual([
      "1.1.9",
      "1.2.1",
      "5.1.1",
      "5.1.2",
      "5.1.3",
      "5.2.5",
      "5.2.6",
      "5.3.2",
    ]);
    expect(c.controls.find((x) => x.id === "5.2.6")).toEqual({
      id: "5.2.6",
      checks: ["KW-POD-002"],
      status: "failed",
      failedFindings: 2,
    });
  });

  it("passes a control whose only finding is suppressed, and counts warnings as failures", () => {
    expect(c.controls.find((x) => x.id === "5.1.2")?.status).toBe("passed");
    expect(c.controls.find((x) => x.id === "5.1.3")).toMatchObject({ status: "failed", failedFindings: 1 });
  });

  it("keeps manual node checks out of the score", () => {
    expect(c.controls.find((x) => x.id === "1.1.9")).toMatchObject({ status: "manual", checks: ["1.1.9"] });
    expect({ passed: c.passed, failed: c.failed, manual: c.manual, score: c.score }).toEqual({
      passed: 1,
      failed: 6,
      manual: 1,
      score: 14.3,
    });
    expect(isCompliance(c)).toBe(true);
  });

  it("passes every control when nothing failed, and scores 100 with no control at all", () => {
    const clean = complianceSummary("cis", CHECKS, []);
    expect(clean.controls.every((x) => x.status === "passed")).toBe(true);
    expect(clean.score).toBe(100);
    expect(complianceSummary("cis", [], []).score).toBe(100);
    const passedOnly: Finding[] = fixtureFindings().filter((f) => f.status === "pass");
    expect(complianceSummary("nsa", CHECKS, passedOnly).failed).toBe(0);
  });

  it("rounds the score to one decimal", () => {
    // 2 of 3 NSA topics failing on purpose: network-separation, rbac, and immutable-filesystem passes.
    const findings = fixtureFindings().filter((f) => ["KW-NET-001", "KW-RBAC-001"].includes(f.checkId));
    const nsa = complianceSummary("nsa", CHECKS, findings);
    expect(nsa.controls.map((x) => [x.id, x.status])).toEqual([
      ["immutable-filesystem", "passed"],
      ["network-separation", "failed"],
      ["pod-security", "passed"],
      ["rbac", "failed"],
    ]);
    expect(nsa.score).toBe(50);
    const three = complianceSummary("nsa", CHECKS.slice(0, 4), findings.slice(0, 1));
    expect(three.score).toBe(66.7);
  });
});

describe("complianceSummary (PSS)", () => {
  it("uses upstream check ids as controls and the findings' pss mapping", () => {
    const c = complianceSummary("pss", CHECKS, fixtureFindings(), { pssChecks: pssChecks("restricted") });
    expect(c.controls.map((x) => x.id)).toEqual([...pssChecks("restricted")].sort());
    expect(c.controls.find((x) => x.id === "allowPrivilegeEscalation")).toEqual({
      id: "allowPrivilegeEscalation",
      checks: ["KW-POD-001"],
      status: "failed",
      failedFindings: 1,
    });
    expect(c.controls.find((x) => x.id === "runAsNonRoot")?.status).toBe("failed");
    expect(c.failed).toBe(2);
    expect(c.passed).toBe(c.controls.length - 2);
  });

  it("names the implementing checks of controls without findings from the checks' own PSS ids", () => {
    const scannerOf = (id: string) => PSS_CHECK_DEFS.find((d) => d.id === id)!.scanner.id;
    const c = complianceSummary("pss", PSS_CHECKS, [], { pssChecks: ["privileged", "runAsNonRoot"] });
    expect(c.controls).toEqual([
      { id: "privileged", checks: [scannerOf("privileged")], status: "passed", failedFindings: 0 },
      { id: "runAsNonRoot", checks: [scannerOf("runAsNonRoot")], status: "passed", failedFindings: 0 },
    ]);
  });

  it("accepts the caller's list of controls", () => {
    const c = complianceSummary("pss", CHECKS, fixtureFindings(), {
      pssChecks: pssChecks("baseline", "v1.20"),
    });
    // Findings mapped outside the list still show up: a failing control is never hidden.
    const expected = [...pssChecks("baseline", "v1.20"), "allowPrivilegeEscalation", "runAsNonRoot"].sort();
    expect(c.controls.map((x) => x.id)).toEqual(expected);
  });
});

describe("PSS controls in scope", () => {
  it("maps every upstream check to the engine's scanner check", () => {
    const c = complianceSummary("pss", PSS_CHECKS, [], { pssChecks: pssChecks("restricted") });
    expect(c.controls.length).toBe(pssChecks("restricted").length);
    for (const control of c.controls)
      expect(control.checks, control.id).toEqual([
        PSS_CHECK_DEFS.find((d) => d.id === control.id)!.scanner.id,
      ]);
  });

  it("scan manifests --framework pss names every control's check, passing or failing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-pss-summary-"));
    const file = join(dir, "pod.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Pod",
        "metadata: {name: p, namespace: ns}",
        "spec:",
        "  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}",
        "  containers:",
        "    - name: app",
        `      image: registry.example/app@sha256:${"a".repeat(64)}`,
        "      securityContext:",
        "        allowPrivilegeEscalation: true",
        "        capabilities: {drop: [ALL]}",
      ].join("\n"),
    );
    const report = await scanManifests([file], {
      pssLevel: "restricted",
      pssVersion: "latest",
      framework: "pss",
      now: () => new Date("2026-11-27T09:00:00Z"),
    });
    const c = report.compliance as Compliance;
    expect(c.controls.map((x) => x.id)).toEqual([...pssChecks("restricted")].sort());
    for (const control of c.controls)
      expect(control.checks, control.id).toEqual([
        PSS_CHECK_DEFS.find((d) => d.id === control.id)!.scanner.id,
      ]);
    expect(c.controls.filter((x) => x.status === "failed").map((x) => x.id)).toEqual([
      "allowPrivilegeEscalation",
    ]);
  });

  it("leaves out checks of the scanned framework that are not in scope", () => {
    const c = complianceSummary("pss", PSS_CHECKS, [], { pssChecks: pssChecks("restricted", "v1.37") });
    const ids = c.controls.map((x) => x.id);
    expect(ids).not.toContain("hostPathVolumes"); // overridden by restrictedVolumes
    expect(ids).toContain("restrictedVolumes");
    expect(ids.sort()).toEqual([...pssChecks("restricted", "v1.37")].sort());
  });
});

describe("filterByFramework", () => {
  it("keeps only checks mapped to the framework", () => {
    expect(filterByFramework(CHECKS, "cis").map((c) => c.id)).toEqual([
      "KW-POD-001",
      "KW-POD-002",
      "KW-RBAC-001",
      "KW-RBAC-002",
      "KW-RBAC-003",
      "KW-NET-001",
    ]);
    expect(filterByFramework(CHECKS, "nsa").map((c) => c.id)).not.toContain("KW-RBAC-003");
    expect(filterByFramework(CHECKS, "pss")).toEqual([]);
    const withPss = [{ ...CHECKS[0]!, frameworks: { pss: { check: "privileged" } } as never }];
    expect(filterByFramework(withPss, "pss")).toHaveLength(1);
  });

  it("rejects an unknown framework with a code", () => {
    expect(codeOf(() => filterByFramework(CHECKS, "iso27001" as never))).toBe("unknown-framework");
    expect(codeOf(() => complianceSummary("soc2" as never, CHECKS, []))).toBe("unknown-framework");
  });
});

describe("compareControlIds", () => {
  it("orders dotted numbers numerically and other ids as text", () => {
    const ids = ["5.1.10", "5.1.9", "1.2", "5.1", "10.1", "rbac", "1.2.1", "network"];
    expect([...ids].sort(compareControlIds)).toEqual([
      "1.2",
      "1.2.1",
      "5.1",
      "5.1.9",
      "5.1.10",
      "10.1",
      "network",
      "rbac",
    ]);
  });

  it("tells compliance objects from other values", () => {
    expect(isCompliance(undefined)).toBe(false);
    expect(isCompliance({ framework: "cis", controls: "x", passed: 0, failed: 0, score: 1 })).toBe(false);
  });
});
