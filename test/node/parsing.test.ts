import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScanError } from "../../src/core/model.js";
import { detectNode, manifestComponent } from "../../src/node/detect.js";
import {
  lastValue,
  parseFeatureGates,
  parseFlags,
  shellWords,
  splitCmdline,
  splitList,
} from "../../src/node/flags.js";
import { fsHostReader } from "../../src/node/reader.js";
import { scanNode } from "../../src/node/scan.js";
import { parseUnitExecStart } from "../../src/node/units.js";
import { APISERVER_ARGS, apiserverManifest, kubeadmControlPlane, NodeRoot, staticPod } from "./fixtures.js";

const now = () => new Date("2026-11-27T09:00:00Z");

describe("flag parsing", () => {
  it("reads --flag=value, --flag value and bare booleans; repeated flags keep every value and the last wins", () => {
    const f = parseFlags(["--a=1", "--b", "two", "--v", "--a", "3", "pos", "--c="]);
    expect(f.get("--a")).toEqual(["1", "3"]);
    expect(lastValue(f, "--a")).toBe("3");
    expect(lastValue(f, "--b")).toBe("two");
    expect(lastValue(f, "--v")).toBe("true");
    expect(lastValue(f, "--c")).toBe("");
    expect(f.has("pos")).toBe(false);
  });
  it("strips one level of quotes from values and stops at --", () => {
    const f = parseFlags(['--audit-log-path="/var/log/a b.log"', "--name='x'", "--", "--after=1"]);
    expect(lastValue(f, "--audit-log-path")).toBe("/var/log/a b.log");
    expect(lastValue(f, "--name")).toBe("x");
    expect(f.has("--after")).toBe(false);
  });
  it("keeps = inside values (feature gates, selectors)", () => {
    const f = parseFlags(["--feature-gates=RotateKubeletServerCertificate=false,Foo=true"]);
    expect(parseFeatureGates(lastValue(f, "--feature-gates"))).toEqual(
      new Map([
        ["RotateKubeletServerCertificate", "false"],
        ["Foo", "true"],
      ]),
    );
  });
  it("splits comma lists with stray spaces and empty items", () => {
    expect(splitList("NodeRestriction, EventRateLimit,,AlwaysPullImages ")).toEqual([
      "NodeRestriction",
      "EventRateLimit",
      "AlwaysPullImages",
    ]);
    expect(splitList(undefined)).toEqual([]);
  });
  it("splits /proc cmdline on NULs and shell lines on quotes", () => {
    expect(splitCmdline("kubelet\0--config=/x\0")).toEqual(["kubelet", "--config=/x"]);
    expect(shellWords(`kubelet --a="x y" --b='z w' --c=\\"q\\"`)).toEqual([
      "kubelet",
      "--a=x y",
      "--b=z w",
      '--c="q"',
    ]);
  });
});

describe("systemd units", () => {
  let root: NodeRoot;
  beforeAll(() => {
    root = new NodeRoot();
    root.put(
      "/etc/systemd/system/kubelet.service",
      "[Service]\nEnvironment=\"A=--a=1\" 'B=--b=2 --bb=3'\nEnvironmentFile=-/missing.env\nEnvironmentFile=/etc/default/kubelet\nExecStart=/usr/bin/kubelet $A $" +
        "{B} \\\n  $EXTRA --tail\n",
    );
    root.put("/etc/default/kubelet", '# comment\nexport EXTRA="--x=1 --y=2"\n');
    root.put(
      "/etc/systemd/system/plain.service",
      `[Service]\nEnvironment="A=--a=1" 'B=--b=2 --bb=3'\nEnvironmentFile=/etc/default/kubelet\nExecStart=-/usr/bin/kubelet $A $\{B} \\\n  $EXTRA --tail\n`,
    );
    root.put(
      "/etc/systemd/system/kubelet.service.d/20-override.conf",
      "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet $A --override\n",
    );
  });
  afterAll(() => root.remove());
  it("expands Environment and EnvironmentFile variables, follows line continuations and drop-in overrides", () => {
    const r = fsHostReader(root.dir);
    expect(parseUnitExecStart(r, "/etc/systemd/system/kubelet.service.d/20-override.conf")).toEqual([
      "/usr/bin/kubelet",
      "--override",
    ]);
    expect(parseUnitExecStart(r, "/etc/systemd/system/kubelet.service")).toEqual([
      "/usr/bin/kubelet",
      "--a=1",
      "--override",
    ]);
    expect(parseUnitExecStart(r, "/etc/systemd/system/plain.service")).toEqual([
      "/usr/bin/kubelet",
      "--a=1",
      "--b=2",
      "--bb=3",
      "--x=1",
      "--y=2",
      "--tail",
    ]);
  });
  it("gives undefined when there is no ExecStart or no file", () => {
    const r = fsHostReader(root.dir);
    expect(parseUnitExecStart(r, "/etc/default/kubelet")).toBeUndefined();
    expect(parseUnitExecStart(r, "/nope.service")).toBeUndefined();
  });
});

