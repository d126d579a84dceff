import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/model.js";
import { artifactUri, renderSarif, SECURITY_SEVERITY, sarifLevel } from "../../src/core/reporters/sarif.js";
import { fixtureFindings, fixtureReport, RULES } from "./reporters-fixture.js";

const addFormats = addFormatsModule as unknown as <T extends Ajv | Ajv2020>(ajv: T) => T;

// biome-ignore lint/suspicious/noExplicitAny: SARIF is checked field by field below.
type Json = any;

function sarif(findings: Finding[] = fixtureFindings()): Json {
  return JSON.parse(renderSarif(fixtureReport(findings), { color: false, rules: RULES }));
}

/**
 * The SARIF 2.1.0 JSON schema as Microsoft's SARIF SDK ships it (its Multitool validates with
 * this file): a draft 2020-12 schema, so it is compiled with ajv's 2020 dialect.
 */
const SCHEMA_FILE = createRequire(import.meta.url).resolve(
  "@microsoft/sarif-multitool-linux/sarif-2.1.0.json",
);

describe("SARIF against the official schema", () => {
  it("validates against the SARIF 2.1.0 schema (ajv 2020-12 + ajv-formats)", () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
    expect(schema.title).toMatch(/SARIF\) Version 2\.1\.0/);
    const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const log = sarif();
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    // The schema must be able to fail: a result without a message is not SARIF.
    const broken = structuredClone(log);
    delete broken.runs[0].results[0].message;
    expect(validate(broken)).toBe(false);
  });
});

