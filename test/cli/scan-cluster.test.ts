// The built `kubeward scan cluster` against a loopback API endpoint serving examples/ and upstream
// Pod Security fixtures: the JSON contract, the same decisions as `scan manifests` over the same
// objects, and one-line exit-2 reasons. The CLI runs as a child process (asynchronously: the
// endpoint lives in this process).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding, Report } from "../../src/core/model.js";
import {
  controllerCreated,
  exampleObjects,
  pssFixturePods,
  writeManifests,
} from "../config/cluster-fixtures.js";
import { type ApiServer, startApiServer } from "../helpers/kube-apiserver.js";
import { BIN, ensureBuilt, ROOT } from "./helpers.js";

type Obj = Record<string, unknown>;
let tmp: string;
let server: ApiServer;
let kubeconfig: string;
let applied: Obj[];

function kubeward(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: tmp,
      env: { ...process.env, NO_COLOR: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), "kw-cli-cluster-"));
  applied = [
    ...(await exampleObjects()),
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "pss" } },
    ...(await pssFixturePods("baseline", "v1.37", "fail", "pss")),
  ];
  writeManifests(join(tmp, "applied"), applied);
  server = await startApiServer({ objects: [...applied, ...controllerCreated(applied)] });
  kubeconfig = server.kubeconfig(tmp);
  writeFileSync(
    join(tmp, "ignore.yaml"),
    "ignores:\n  - id: KW-RBAC-*\n    reason: reviewed\n    resource: { kind: ClusterRoleBinding, name: image-worker-admin }\n",
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const decision = (f: Finding) => {
  const { location: _, ...rest } = f;
  return JSON.stringify(rest);
};

describe("kubeward scan cluster", () => {
  it("writes the contract's JSON: scan.type cluster, findings with a resource and no location", async () => {
    const r = await kubeward(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json"]);
    expect(r.stderr).toBe(""); // no progress line when stderr is not a terminal
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.scan).toMatchObject({
      type: "cluster",
      target: "kw-test",
      options: { pssLevel: "restricted", pssVersion: "latest" },
    });
    expect(report.errors).toEqual([]);
    expect(report.findings.length).toBeGreaterThan(50);
    for (const f of report.findings) {
      expect(f.location).toBeUndefined();
      expect(f.resource?.kind).toBeTruthy();
    }
    expect(report.cluster).toMatchObject({
      server: server.url,
      version: "v1.37.0",
      skippedOwned: { Pod: 5 },
    });
  });

  it("decides as scan manifests over the same objects, with --policy, --ignore-file and --framework", async () => {
    const common = [
      "-f",
      "json",
      "--include-suppressed",
      "--framework",
      "nsa",
      "--policy",
      join(ROOT, "test/admission/fixtures/vap.yaml"),
      "--policy-params",
      join(ROOT, "test/admission/fixtures/params.yaml"),
      "--ignore-file",
      join(tmp, "ignore.yaml"),
    ];
    const [m, c] = await Promise.all([
      kubeward(["scan", "manifests", join(tmp, "applied"), ...common]),
      kubeward(["scan", "cluster", "--kubeconfig", kubeconfig, ...common]),
    ]);
    expect([m.code, c.code, m.stderr, c.stderr]).toEqual([0, 0, "", ""]);
    const manifests = JSON.parse(m.stdout) as Report;
    const cluster = JSON.parse(c.stdout) as Report;
    expect(cluster.findings.map(decision).sort()).toEqual(manifests.findings.map(decision).sort());
    expect(cluster.findings.some((f) => f.suppressed?.by === "ignore-file")).toBe(true);
    expect(cluster.compliance).toEqual(manifests.compliance);
    expect(cluster.summary).toEqual(manifests.summary);
  });

  it("--exit-code, --severity and other formats work as for every scan", async () => {
    const r = await kubeward([
      "scan",
      "cluster",
      "--kubeconfig",
      kubeconfig,
      "--severity",
      "critical",
      "--exit-code",
      "3",
    ]);
    expect(r.code).toBe(3);
    const sarif = await kubeward(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "sarif"]);
    expect(sarif.code).toBe(0);
    const log = JSON.parse(sarif.stdout) as { runs: Array<{ results: unknown[] }> };
    expect(log.runs[0]!.results.length).toBeGreaterThan(50);
    const table = await kubeward([
      "scan",
      "cluster",
      "--kubeconfig",
      kubeconfig,
      "-n",
      "shop",
      "-f",
      "table",
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("Deployment shop/web");
  });

  it("a forbidden resource type is an error entry; the scan still exits 0", async () => {
    const s = await startApiServer({
      objects: applied,
      forbidden: ["clusterrolebindings.rbac.authorization.k8s.io"],
    });
    try {
      const r = await kubeward([
        "scan",
        "cluster",
        "--kubeconfig",
        s.kubeconfig(tmp, { context: "f" }),
        "-f",
        "json",
      ]);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      expect(report.errors).toHaveLength(1);
      expect(report.errors[0]).toMatchObject({ code: "forbidden" });
      expect(report.errors[0]!.message).toMatch(
        /^cannot list clusterrolebindings\.rbac\.authorization\.k8s\.io .*HTTP 403/,
      );
    } finally {
      await s.close();
    }
  });

  it("cannot scan: one line on stderr and exit 2", async () => {
    const cases: Array<[string[], RegExp, Record<string, string>?]> = [
      [["--kubeconfig", join(tmp, "nope")], /^kubeward: cannot read kubeconfig ".*nope": no such file\n$/],
      [
        ["--kubeconfig", kubeconfig, "--context", "prod"],
        /^kubeward: context "prod" is not in the kubeconfig/,
      ],
      [
        ["--kubeconfig", server.kubeconfig(tmp, { auth: "bad-token" })],
        /^kubeward: https:\/\/localhost:\d+ refused the credentials/,
      ],
      [
        ["--kubeconfig", kubeconfig, "-n", "nope"],
        /^kubeward: namespace "nope" does not exist on https:\/\/localhost:\d+\n$/,
      ],
      [
        ["--kubeconfig", kubeconfig, "-n", "shop", "-A"],
        /^kubeward: --namespace and --all-namespaces exclude each other\n$/,
      ],
      [
        ["--kubeconfig", kubeconfig, "--request-timeout", "soon"],
        /^kubeward: option '--request-timeout <duration>' argument 'soon' is invalid/,
      ],
      [[], /^kubeward: no kubeconfig: give --kubeconfig/, { HOME: tmp, KUBECONFIG: "" }],
    ];
    for (const [args, stderr, env] of cases) {
      const r = await kubeward(["scan", "cluster", ...args], env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(stderr);
    }
    const dead = await startApiServer({ objects: [] });
    const deadConfig = dead.kubeconfig(tmp, { context: "dead" });
    await dead.close();
    const r = await kubeward(["scan", "cluster", "--kubeconfig", deadConfig]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^kubeward: cannot reach https:\/\/localhost:\d+: connect ECONNREFUSED [^\n]*\n$/,
    );
  });

  it("shows progress on a terminal only (util-linux script gives it one), and not with --no-progress", async () => {
    const onTty = (extra: string) =>
      new Promise<string>((resolve, reject) => {
        const cmd = `${process.execPath} ${BIN} scan cluster --kubeconfig ${kubeconfig} -f json -o ${join(tmp, "tty.json")} ${extra}`;
        const child = spawn("script", ["-qec", cmd, "/dev/null"], { cwd: tmp });
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        child.on("error", reject);
        child.on("close", () => resolve(out));
      });
    const shown = await onTty("");
    expect(shown).toContain("listing pods (2/20)");
    expect(shown).toContain("listing clusterrolebindings.rbac.authorization.k8s.io");
    expect(shown.endsWith("\r\x1b[2K")).toBe(true); // the line is cleared at the end
    expect(await onTty("--no-progress")).toBe("");
  });

  it("--help shows examples", async () => {
    const r = await kubeward(["scan", "cluster", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("kubeward scan cluster --namespace-pss");
  });
});
