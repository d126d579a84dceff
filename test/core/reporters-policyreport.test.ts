import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import type { Finding } from "../../src/core/model.js";
import {
  policyReports,
  renderPolicyReports,
  reportNamespace,
  timestampOf,
} from "../../src/core/reporters/policyreport.js";
import { toYaml, yamlScalar } from "../../src/core/reporters/yaml-out.js";
import { fixtureFindings, fixtureReport } from "./reporters-fixture.js";

// biome-ignore lint/suspicious/noExplicitAny: documents are checked field by field.
type Json = any;

function parse(text: string): Json[] {
  const docs = parseAllDocuments(text);
  for (const d of docs) expect(d.errors, "YAML parse errors").toEqual([]);
  return docs.map((d) => d.toJS());
}

const RESULTS = ["pass", "fail", "warn", "error", "skip"] as const;
const SEVERITIES = ["critical", "high", "medium", "low", "info"];

describe("PolicyReport reporter", () => {
  const docs = parse(renderPolicyReports(fixtureReport()));

  it("writes a ClusterPolicyReport then one PolicyReport per namespace, sorted", () => {
    expect(docs.map((d) => [d.apiVersion, d.kind, d.metadata.namespace ?? null])).toEqual([
      ["wgpolicyk8s.io/v1alpha2", "ClusterPolicyReport", null],
      ["wgpolicyk8s.io/v1alpha2", "PolicyReport", "default"],
      ["wgpolicyk8s.io/v1alpha2", "PolicyReport", "ops"],
      ["wgpolicyk8s.io/v1alpha2", "PolicyReport", "shop"],
    ]);
    for (const d of docs) expect(d.metadata.labels["app.kubernetes.io/managed-by"]).toBe("kubeward");
  });

  it("splits findings between namespaces and cluster scope", () => {
    const byDoc = docs.map((d) => d.results.map((r: Json) => r.policy));
    // Cluster: the Namespace object, the ClusterRoleBinding, image and node findings, scan errors.
    expect(byDoc[0].sort()).toEqual(
      ["1.1.9", "1.2.1", "CVE-2023-9999", "CVE-2024-1234", "KW-NET-001", "KW-RBAC-001"]
        .concat(["kubeward-scan-error", "kubeward-scan-error"])
        .sort(),
    );
    // A Deployment written without a namespace lands in "default", as kubectl apply would put it.
    expect(byDoc[1].sort()).toEqual(["KW-POD-002", "KW-POD-003"]);
    expect(byDoc[2]).toEqual(["KW-RBAC-003"]);
    expect(byDoc[3].sort()).toEqual(["KW-POD-001", "KW-POD-002", "KW-POD-003", "KW-RBAC-002"]);
    for (const d of docs.slice(1)) {
      for (const r of d.results)
        for (const res of r.resources) expect(res.namespace).toBe(d.metadata.namespace);
    }
    for (const r of docs[0].results)
      for (const res of r.resources ?? []) expect(res.namespace).toBeUndefined();
  });

  it("keeps summaries equal to the counts of results", () => {
    for (const d of docs) {
      const counts = Object.fromEntries(RESULTS.map((k) => [k, 0]));
      for (const r of d.results) counts[r.result]++;
      expect(d.summary).toEqual(counts);
    }
    expect(docs[0].summary).toEqual({ pass: 0, fail: 5, warn: 0, error: 2, skip: 1 });
    expect(docs[3].summary).toEqual({ pass: 0, fail: 3, warn: 0, error: 0, skip: 1 });
    expect(docs[1].summary).toEqual({ pass: 1, fail: 1, warn: 0, error: 0, skip: 0 });
    expect(docs[2].summary).toEqual({ pass: 0, fail: 0, warn: 1, error: 0, skip: 0 });
  });

  it("fills results as the PolicyReport CRD defines them", () => {
    for (const d of docs) {
      for (const r of d.results) {
        expect(r.source).toBe("kubeward");
        expect(RESULTS).toContain(r.result);
        expect(SEVERITIES).toContain(r.severity);
        expect(typeof r.policy).toBe("string");
        expect(typeof r.rule).toBe("string");
        expect(r.timestamp).toEqual({ seconds: 1795766400, nanos: 0 });
        for (const v of Object.values(r.properties ?? {})) expect(typeof v).toBe("string");
      }
    }
    const priv = docs[3].results.find((r: Json) => r.policy === "KW-POD-001");
    expect(priv).toEqual({
      source: "kubeward",
      policy: "KW-POD-001",
      rule: "allowPrivilegeEscalation",
      category: "workload",
      severity: "high",
      result: "fail",
      scored: true,
      message: 'container "app" sets securityContext.allowPrivilegeEscalation=true',
      timestamp: { seconds: 1795766400, nanos: 0 },
      resources: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" }],
      properties: {
        file: "deploy/web.yaml",
        line: "17",
        container: "app",
        pss: "restricted/v1.37/allowPrivilegeEscalation",
        cis: "5.2.5",
        nsa: "pod-security",
      },
    });
    const suppressed = docs[3].results.find((r: Json) => r.policy === "KW-RBAC-002");
    expect(suppressed.result).toBe("skip");
    expect(suppressed.properties.suppressedBy).toBe("ignore-file");
    const cve = docs[0].results.find((r: Json) => r.policy === "CVE-2024-1234");
    expect(cve.properties).toMatchObject({
      package: "openssl",
      fixedVersion: "3.0.13-1~deb12u1",
      cvssScore: "9.8",
    });
    const err = docs[0].results.find((r: Json) => r.result === "error");
    expect(err.properties).toEqual({ file: "deploy/bad.yaml", line: "3", code: "yaml-syntax" });
  });

  it("reads the timestamp from the scan start, nanoseconds included", () => {
    expect(timestampOf("2026-11-27T08:00:00Z")).toEqual({ seconds: 1795766400, nanos: 0 });
    expect(timestampOf("2026-11-27T08:00:00.123456789Z")).toEqual({ seconds: 1795766400, nanos: 123456789 });
    expect(timestampOf("2026-11-27T08:00:00.5Z")).toEqual({ seconds: 1795766400, nanos: 500000000 });
    expect(timestampOf("not a time")).toEqual({ seconds: 0, nanos: 0 });
  });

  it("decides scope from the resource kind", () => {
    const f = (kind: string, namespace?: string): Finding => ({
      ...fixtureFindings()[0]!,
      resource: { kind, name: "x", ...(namespace ? { namespace } : {}) },
    });
    expect(reportNamespace(f("ClusterRole"))).toBeUndefined();
    expect(reportNamespace(f("Namespace"))).toBeUndefined();
    expect(reportNamespace(f("Role", "a"))).toBe("a");
    expect(reportNamespace(f("ConfigMap"))).toBe("default");
    expect(reportNamespace({ ...fixtureFindings()[0]!, resource: undefined })).toBeUndefined();
  });

  it("writes an empty ClusterPolicyReport when there is nothing to report", () => {
    const empty = fixtureReport([]);
    empty.errors = [];
    const [only, ...rest] = parse(renderPolicyReports(empty));
    expect(rest).toEqual([]);
    expect(only.kind).toBe("ClusterPolicyReport");
    expect(only.results).toEqual([]);
    expect(only.summary).toEqual({ pass: 0, fail: 0, warn: 0, error: 0, skip: 0 });
  });

  it("keeps hostile strings as plain YAML strings", () => {
    const text = renderPolicyReports(fixtureReport());
    const api = parse(text)[1].results.find((r: Json) => r.policy === "KW-POD-002");
    expect(api.message).toBe('container "api" runs as root; label team="<ops> & \'dev\'" \u001b[2J\u0007');
    expect(text).not.toContain("\u001b");
  });
});

