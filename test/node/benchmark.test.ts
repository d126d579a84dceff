import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BenchmarkError, compareIds, parseBenchmark, resolveBenchmarks } from "../../src/node/benchmark.js";
import {
  BENCHMARK_DIR,
  BENCHMARK_FILES,
  benchmarkForVersion,
  loadBenchmarks,
} from "../../src/node/catalog.js";
import { compare, policyLevel } from "../../src/node/evaluate.js";

describe("benchmark registry", () => {
  it("lists exactly the YAML files in src/node/benchmarks", () => {
    const files = readdirSync(BENCHMARK_DIR)
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    expect([...BENCHMARK_FILES.values()].sort()).toEqual(files);
  });

  it("loads every version with its checks in numeric order, titles and remediations in our own words", () => {
    const all = loadBenchmarks();
    expect([...all.keys()]).toEqual(["cis-1.9", "cis-1.10", "cis-1.11", "cis-1.12"]);
    for (const b of all.values()) {
      const ids = b.sections.flatMap((s) => s.checks.map((c) => c.id));
      expect([...ids].sort(compareIds)).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
      for (const s of b.sections) {
        for (const c of s.checks) {
          expect(c.title, c.id).not.toMatch(/^Ensure that|\((Automated|Manual)\)/);
          expect(c.remediation.length, c.id).toBeGreaterThan(10);
        }
      }
    }
    const count = (id: string) => all.get(id)?.sections.reduce((n, s) => n + s.checks.length, 0);
    expect(count("cis-1.9")).toBe(95);
    expect(count("cis-1.10")).toBe(95);
    expect(count("cis-1.11")).toBe(98);
    expect(count("cis-1.12")).toBe(97);
    const c12 = all
      .get("cis-1.12")
      ?.sections.find((s) => s.id === "1.2")
      ?.checks.find((c) => c.id === "1.2.30");
    expect(c12?.automated).toBe(true);
    const c11 = all
      .get("cis-1.11")
      ?.sections.find((s) => s.id === "1.2")
      ?.checks.find((c) => c.id === "1.2.30");
    expect(c11?.automated).toBe(false);
  });

  // kube-bench's cfg/config.yaml version_mapping for the benchmarks kubeward ships (v0.15):
  // 1.27 → cis-1.9, 1.28 → cis-1.10, 1.29-1.31 → cis-1.11, 1.32-1.34 → cis-1.12. Above the table
  // kube-bench steps the minor version down until it finds an entry, so newer releases get the newest.
  const KUBE_BENCH_MAPPING: Array<[string | undefined, string]> = [
    ["1.27.3", "cis-1.9"],
    ["v1.28.0", "cis-1.10"],
    ["1.28.15", "cis-1.10"],
    ["1.29.1", "cis-1.11"],
    ["1.30.2", "cis-1.11"],
    ["v1.31.4+k3s1", "cis-1.11"],
    ["1.32.0", "cis-1.12"],
    ["1.33.5", "cis-1.12"],
    ["1.34.1", "cis-1.12"],
    ["1.35.0", "cis-1.12"],
    ["1.36.0", "cis-1.12"],
    // Older than every shipped benchmark (kube-bench has cis-1.8 and before): the oldest we have.
    ["1.26.9", "cis-1.9"],
    ["1.24.0", "cis-1.9"],
    // Unknown: the newest, with a version-unknown error in the report.
    [undefined, "cis-1.12"],
    ["garbage", "cis-1.12"],
  ];
  it.each(KUBE_BENCH_MAPPING)("Kubernetes %s → %s, as kube-bench's version_mapping", (version, bench) => {
    expect(benchmarkForVersion(loadBenchmarks(), version)).toBe(bench);
  });

  it("lists every Kubernetes minor version 1.27-1.34 in exactly one benchmark", () => {
    const owners = new Map<string, string[]>();
    for (const b of loadBenchmarks().values())
      for (const v of b.kubernetes) owners.set(v, [...(owners.get(v) ?? []), b.id]);
    for (let minor = 27; minor <= 34; minor++) expect(owners.get(`1.${minor}`)).toHaveLength(1);
    expect(owners.size).toBe(8);
  });
});

