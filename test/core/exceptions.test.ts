import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObjectCheck } from "../../src/core/check.js";
import { runChecks } from "../../src/core/engine.js";
import {
  annotationIds,
  applyExceptions,
  defaultIgnoreFiles,
  expiredAsErrors,
  type IgnoreRule,
  parseIgnoreFile,
  readIgnoreFile,
  readIgnoreRules,
} from "../../src/core/exceptions.js";
import { loadManifests } from "../../src/core/loader/index.js";
import type { Finding, ScanError } from "../../src/core/model.js";
import type { K8sObject } from "../../src/core/object.js";
import { containersOf, podOf } from "../../src/core/podspec.js";
import { mkfifo, writeUnder } from "../helpers/files.js";

// Two small real checks run by the real engine over really loaded manifests.
function check(id: string, field: string): ObjectCheck {
  return {
    id,
    title: `${field} set`,
    severity: "high",
    layer: "workload",
    description: "",
    remediation: "",
    references: [],
    frameworks: {},
    kinds: ["Pod", "Deployment", "CronJob"],
    run(obj) {
      const pod = podOf(obj);
      if (!pod) return [];
      return containersOf(pod)
        .filter((c) => (c.container.securityContext as Record<string, unknown> | undefined)?.[field] === true)
        .map((c) => ({
          message: `${c.name} sets ${field}`,
          container: c.name,
          path: [...c.path, "securityContext", field],
        }));
    },
  };
}
const CHECKS = [check("KW-T-001", "privileged"), check("KW-T-002", "allowPrivilegeEscalation")];

let dir: string;
const p = (...parts: string[]) => join(dir, ...parts);
const write = (rel: string, content: string | Buffer) => writeUnder(dir, rel, content);

