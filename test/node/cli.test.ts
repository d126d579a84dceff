import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Finding, Report } from "../../src/core/model.js";
import { kubeward, ROOT } from "../cli/helpers.js";
import { mkfifo } from "../helpers/files.js";
import { kubeadmControlPlane, type NodeRoot } from "./fixtures.js";

/** Builds dist/ when it is missing or older than src/node (type errors elsewhere do not stop tsc from emitting). */
function ensureNodeBuilt(): void {
  const out = resolve(ROOT, "dist", "node", "cli.js");
  const src = resolve(ROOT, "src", "node");
  const newest = Math.max(
    ...readdirSync(src)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => statSync(join(src, f)).mtimeMs),
  );
  if (
    existsSync(out) &&
    statSync(out).mtimeMs >= newest &&
    existsSync(resolve(ROOT, "dist", "cli", "main.js"))
  )
    return;
  spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, encoding: "utf8" });
  if (!existsSync(out)) throw new Error("build did not produce dist/node/cli.js");
}

let root: NodeRoot;
beforeAll(() => {
  ensureNodeBuilt();
  root = kubeadmControlPlane();
});
afterAll(() => {
  root.remove();
  for (const f of [`kw-paths-${process.pid}.yaml`, `kw-badpaths-${process.pid}.yaml`])
    rmSync(join(root.dir, "..", f), { force: true });
});