describe("YAML writer", () => {
  it("writes documents that the yaml package reads back as the same data", () => {
    const report = fixtureReport();
    expect(parse(renderPolicyReports(report))).toEqual(JSON.parse(JSON.stringify(policyReports(report))));
  });

  it.each(["1.1", "1.2"] as const)("keeps awkward strings strings for YAML %s readers", (version) => {
    const awkward = [
      "",
      "yes",
      "No",
      "on",
      "OFF",
      "y",
      "null",
      "Null",
      "~",
      "true",
      "1.0",
      "0x1F",
      "0o17",
      "1:20",
      "1e3",
      ".inf",
      "-.Inf",
      ".NaN",
      "2026-01-31",
      "2026-01-31T08:00:00Z",
      " lead",
      "trail ",
      "- item",
      "a: b",
      "a #c",
      "#c",
      "key:",
      "[x]",
      "{x}",
      "*ref",
      "&anchor",
      "!tag",
      "|",
      ">",
      "%directive",
      "@at",
      "`tick",
      "'single'",
      '"double"',
      "<<",
      "=",
      "?",
      "line\nbreak",
      "tab\there",
      "nul\u0000bell\u0007esc\u001b",
      "del\u007f c1\u0085\u009b nbsp\u00a0 ls\u2028",
      "bom\ufeff nonchar\ufffe",
      "lone \ud800 surrogate \udc00",
      "emoji \ud83d\ude00",
      "KW-POD-001",
      "apps/v1",
    ];
    for (const s of awkward) {
      const text = toYaml({ k: s, list: [s] });
      expect(parseYaml(text, { version }), JSON.stringify(s)).toEqual({ k: s, list: [s] });
    }
  });

  it("round-trips random strings from a hostile alphabet", () => {
    const alphabet = [
      ..."aZ09 _-.:/#?&*!|>'\"%@`,[]{}~=<+\n\t\r\u0000\u0007\u007f\u0085\u00a0\u2028\ufeff\ufffe\u00e9",
    ];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const len = next() % 12;
      let s = "";
      for (let j = 0; j < len; j++) s += alphabet[next() % alphabet.length];
      for (const version of ["1.1", "1.2"] as const) {
        expect(parseYaml(toYaml({ s }), { version }), JSON.stringify(s)).toEqual({ s });
      }
    }
  });

  it("writes plain scalars where it is safe, and nested blocks the usual way", () => {
    expect(yamlScalar("KW-POD-001")).toBe("KW-POD-001");
    expect(yamlScalar("app.kubernetes.io/managed-by")).toBe("app.kubernetes.io/managed-by");
    expect(yamlScalar("yes")).toBe('"yes"');
    expect(yamlScalar(17)).toBe("17");
    expect(yamlScalar(false)).toBe("false");
    expect(toYaml({ a: [{ b: 1, c: [] }, "x"], d: {} })).toBe("a:\n  - b: 1\n    c: []\n  - x\nd: {}\n");
  });
});