describe("SARIF structure GitHub code scanning relies on", () => {
  const log = sarif();
  const run = log.runs[0];
  const rules = run.tool.driver.rules;

  it("has the 2.1.0 envelope and one kubeward run", () => {
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({ name: "kubeward", version: "0.1.0" });
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
  });

  it("lists one rule per check id present, sorted, with GitHub's metadata", () => {
    const ids = [...new Set(fixtureFindings().map((f) => f.checkId))].sort();
    expect(rules.map((r: Json) => r.id)).toEqual(ids);
    for (const rule of rules) {
      expect(rule.name).toMatch(/^[A-Za-z0-9]+$/);
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.fullDescription.text.length).toBeGreaterThan(0);
      expect(rule.help.text.length).toBeGreaterThan(0);
      expect(rule.help.markdown.length).toBeGreaterThan(0);
      expect(Array.isArray(rule.properties.tags)).toBe(true);
      const score = Number(rule.properties["security-severity"]);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(10);
    }
    const pod = rules.find((r: Json) => r.id === "KW-POD-001");
    expect(pod.fullDescription.text).toBe(RULES.get("KW-POD-001")!.description);
    expect(pod.help.text).toContain("allowPrivilegeEscalation to false");
    expect(pod.helpUri).toBe("https://kubernetes.io/docs/concepts/security/pod-security-standards/");
    expect(pod.properties.tags).toEqual(
      expect.arrayContaining(["cis-5.2.5", "nsa-pod-security", "pss-restricted"]),
    );
    expect(pod.properties["security-severity"]).toBe("8.0");
    expect(rules.find((r: Json) => r.id === "KW-RBAC-001").properties["security-severity"]).toBe("9.5");
    expect(rules.find((r: Json) => r.id === "KW-NET-001").properties["security-severity"]).toBe("5.5");
    // Vulnerabilities use the CVSS base score where the feed gives one.
    expect(rules.find((r: Json) => r.id === "CVE-2024-1234").properties["security-severity"]).toBe("9.8");
    expect(rules.find((r: Json) => r.id === "CVE-2023-9999").properties["security-severity"]).toBe("2.0");
  });

  it("maps severities to levels and security-severity bands", () => {
    expect(["critical", "high", "medium", "low", "info"].map((s) => sarifLevel(s as never))).toEqual([
      "error",
      "error",
      "warning",
      "note",
      "note",
    ]);
    expect(SECURITY_SEVERITY).toEqual({ critical: 9.5, high: 8.0, medium: 5.5, low: 2.0, info: 0 });
  });

  it("gives each finding a result whose ruleIndex points at its rule", () => {
    expect(run.results).toHaveLength(fixtureFindings().length);
    for (const result of run.results) {
      expect(rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(result.message.text.length).toBeGreaterThan(0);
      expect(result.locations.length).toBeGreaterThanOrEqual(1);
      const loc = result.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).not.toMatch(/^\.?\//);
      expect(loc.artifactLocation.uri).not.toContain("\\");
      if (loc.region) expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(Object.values(result.partialFingerprints)[0]).toMatch(/^[0-9a-f]{64}$/);
      if (result.kind === "fail") expect(["error", "warning", "note"]).toContain(result.level);
      else expect(result.level).toBe("none");
    }
  });

  it("places findings with a file at their line, and others on the scan target", () => {
    const priv = run.results.find((r: Json) => r.ruleId === "KW-POD-001");
    expect(priv.level).toBe("error");
    expect(priv.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "deploy/web.yaml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 17 },
    });
    expect(priv.locations[0].logicalLocations[0]).toEqual({
      name: "web",
      fullyQualifiedName: "shop/Deployment/web",
      kind: "resource",
    });
    const cve = run.results.find((r: Json) => r.ruleId === "CVE-2024-1234");
    expect(cve.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: "deploy/", uriBaseId: "%SRCROOT%" },
    });
    expect(cve.message.text).toContain("fixed in 3.0.13-1~deb12u1");
    const node = run.results.find((r: Json) => r.ruleId === "1.2.1");
    expect(node.message.text).toContain('actual "true", expected "false"');
  });

  it("marks suppressed, passed and manual findings the SARIF way", () => {
    const suppressed = run.results.find((r: Json) => r.ruleId === "KW-RBAC-002");
    expect(suppressed.suppressions).toEqual([
      {
        kind: "external",
        status: "accepted",
        justification: "suppressed by ignore-file: the shop needs its TLS secret: until 2027-01-31",
      },
    ]);
    const passed = run.results.find((r: Json) => r.ruleId === "KW-POD-003" && r.kind === "pass");
    expect(passed.level).toBe("none");
    const manual = run.results.find((r: Json) => r.ruleId === "1.1.9");
    expect(manual.kind).toBe("review");
  });

  it("reports scan errors as tool execution notifications", () => {
    const notes = run.invocations[0].toolExecutionNotifications;
    expect(run.invocations[0].executionSuccessful).toBe(true);
    expect(notes.map((n: Json) => n.descriptor.id)).toEqual(["yaml-syntax", "file-too-large"]);
    expect(notes[0].locations[0].physicalLocation.region).toEqual({ startLine: 3 });
  });

  it("keeps fingerprints stable when a finding moves to another line, and distinct across findings", () => {
    const moved = fixtureFindings().map((f) =>
      f.checkId === "KW-POD-001" ? { ...f, location: { file: "deploy/web.yaml", line: 99 } } : f,
    );
    const fp = (l: Json) =>
      l.runs[0].results.find((r: Json) => r.ruleId === "KW-POD-001").partialFingerprints[
        "kubewardFindingHash/v1"
      ];
    expect(fp(sarif(moved))).toBe(fp(log));
    const all = run.results.map((r: Json) => r.partialFingerprints["kubewardFindingHash/v1"]);
    expect(new Set(all).size).toBe(all.length);
  });

  it("omits the region when the line is unknown or not positive", () => {
    const f: Finding = { ...fixtureFindings()[0]!, location: { file: "a.yaml", line: 0 } };
    const r = sarif([f]).runs[0].results[0];
    expect(r.locations[0].physicalLocation.region).toBeUndefined();
  });
});

describe("artifact URIs", () => {
  const ajv = new Ajv();
  addFormats(ajv);
  const isUriReference = ajv.compile({ type: "string", format: "uri-reference" });

  it.each([
    ["deploy/web.yaml", "deploy/web.yaml"],
    ["./deploy/web.yaml", "deploy/web.yaml"],
    ["deploy\\win\\web.yaml", "deploy/win/web.yaml"],
    ["my dir/a#b?.yaml", "my%20dir/a%23b%3F.yaml"],
    ["nginx:1.25", "nginx%3A1.25"],
    ["dépôt/ü.yaml", "d%C3%A9p%C3%B4t/%C3%BC.yaml"],
  ])("%s becomes the relative URI %s", (path, uri) => {
    expect(artifactUri(path)).toEqual({ uri, uriBaseId: "%SRCROOT%" });
    expect(isUriReference(uri)).toBe(true);
  });

  it("keeps absolute paths as file URIs without a base", () => {
    expect(artifactUri("/etc/kubernetes/manifests/kube-apiserver.yaml")).toEqual({
      uri: "file:///etc/kubernetes/manifests/kube-apiserver.yaml",
    });
    expect(artifactUri("C:\\k8s\\pod.yaml")).toEqual({ uri: "file:///C:/k8s/pod.yaml" });
  });
});