describe("static pod manifests", () => {
  let root: NodeRoot;
  beforeAll(() => {
    root = new NodeRoot();
    root.put(
      "/m/args-only.yaml",
      staticPod("kube-apiserver", "x", [], undefined).replace(
        "    command:\n",
        '    args:\n    - --profiling=false\n    - --audit-log-maxage\n    - "30"\n',
      ),
    );
    root.put(
      "/m/both.yaml",
      staticPod("kube-apiserver", "x", ["kube-apiserver", "--profiling=true"], ["--profiling=false"], {
        ETCD_X: "1",
      }),
    );
    root.put("/m/bad.yaml", "spec: [unclosed\n");
    root.put("/m/not-a-pod.yaml", "kind: ConfigMap\ndata: {}\n");
  });
  afterAll(() => root.remove());
  const load = (p: string) => {
    const errors: ScanError[] = [];
    return { c: manifestComponent(fsHostReader(root.dir), "kube-apiserver", p, errors), errors };
  };
  it("reads flags from args alone (image entrypoint) and from command then args (args win when repeated)", () => {
    expect(lastValue(load("/m/args-only.yaml").c?.flags ?? new Map(), "--audit-log-maxage")).toBe("30");
    const both = load("/m/both.yaml").c;
    expect(both?.flags.get("--profiling")).toEqual(["true", "false"]);
    expect(lastValue(both?.flags ?? new Map(), "--profiling")).toBe("false");
    expect(both?.env).toEqual({ ETCD_X: "1" });
  });
  it("reports malformed and non-pod manifests with a stable code and the file", () => {
    expect(load("/m/bad.yaml").errors).toMatchObject([{ code: "yaml-syntax", file: "/m/bad.yaml" }]);
    expect(load("/m/not-a-pod.yaml").errors).toMatchObject([
      { code: "manifest-shape", file: "/m/not-a-pod.yaml" },
    ]);
    expect(load("/m/missing.yaml").errors).toMatchObject([{ code: "unreadable" }]);
  });
});

describe("hostile and broken node roots", () => {
  let base: NodeRoot;
  let dir: string;
  beforeAll(() => {
    base = kubeadmControlPlane();
    dir = mkdtempSync(join(tmpdir(), "kw-node-broken-"));
    cpSync(base.dir, dir, { recursive: true, preserveTimestamps: true });
  });
  afterAll(() => {
    base.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it("uses the last of repeated flags in a process command line (AlwaysAdmit re-enabled)", () => {
    const r = new NodeRoot();
    try {
      r.put("/etc/kubernetes/manifests/kube-apiserver.yaml", apiserverManifest(), 0o600);
      r.proc(10, [
        "kube-apiserver",
        ...APISERVER_ARGS,
        "--enable-admission-plugins",
        "NodeRestriction,AlwaysAdmit",
        "--profiling",
        "false",
      ]);
      const { results } = scanNode({ reader: fsHostReader(r.dir), now, host: false, targets: ["master"] });
      const st = (id: string) => results.find((x) => x.check.id === id)?.status;
      expect(st("1.2.10")).toBe("fail");
      expect(st("1.2.14")).toBe("pass");
      expect(st("1.2.15")).toBe("pass");
    } finally {
      r.remove();
    }
  });

  it("reports a broken manifest, a missing kubelet config and an unparsable kubelet config by code, and still scans", () => {
    const r = new NodeRoot();
    try {
      r.put("/etc/kubernetes/manifests/kube-scheduler.yaml", "spec:\n  containers: [\n", 0o600);
      r.proc(20, [
        "/usr/bin/kubelet",
        "--config=/var/lib/kubelet/missing.yaml",
        "--kubeconfig=/etc/kubernetes/kubelet.conf",
      ]);
      const { report, results } = scanNode({
        reader: fsHostReader(r.dir),
        now,
        host: false,
        benchmark: "cis-1.10",
      });
      expect((report.errors as Array<{ code: string }>).map((e) => e.code).sort()).toEqual([
        "config-missing",
        "yaml-syntax",
      ]);
      // The kubelet still gets audited: without a config file its flag defaults apply.
      expect(results.find((x) => x.check.id === "4.2.1")?.status).toBe("fail");
      expect(results.find((x) => x.check.id === "4.1.5")?.message).toContain(
        "/etc/kubernetes/kubelet.conf does not exist",
      );
      r.put("/var/lib/kubelet/missing.yaml", "authentication: [oops\n", 0o600);
      const again = scanNode({ reader: fsHostReader(r.dir), now, host: false, benchmark: "cis-1.10" });
      expect(
        (again.report.errors as Array<{ code: string; file?: string }>).find(
          (e) => e.file === "/var/lib/kubelet/missing.yaml",
        )?.code,
      ).toBe("yaml-syntax");
    } finally {
      r.remove();
    }
  });

  it("keeps paths from flag values inside the root (no escape through ../)", () => {
    const r = fsHostReader(dir);
    expect(r.readFile("/../../../../etc/hostname")).toBe("cp1\n");
    expect(r.stat("../../etc/kubernetes/admin.conf")?.mode).toBe(0o600);
  });

  it("finds no component and no role on an empty root, and says so", () => {
    const r = new NodeRoot();
    try {
      const facts = detectNode(fsHostReader(r.dir));
      expect(facts).toMatchObject({ distribution: "unknown", roles: [], components: {} });
      const { report } = scanNode({ reader: fsHostReader(r.dir), now, host: false });
      expect(report.findings).toEqual([]);
      expect(report.errors).toEqual([]);
      expect(report.compliance).toBeUndefined();
    } finally {
      r.remove();
    }
  });
});