function workload(
  kind: string,
  name: string,
  ns: string,
  annotations: Record<string, string> = {},
  podAnnotations: Record<string, string> = {},
) {
  const ann = (a: Record<string, string>, indent: string) =>
    Object.keys(a).length === 0
      ? ""
      : `${indent}annotations:\n${Object.entries(a)
          .map(([k, v]) => `${indent}  ${k}: ${JSON.stringify(v)}`)
          .join("\n")}\n`;
  const containers = `      containers:
        - name: app
          image: nginx
          securityContext: {privileged: true, allowPrivilegeEscalation: true}
`;
  if (kind === "Pod") {
    return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${ann(annotations, "  ")}spec:\n${containers.replace(/^ {4}/gm, "")}`;
  }
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${ann(annotations, "  ")}spec:\n  template:\n    metadata:\n${ann(podAnnotations, "      ") || "      labels: {app: x}\n"}    spec:\n${containers}`;
}

async function scan(files: string[]): Promise<{ objects: K8sObject[]; findings: Finding[] }> {
  const r = await loadManifests(files);
  expect(r.errors).toEqual([]);
  const findings = runChecks(CHECKS, {
    objects: r.objects,
    options: { pssLevel: "baseline", pssVersion: "latest" },
  });
  return { objects: r.objects, findings };
}
const NOW = new Date("2026-11-27T08:00:00Z");
const summary = (fs: Finding[]) =>
  fs
    .map((f) => [f.resource?.name, f.checkId, f.suppressed?.by ?? null])
    .sort((a, b) => String(a).localeCompare(String(b)));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-exceptions-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("annotations", () => {
  it("parses the id list: commas, spaces, `*` and `all`", () => {
    expect(annotationIds({ "kubeward.io/ignore": " KW-A , KW-B,," })).toEqual(["KW-A", "KW-B"]);
    expect(annotationIds({ "kubeward.io/ignore": "all" })).toEqual(["*"]);
    expect(annotationIds({ "kubeward.io/ignore": "*" })).toEqual(["*"]);
    expect(annotationIds({ other: "KW-A" })).toEqual([]);
    expect(annotationIds(undefined)).toEqual([]);
  });

  it("suppresses only the listed check, keeps the reason, and never drops a finding", async () => {
    const file = write(
      "ann/one.yaml",
      workload("Pod", "a", "shop", {
        "kubeward.io/ignore": "KW-T-001",
        "kubeward.io/ignore-reason": "needs raw sockets (TICKET-1)",
      }),
    );
    const { objects, findings } = await scan([file]);
    const r = applyExceptions(findings, objects, [], NOW);
    expect(r.findings).toHaveLength(findings.length);
    expect(summary(r.findings)).toEqual([
      ["a", "KW-T-001", "annotation"],
      ["a", "KW-T-002", null],
    ]);
    expect(r.findings[0].suppressed).toEqual({ by: "annotation", reason: "needs raw sockets (TICKET-1)" });
    // Pure: the input findings are untouched.
    expect(findings.every((f) => f.suppressed === undefined)).toBe(true);
  });

  it("accepts several ids, `all`, and a case-insensitive glob; a missing reason is omitted", async () => {
    const files = [
      write("ann/multi.yaml", workload("Pod", "m", "shop", { "kubeward.io/ignore": "KW-T-002, KW-T-001" })),
      write("ann/all.yaml", workload("Pod", "all", "shop", { "kubeward.io/ignore": "all" })),
      write("ann/glob.yaml", workload("Pod", "g", "shop", { "kubeward.io/ignore": "kw-t-00*" })),
      write("ann/none.yaml", workload("Pod", "none", "shop", { "kubeward.io/ignore": "KW-OTHER-1" })),
    ];
    const { objects, findings } = await scan(files);
    const r = applyExceptions(findings, objects, [], NOW);
    expect(summary(r.findings)).toEqual([
      ["all", "KW-T-001", "annotation"],
      ["all", "KW-T-002", "annotation"],
      ["g", "KW-T-001", "annotation"],
      ["g", "KW-T-002", "annotation"],
      ["m", "KW-T-001", "annotation"],
      ["m", "KW-T-002", "annotation"],
      ["none", "KW-T-001", null],
      ["none", "KW-T-002", null],
    ]);
    expect(r.findings[0].suppressed).toEqual({ by: "annotation" });
  });

  it("applies a workload's pod template annotations to the workload's findings", async () => {
    const file = write(
      "ann/template.yaml",
      workload(
        "Deployment",
        "d",
        "shop",
        {},
        { "kubeward.io/ignore": "KW-T-002", "kubeward.io/ignore-reason": "template says so" },
      ),
    );
    const { objects, findings } = await scan([file]);
    const r = applyExceptions(findings, objects, [], NOW);
    expect(summary(r.findings)).toEqual([
      ["d", "KW-T-001", null],
      ["d", "KW-T-002", "annotation"],
    ]);
    expect(r.findings[1].suppressed?.reason).toBe("template says so");
  });

  it("reads a CronJob's pod template annotations (under spec.jobTemplate)", async () => {
    const file = write(
      "ann/cronjob.yaml",
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: c, namespace: shop}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {kubeward.io/ignore: KW-T-001}
        spec:
          containers:
            - name: app
              image: nginx
              securityContext: {privileged: true, allowPrivilegeEscalation: true}
`,
    );
    const { objects, findings } = await scan([file]);
    const r = applyExceptions(findings, objects, [], NOW);
    expect(summary(r.findings)).toEqual([
      ["c", "KW-T-001", "annotation"],
      ["c", "KW-T-002", null],
    ]);
  });

  it("does not leak to a same-named object in another file", async () => {
    const files = [
      write("ann/x1.yaml", workload("Pod", "same", "shop", { "kubeward.io/ignore": "*" })),
      write("ann/x2.yaml", workload("Pod", "same", "shop")),
    ];
    const { objects, findings } = await scan(files);
    const r = applyExceptions(findings, objects, [], NOW);
    expect(r.findings.map((f) => [f.location?.file, f.suppressed?.by ?? null])).toEqual([
      [files[0], "annotation"],
      [files[0], "annotation"],
      [files[1], null],
      [files[1], null],
    ]);
  });

  it("leaves findings suppressed by another mechanism as they are", () => {
    const f: Finding = {
      checkId: "CVE-1",
      title: "t",
      severity: "low",
      status: "fail",
      layer: "vulnerability",
      message: "m",
      suppressed: { by: "vex", reason: "not affected" },
    };
    const r = applyExceptions([f], [], [{ id: "*", reason: "x" }], NOW);
    expect(r.findings[0].suppressed).toEqual({ by: "vex", reason: "not affected" });
  });
});

describe("ignore file rules", () => {
  let objects: K8sObject[];
  let findings: Finding[];
  beforeAll(async () => {
    const files = [
      write("repo/deploy/legacy/billing.yaml", workload("Deployment", "billing-api", "legacy")),
      write("repo/deploy/shop/web.yaml", workload("Deployment", "web", "shop")),
      write("repo/deploy/shop/debug.yaml", workload("Pod", "billing-debug", "shop")),
    ];
    ({ objects, findings } = await scan(files));
  });
  const apply = (rules: IgnoreRule[]) => applyExceptions(findings, objects, rules, NOW);
  const suppressedSet = (rules: IgnoreRule[]) =>
    apply(rules)
      .findings.filter((f) => f.suppressed)
      .map((f) => `${f.resource?.name}/${f.checkId}`)
      .sort();

  it("matches by id alone (all resources)", () => {
    expect(suppressedSet([{ id: "KW-T-001", reason: "r" }])).toEqual([
      "billing-api/KW-T-001",
      "billing-debug/KW-T-001",
      "web/KW-T-001",
    ]);
  });

  it("matches by kind, namespace and name glob", () => {
    expect(suppressedSet([{ id: "*", resource: { kind: "Pod" }, reason: "r" }])).toEqual([
      "billing-debug/KW-T-001",
      "billing-debug/KW-T-002",
    ]);
    expect(suppressedSet([{ id: "KW-T-002", resource: { namespace: "legacy" }, reason: "r" }])).toEqual([
      "billing-api/KW-T-002",
    ]);
    expect(suppressedSet([{ id: "KW-T-001", resource: { name: "billing-*" }, reason: "r" }])).toEqual([
      "billing-api/KW-T-001",
      "billing-debug/KW-T-001",
    ]);
    expect(
      suppressedSet([{ id: "KW-T-001", resource: { kind: "Deployment", name: "billing-*" }, reason: "r" }]),
    ).toEqual(["billing-api/KW-T-001"]);
    expect(suppressedSet([{ id: "KW-T-001", resource: { namespace: "nope" }, reason: "r" }])).toEqual([]);
  });

  it('treats an object without a namespace as namespace "": only `*` matches it', async () => {
    const plain = await scan([
      write(
        "nons/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: nons}\nspec:\n  containers: [{name: c, image: x, securityContext: {privileged: true}}]\n",
      ),
    ]);
    const star = applyExceptions(
      plain.findings,
      plain.objects,
      [{ id: "KW-T-001", resource: { namespace: "*" }, reason: "r" }],
      NOW,
    );
    expect(star.findings.map((f) => f.suppressed?.by)).toEqual(["ignore-file"]);
    const dflt = applyExceptions(
      plain.findings,
      plain.objects,
      [{ id: "KW-T-001", resource: { namespace: "default" }, reason: "r" }],
      NOW,
    );
    expect(dflt.findings.map((f) => f.suppressed)).toEqual([undefined]);
  });

  it("matches by file glob, relative to the ignore file's directory or as reported", () => {
    const base = p("repo");
    const origin = { file: p("repo", ".kubewardignore.yaml"), index: 0, base };
    expect(suppressedSet([{ id: "KW-T-002", path: "deploy/shop/**", reason: "r", origin }])).toEqual([
      "billing-debug/KW-T-002",
      "web/KW-T-002",
    ]);
    expect(suppressedSet([{ id: "KW-T-002", path: "web.yaml", reason: "r" }])).toEqual(["web/KW-T-002"]);
    expect(
      suppressedSet([{ id: "KW-T-002", path: `${p("repo", "deploy", "legacy")}/*.yaml`, reason: "r" }]),
    ).toEqual(["billing-api/KW-T-002"]);
    expect(suppressedSet([{ id: "KW-T-002", path: "deploy/shop/**", reason: "r" }])).toEqual([]);
  });

  it("records reason and expiry in the suppression; annotation wins over the file", async () => {
    const r = apply([
      { id: "KW-T-001", resource: { name: "web" }, reason: "accepted risk", expires: "2026-12-31" },
    ]);
    const web = r.findings.find((f) => f.resource?.name === "web" && f.checkId === "KW-T-001");
    expect(web?.suppressed).toEqual({ by: "ignore-file", reason: "accepted risk", expires: "2026-12-31" });
    const annotated = await scan([
      write("ann/both.yaml", workload("Pod", "both", "shop", { "kubeward.io/ignore": "KW-T-001" })),
    ]);
    const both = applyExceptions(annotated.findings, annotated.objects, [{ id: "*", reason: "file" }], NOW);
    expect(both.findings.map((f) => f.suppressed?.by)).toEqual(["annotation", "ignore-file"]);
  });

  it("stops applying an entry after its expiry day and reports it as expired", () => {
    const rule: IgnoreRule = {
      id: "KW-T-001",
      resource: { name: "web" },
      reason: "r",
      expires: "2026-11-26",
      origin: { file: ".kubewardignore.yaml", index: 3, line: 12 },
    };
    const past = apply([rule]);
    expect(past.findings.filter((f) => f.suppressed)).toEqual([]);
    expect(past.expired).toEqual([expect.objectContaining({ rule, matches: 1 })]);
    expect(past.expired[0].message).toContain("expired on 2026-11-26");
    expect(expiredAsErrors(past.expired)).toEqual([
      { file: ".kubewardignore.yaml", line: 12, code: "ignore-expired", message: past.expired[0].message },
    ]);
    // On the expiry day itself (and before), the entry still applies.
    const sameDay = applyExceptions(
      findings,
      objects,
      [{ ...rule, expires: "2026-11-27" }],
      new Date("2026-11-27T23:59:59Z"),
    );
    expect(sameDay.expired).toEqual([]);
    expect(sameDay.findings.filter((f) => f.suppressed)).toHaveLength(1);
    const future = applyExceptions(findings, objects, [{ ...rule, expires: "2030-01-01" }], NOW);
    expect(future.findings.filter((f) => f.suppressed)).toHaveLength(1);
    // The clock is the caller's: the same rule has expired by a later `now`.
    const later = applyExceptions(
      findings,
      objects,
      [{ ...rule, expires: "2030-01-01" }],
      new Date("2030-01-02T00:00:00Z"),
    );
    expect(later.expired).toHaveLength(1);
  });
});

describe("ignore file parsing", () => {
  it("reads a well-formed file", () => {
    const text = `# accepted risks
version: 1
ignores:
  - id: KW-T-001
    reason: legacy image needs root
    resource: {kind: Deployment, namespace: legacy, name: "billing-*"}
    expires: 2027-01-31
  - id: KW-T-002
    path: deploy/shop/**
    reason: tracked in TICKET-9
`;
    const { rules, errors } = parseIgnoreFile(text, "repo/.kubewardignore.yaml", "repo");
    expect(errors).toEqual([]);
    expect(rules).toEqual([
      {
        id: "KW-T-001",
        reason: "legacy image needs root",
        resource: { kind: "Deployment", namespace: "legacy", name: "billing-*" },
        expires: "2027-01-31",
        origin: { file: "repo/.kubewardignore.yaml", index: 0, line: 4, base: "repo" },
      },
      {
        id: "KW-T-002",
        path: "deploy/shop/**",
        reason: "tracked in TICKET-9",
        origin: { file: "repo/.kubewardignore.yaml", index: 1, line: 8, base: "repo" },
      },
    ]);
  });

  it("reports each bad entry with its index and line, and keeps the good ones", () => {
    const text = `ignores:
  - id: KW-T-001
    reason: fine
  - id: KW-T-002
  - id: KW-T-003
    reason: r
    expires: 2027-02-30
  - id: KW-T-004
    reason: r
    resource: {kind: Pod, namspace: x}
  - just a string
  - id: KW-T-005
    reason: r
    paths: x
`;
    const { rules, errors } = parseIgnoreFile(text, "ig.yaml");
    expect(rules.map((r) => r.id)).toEqual(["KW-T-001"]);
    expect(errors.map((e) => [e.code, e.line])).toEqual([
      ["ignore-file-invalid", 4],
      ["ignore-file-invalid", 5],
      ["ignore-file-invalid", 8],
      ["ignore-file-invalid", 11],
      ["ignore-file-invalid", 12],
    ]);
    expect(errors[0].message).toMatch(/ignores\[1\].*reason/);
    expect(errors[1].message).toMatch(/ignores\[2\].*expires.*2027-02-30/);
    expect(errors[2].message).toMatch(/ignores\[3\].*resource\.namspace/);
    expect(errors[3].message).toContain("ignores[4]");
    expect(errors[4].message).toMatch(/ignores\[5\].*"paths"/);
  });

  it("rejects a file that is not YAML or not the expected shape", () => {
    expect(parseIgnoreFile("ignores: [\n", "a.yaml").errors).toEqual([
      expect.objectContaining({ code: "ignore-file-invalid", file: "a.yaml" }),
    ]);
    expect(parseIgnoreFile("- id: KW-1\n  reason: r\n", "b.yaml").errors).toEqual([
      expect.objectContaining({ code: "ignore-file-invalid" }),
    ]);
    expect(parseIgnoreFile("ignores: {id: x}\n", "c.yaml").errors[0].message).toContain("must be a list");
    expect(parseIgnoreFile("ignore:\n  - id: x\n    reason: r\n", "d.yaml").errors[0]).toMatchObject({
      line: 1,
      code: "ignore-file-invalid",
    });
    expect(parseIgnoreFile("version: 2\nignores: []\n", "e.yaml").errors[0].message).toContain(
      "unsupported version",
    );
    expect(parseIgnoreFile("# nothing yet\n", "f.yaml")).toEqual({ rules: [], errors: [] });
  });

  it("reads the file from disk; a missing file is unreadable; finds the default file in directory targets", () => {
    const file = write("scanroot/.kubewardignore.yaml", "ignores:\n  - id: KW-T-001\n    reason: r\n");
    const read = readIgnoreFile(file);
    expect(read.errors).toEqual([]);
    expect(read.rules[0].origin).toEqual({ file, index: 0, line: 2, base: p("scanroot") });
    expect(readIgnoreFile(p("missing.yaml")).errors).toEqual([
      expect.objectContaining({ code: "unreadable" }),
    ]);
    // a FIFO (its open would wait for a writer) and a directory: refused at once, named
    mkfifo(p("fifo.yaml"));
    for (const bad of [p("fifo.yaml"), p("scanroot")])
      expect(readIgnoreFile(bad).errors).toEqual([
        {
          file: bad,
          code: "unreadable",
          message: `${bad}: cannot read ignore file: not a regular file (FIFO, socket, device or directory)`,
        },
      ]);
    // several files: every rule kept, a missing one an error naming it
    const errors: ScanError[] = [];
    expect(readIgnoreRules([file, p("missing.yaml"), file], errors).map((r) => r.origin?.file)).toEqual([
      file,
      file,
    ]);
    expect(errors).toEqual([expect.objectContaining({ code: "unreadable", file: p("missing.yaml") })]);
    write("scanroot/x.yaml", "a: b\n");
    expect(defaultIgnoreFiles([p("scanroot"), p("scanroot", "x.yaml"), "-", p("nope")])).toEqual([file]);
  });
});