describe("benchmark file errors", () => {
  const bad = (text: string) => {
    try {
      parseBenchmark("bad.yaml", text);
    } catch (e) {
      expect(e).toBeInstanceOf(BenchmarkError);
      expect((e as BenchmarkError).code).toBe("benchmark-invalid");
      return (e as Error).message;
    }
    throw new Error("expected a BenchmarkError");
  };
  const head = "id: x\ntitle: X\nsections:\n  - id: '1'\n    target: master\n    checks:\n";
  it("names the file and the check for each kind of mistake", () => {
    expect(bad("id: [\n")).toMatch(/^bad\.yaml: YAML syntax/);
    expect(bad("- a\n")).toContain("top level: expected a mapping");
    expect(
      bad(
        `${head}      - { id: 1.1, title: t, remediation: r, audit: { type: setting, component: kube-apiserver, flag: --x, op: like, value: a } }\n`,
      ),
    ).toContain('check 1.1: unknown op "like"');
    expect(
      bad(
        `${head}      - { id: 1.1, title: t, remediation: r, audit: { type: mode, path: nowhere, max: 600 } }\n`,
      ),
    ).toContain('unknown path key "nowhere"');
    expect(
      bad(
        `${head}      - { id: 1.1, title: t, remediation: r, audit: { type: mode, path: pkiDir, max: 999 } }\n`,
      ),
    ).toContain("octal mode");
    expect(bad(`${head}      - { id: 1.1, title: t, audit: { type: manual, steps: s } }\n`)).toContain(
      "check 1.1 remediation: expected a non-empty string",
    );
    expect(
      bad(
        `${head}      - { id: 1.1, title: t, remediation: r, audit: { type: setting, component: kube-dns, flag: --x, op: set } }\n`,
      ),
    ).toContain('unknown component "kube-dns"');
    expect(
      bad(
        `${head}      - { id: 1.1, title: t, remediation: r, audit: { type: setting, component: kubelet, flag: [--a, --b], config: [a], op: set } }\n`,
      ),
    ).toContain("one entry per flag");
    expect(
      bad(
        `${head}      - { id: 1.1, title: t, remediation: r, audit: { type: setting, component: kubelet, flag: --a, op: eq } }\n`,
      ),
    ).toContain("op eq needs a value");
    expect(
      bad(
        `${head}      - { id: 1.1, title: t, remediation: r, severity: huge, audit: { type: manual, steps: s } }\n`,
      ),
    ).toContain('unknown severity "huge"');
    expect(bad("id: x\ntitle: X\nsections:\n  - id: '9'\n    target: cloud\n")).toContain(
      'unknown target "cloud"',
    );
    expect(
      bad(`${head}      - { id: 1.1, title: t, remediation: r, audit: { type: shell, cmd: ls } }\n`),
    ).toContain('unknown audit type "shell"');
  });
  it("rejects extends chains that are unknown or circular", () => {
    const a = parseBenchmark("a.yaml", "id: a\ntitle: A\nextends: b\n");
    const b = parseBenchmark("b.yaml", "id: b\ntitle: B\nextends: a\n");
    expect(() => resolveBenchmarks(new Map([["a", a]]))).toThrow(/extends unknown benchmark "b"/);
    expect(() =>
      resolveBenchmarks(
        new Map([
          ["a", a],
          ["b", b],
        ]),
      ),
    ).toThrow(/extends cycle/);
  });
});

describe("comparisons", () => {
  it.each([
    ["eq", "false", "false", true],
    ["eq", "False", "false", true],
    ["eq", undefined, "false", false],
    ["noteq", "0s", "0", false],
    ["noteq", "5m", "0", true],
    ["eq", "4h0m0s", "4h", true],
    ["eq", "1m30s", "90s", true],
    ["eq", "10", "10.0", false],
    ["noteq", undefined, "0", false],
    ["has", "Node,RBAC", "RBAC", true],
    ["has", "Node,RBACX", "RBAC", false],
    ["nothave", undefined, "AlwaysAdmit", true],
    ["nothave", "NodeRestriction,AlwaysAdmit", "AlwaysAdmit", false],
    ["gte", "30", "30", true],
    ["gte", "29", "30", false],
    ["gte", "thirty", "30", false],
    ["set", "", undefined, true],
    ["unset", undefined, undefined, true],
    ["valid_elements", "A,B", "A,B,C", true],
    ["valid_elements", "A,D", "A,B,C", false],
    ["valid_elements", undefined, "A", false],
    ["contains", "127.0.0.1:10249", "127.0.0.1", true],
    ["contains", "0.0.0.0:10249", "127.0.0.1", false],
  ] as const)("%s(%s, %s) = %s", (op, actual, want, expected) => {
    expect(compare(op, actual, want)).toBe(expected);
  });
});

describe("audit policy evaluation (first matching rule wins, as the API server does)", () => {
  const rules = [
    {
      level: "None",
      users: ["system:kube-proxy"],
      verbs: ["watch"],
      resources: [{ group: "", resources: ["endpoints"] }],
    },
    { level: "None", resources: [{ group: "", resources: ["events"] }] },
    { level: "Metadata", resources: [{ group: "", resources: ["secrets"], resourceNames: ["only-this"] }] },
    { level: "Request", resources: [{ group: "", resources: ["pods/*"] }] },
    { level: "RequestResponse", verbs: ["create"], resources: [{ group: "apps", resources: ["*/scale"] }] },
    { level: "Metadata", verbs: ["get"] },
  ];
  it.each([
    ["", "endpoints", "watch", "None"],
    ["", "endpoints", "get", "Metadata"],
    ["", "events", "create", "None"],
    ["", "secrets", "get", "Metadata"],
    ["", "secrets", "delete", "None"],
    ["", "pods", "delete", "Request"],
    ["", "pods/exec", "create", "Request"],
    ["apps", "deployments/scale", "create", "RequestResponse"],
    ["apps", "deployments", "create", "None"],
    ["batch", "jobs", "get", "Metadata"],
  ])("group %j resource %s verb %s → %s", (group, resource, verb, level) => {
    expect(policyLevel(rules, group, resource, verb)).toBe(level);
  });
});