describe("kubeward scan node", () => {
  it("prints the JSON report with node facts, sections and failing findings (passes only on request)", () => {
    const r = kubeward(["scan", "node", "--root", root.dir, "-f", "json", "--no-host"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.scan.type).toBe("node");
    expect(report.node).toMatchObject({
      distribution: "kubeadm",
      kubernetesVersion: "1.30.2",
      benchmark: "cis-1.11",
    });
    expect((report.sections as unknown[]).length).toBe(10);
    const findings = report.findings as Finding[];
    expect(findings.some((f) => f.status === "pass")).toBe(false);
    expect(findings.map((f) => f.checkId)).toContain("cis-1.11/1.2.15");
    const withPassed = JSON.parse(
      kubeward(["scan", "node", "--root", root.dir, "-f", "json", "--no-host", "--include-passed"]).stdout,
    ) as Report;
    expect((withPassed.findings as Finding[]).filter((f) => f.status === "pass").length).toBe(66);
  });

  it("renders every report format and exits with --exit-code when checks fail", () => {
    for (const format of ["table", "sarif", "junit", "policyreport"]) {
      const r = kubeward(["scan", "node", "--root", root.dir, "-f", format, "--no-host", "--exit-code", "3"]);
      expect(r.code, format).toBe(3);
      expect(r.stdout, format).toContain("1.2.15");
    }
    const table = kubeward(["scan", "node", "--root", root.dir, "-f", "table", "--no-host"]).stdout;
    expect(table).toContain("Compliance (CIS)");
    expect(table).toMatch(
      /Sections\n {2}1\.1 +Control-plane configuration files +19 pass, 1 fail, 1 warn, 0 manual\n/,
    );
    expect(table).toMatch(/\n {2}1\.2 +API server +15 pass, 6 fail, 8 warn, 1 manual\n/);
  });

  it("honours --benchmark, --targets and --paths-config", () => {
    const r = kubeward([
      "scan",
      "node",
      "--root",
      root.dir,
      "-f",
      "json",
      "--no-host",
      "--benchmark",
      "cis-1.12",
      "--targets",
      "etcd",
    ]);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.node).toMatchObject({ benchmark: "cis-1.12" });
    expect((report.sections as Array<{ id: string }>).map((s) => s.id)).toEqual(["2"]);
    const paths = join(root.dir, "..", `kw-paths-${process.pid}.yaml`);
    writeFileSync(
      paths,
      "paths:\n  kubeletService: /etc/kubernetes/manifests/etcd.yaml\n  kubeletConfig: null\n",
    );
    const over = JSON.parse(
      kubeward([
        "scan",
        "node",
        "--root",
        root.dir,
        "-f",
        "json",
        "--no-host",
        "--targets",
        "node",
        "--paths-config",
        paths,
        "--include-passed",
      ]).stdout,
    ) as Report;
    const f411 = (over.findings as Finding[]).find((f) => f.checkId === "cis-1.11/4.1.1");
    expect(f411).toMatchObject({ status: "pass", evidence: { path: "/etc/kubernetes/manifests/etcd.yaml" } });
  });

  it("runs kube-bench controls files with --kube-bench-config", () => {
    const dir = join(root.dir, "..", `kw-kb-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "master.yaml"),
      'controls:\ntype: "master"\ngroups:\n  - id: 1.2\n    text: "API server"\n    checks:\n      - id: 1.2.15\n        text: "profiling off (Automated)"\n        audit: "/bin/ps -ef | grep $apiserverbin | grep -v grep"\n        tests:\n          test_items:\n            - flag: "--profiling"\n              compare:\n                op: eq\n                value: false\n        remediation: "--profiling=false"\n        scored: true\n',
    );
    const r = kubeward([
      "scan",
      "node",
      "--root",
      root.dir,
      "-f",
      "json",
      "--no-host",
      "--kube-bench-config",
      dir,
    ]);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.node).toMatchObject({ benchmark: `kube-bench:kw-kb-${process.pid}` });
    expect((report.findings as Finding[]).map((f) => `${f.checkId}:${f.status}`)).toEqual([
      `kube-bench:kw-kb-${process.pid}/1.2.15:fail`,
    ]);
    const empty = kubeward([
      "scan",
      "node",
      "--root",
      root.dir,
      "--kube-bench-config",
      join(dir, "nothing-here"),
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("no kube-bench controls file");
    rmSync(dir, { recursive: true, force: true });
  });

  it("exits 2 with a coded reason for bad usage", () => {
    const bad = kubeward(["scan", "node", "--root", root.dir, "--targets", "master,cloud"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown target "cloud"');
    const badPaths = join(root.dir, "..", `kw-badpaths-${process.pid}.yaml`);
    writeFileSync(badPaths, "paths:\n  nowhere: /x\n");
    const r2 = kubeward(["scan", "node", "--root", root.dir, "--paths-config", badPaths]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('unknown path key "nowhere"');
    const r3 = kubeward(["scan", "node", "--root", root.dir, "--paths-config", "/nonexistent/paths.yaml"]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain(
      "cannot read --paths-config file /nonexistent/paths.yaml: ENOENT: no such file or directory",
    );
    // a FIFO would block a plain read for ever: refused at once, saying why
    const fifo = join(root.dir, "..", `kw-paths-fifo-${process.pid}`);
    mkfifo(fifo);
    try {
      const r5 = kubeward(["scan", "node", "--root", root.dir, "--paths-config", fifo]);
      expect(r5.code).toBe(2);
      expect(r5.stderr).toContain(
        `cannot read --paths-config file ${fifo}: not a regular file (FIFO, socket, device or directory)`,
      );
    } finally {
      rmSync(fifo, { force: true });
    }
    const r4 = kubeward(["scan", "node", "--benchmark", "cis-9.9"]);
    expect(r4.code).toBe(2);
  });
});

describe("kubeward scan node --print-job", () => {
  it("prints a Job that scans with hostPID, the host mounted read-only, control-plane tolerations and no API token", () => {
    const r = kubeward(["scan", "node", "--print-job", "--nodes", "3", "--benchmark", "cis-1.10"]);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(["Namespace", "ServiceAccount", "Job"]);
    expect(docs[1].automountServiceAccountToken).toBe(false);
    const job = docs[2];
    expect(job.spec).toMatchObject({ completions: 3, parallelism: 3, completionMode: "Indexed" });
    const pod = job.spec.template.spec;
    expect(pod.hostPID).toBe(true);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes).toEqual([{ name: "host", hostPath: { path: "/", type: "Directory" } }]);
    const c = pod.containers[0];
    expect(c.volumeMounts).toEqual([{ name: "host", mountPath: "/host", readOnly: true }]);
    expect(c.args).toEqual([
      "scan",
      "node",
      "--root",
      "/host",
      "--format",
      "json",
      "--benchmark",
      "cis-1.10",
    ]);
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.tolerations).toContainEqual({
      key: "node-role.kubernetes.io/control-plane",
      operator: "Exists",
      effect: "NoSchedule",
    });
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe(
      "kubernetes.io/hostname",
    );
  });

  it("prints a DaemonSet variant that keeps the pod alive after printing the report", () => {
    const r = kubeward(["scan", "node", "--print-job", "daemonset", "--image", "example.org/kubeward:test"]);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    const ds = docs[2];
    expect(ds.kind).toBe("DaemonSet");
    const c = ds.spec.template.spec.containers[0];
    expect(c.image).toBe("example.org/kubeward:test");
    expect(c.args[0]).toBe("kubeward scan node --root /host --format json; exec sleep infinity");
    expect(ds.spec.template.spec.hostPID).toBe(true);
    expect(kubeward(["scan", "node", "--print-job", "cronjob"]).code).toBe(2);
  });
});
