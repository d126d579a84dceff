import { afterEach, describe, expect, it } from "vitest";
import type { ScanError } from "../../src/core/model.js";
import { loadBenchmarks } from "../../src/node/catalog.js";
import { detectNode } from "../../src/node/detect.js";
import { evaluateBenchmark } from "../../src/node/evaluate.js";
import { K3S_CONFIG_FILE, loadK3sConfig } from "../../src/node/k3s.js";
import { fsHostReader } from "../../src/node/reader.js";
import { scanNode } from "../../src/node/scan.js";
import { k3sServer, NodeRoot } from "./fixtures.js";

const now = () => new Date("2026-11-27T09:00:00Z");
const roots: NodeRoot[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) r.remove();
});
function track<T extends NodeRoot>(r: T): T {
  roots.push(r);
  return r;
}
function scan(root: NodeRoot, benchmark = "auto") {
  const out = scanNode({ reader: fsHostReader(root.dir), benchmark, now, host: false });
  return { ...out, map: Object.fromEntries(out.results.map((r) => [r.check.id, r.status])) };
}

describe("k3s config.yaml and config.yaml.d (k3s's config file parser)", () => {
  // The cases of k3s's own parser tests (pkg/configfilearg), with our own keys: later files
  // replace, "key+" appends (a scalar turns into a list), "key+" with nothing before sets,
  // only *.yaml/*.yml drop-ins count (any case), directories are skipped, names sorted.
  function configRoot(): NodeRoot {
    const r = track(new NodeRoot("kw-k3scfg-"));
    r.put(
      K3S_CONFIG_FILE,
      'write-kubeconfig-mode: "0644"\nnode-label: zone=a\nkube-apiserver-arg:\n  - audit-log-maxage=30\n  - profiling=true\ntls-san: one\nempty-one:\n',
      0o600,
    );
    const d = `${K3S_CONFIG_FILE}.d`;
    r.put(
      `${d}/10-base.yaml`,
      'write-kubeconfig-mode: "0600"\nkube-apiserver-arg+:\n  - audit-log-maxbackup=10\nnode-label+: rack=r1\nnode-taint+:\n  - dedicated=ops:NoSchedule\n',
      0o600,
    );
    r.put(`${d}/20-more.YML`, "node-label+: [disk=ssd]\ntls-san+: 10\nempty-one+: x\n", 0o600);
    r.put(`${d}/30-notes.txt`, "kube-apiserver-arg: [ignored=true]\n", 0o600);
    r.put(`${d}/40-dir.yaml/inner.yaml`, "kube-apiserver-arg: [ignored=true]\n", 0o600);
    r.put(`${d}/50-last.yml`, "kubelet-arg:\n  - read-only-port=10255\n", 0o600);
    return r;
  }

  it("applies the main file, then sorted yaml drop-ins, with key+ appending", () => {
    const r = configRoot();
    const errors: ScanError[] = [];
    const cfg = loadK3sConfig(fsHostReader(r.dir), K3S_CONFIG_FILE, errors);
    expect(errors).toEqual([]);
    expect(cfg.files).toEqual([
      K3S_CONFIG_FILE,
      `${K3S_CONFIG_FILE}.d/10-base.yaml`,
      `${K3S_CONFIG_FILE}.d/20-more.YML`,
      `${K3S_CONFIG_FILE}.d/50-last.yml`,
    ]);
    expect(cfg.values).toEqual({
      "write-kubeconfig-mode": "0600",
      "node-label": ["zone=a", "rack=r1", "disk=ssd"],
      "kube-apiserver-arg": ["audit-log-maxage=30", "profiling=true", "audit-log-maxbackup=10"],
      "tls-san": ["one", "10"],
      "empty-one": ["x"],
      "node-taint": ["dedicated=ops:NoSchedule"],
      "kubelet-arg": ["read-only-port=10255"],
    });
  });

  it("reads drop-ins when the main file is missing, and names a broken or non-mapping file", () => {
    const r = track(new NodeRoot("kw-k3scfg-"));
    r.put(`${K3S_CONFIG_FILE}.d/10-a.yaml`, "node-label: [a=1]\n", 0o600);
    r.put(`${K3S_CONFIG_FILE}.d/20-broken.yaml`, "node-label: [unclosed\n", 0o600);
    r.put(`${K3S_CONFIG_FILE}.d/30-list.yaml`, "- just\n- a list\n", 0o600);
    r.put(`${K3S_CONFIG_FILE}.d/40-b.yaml`, "node-label+: [b=2]\n", 0o600);
    const errors: ScanError[] = [];
    const cfg = loadK3sConfig(fsHostReader(r.dir), K3S_CONFIG_FILE, errors);
    expect(cfg.values).toEqual({ "node-label": ["a=1", "b=2"] });
    expect(errors.map((e) => [e.code, e.file])).toEqual([
      ["yaml-syntax", `${K3S_CONFIG_FILE}.d/20-broken.yaml`],
      ["config-shape", `${K3S_CONFIG_FILE}.d/30-list.yaml`],
    ]);
  });

  it("feeds the merged options and then the command line into the embedded components", () => {
    const r = configRoot();
    r.put("/usr/local/bin/k3s", `\x7fELF${"\0".repeat(40)}v1.31.2+k3s1${"\0".repeat(16)}`, 0o755);
    r.dirAt("/var/lib/rancher/k3s/server/tls", 0o700);
    r.proc(1, ["/sbin/init"]);
    // The command line's kube-apiserver-arg values come after the config file's, so they win.
    r.proc(700, ["/usr/local/bin/k3s", "server", "--kube-apiserver-arg=profiling=false"]);
    const facts = detectNode(fsHostReader(r.dir));
    const api = facts.components["kube-apiserver"];
    expect(api?.flags.get("--profiling")).toEqual(["false", "true", "false"]);
    expect(api?.flags.get("--audit-log-maxbackup")).toEqual(["10"]);
    expect(facts.components.kubelet?.flags.get("--read-only-port")).toEqual(["0", "10255"]);
    const { map } = scan(r);
    expect(map["1.2.15"]).toBe("pass");
    expect(map["4.2.4"]).toBe("warn");
  });

  it("follows --config to another file and its drop-ins", () => {
    const r = track(new NodeRoot("kw-k3scfg-"));
    r.put(K3S_CONFIG_FILE, "kube-apiserver-arg: [profiling=true]\n", 0o600);
    r.put("/opt/k3s/cfg.yaml", "kube-apiserver-arg: [audit-log-maxage=7]\n", 0o600);
    r.put("/opt/k3s/cfg.yaml.d/10.yaml", "kube-apiserver-arg+: [audit-log-maxsize=50]\n", 0o600);
    r.proc(1, ["/sbin/init"]);
    r.proc(700, ["/usr/local/bin/k3s", "server", "--config", "/opt/k3s/cfg.yaml"]);
    const api = detectNode(fsHostReader(r.dir), { distribution: "k3s" }).components["kube-apiserver"];
    expect(api?.editAt).toBe("/opt/k3s/cfg.yaml");
    expect(api?.flags.get("--profiling")).toEqual(["false"]);
    expect(api?.flags.get("--audit-log-maxage")).toEqual(["7"]);
    expect(api?.flags.get("--audit-log-maxsize")).toEqual(["50"]);
  });
});

describe("k3s with the kubelet drop-in directory (newer releases)", () => {
  it("reads the kubelet's settings from kubelet.conf.d, a user drop-in (also in a subdirectory) winning", () => {
    const r = track(k3sServer({ version: "v1.32.3+k3s1", kubeletDropins: true }));
    const dir = "/var/lib/rancher/k3s/agent/etc/kubelet.conf.d";
    const clean = scan(r);
    expect(clean.report.node).toMatchObject({ kubernetesVersion: "1.32.3", benchmark: "cis-1.12" });
    expect(clean.facts.components.kubelet?.flags.get("--config-dir")).toEqual([dir]);
    expect(clean.facts.kubeletConfig?.path).toBe(`${dir}/00-k3s-defaults.conf`);
    expect(clean.map).toMatchObject({ "4.1.9": "skip", "4.2.1": "pass", "4.2.4": "pass", "4.2.9": "pass" });
    expect(clean.results.find((x) => x.check.id === "4.2.3")?.evidence).toMatchObject({
      kind: "config",
      path: `${dir}/00-k3s-defaults.conf`,
      actual: "/var/lib/rancher/k3s/agent/client-ca.crt",
    });

    // k3s copies a --kubelet-arg=config-dir=... tree into 20-cli-config-dir; the kubelet walks into it.
    r.put(`${dir}/20-cli-config-dir/10-site.conf`, "readOnlyPort: 10255\n", 0o600);
    r.put(`${dir}/30-notes.txt`, "authentication:\n  anonymous:\n    enabled: true\n", 0o600);
    const changed = scan(r);
    expect(changed.map).toMatchObject({ "4.2.1": "pass", "4.2.4": "warn" });
    const ro = changed.results.find((x) => x.check.id === "4.2.4");
    expect(ro?.evidence).toMatchObject({ kind: "config", actual: "10255" });
    // k3s rewrites its defaults file at every start: the fix belongs in k3s's config.yaml.
    expect(ro?.remediation).toContain("/etc/rancher/k3s/config.yaml");
  });
});

describe("distribution profiles", () => {
  it("mark 1.1.12 and 4.2.7 not applicable on k3s for the shipped benchmarks only", () => {
    const r = track(k3sServer({ version: "v1.31.2+k3s1" }));
    r.put("/etc/rancher/k3s/config.yaml.d/10-etcd.yaml", "cluster-init: true\n", 0o600);
    r.dirAt("/var/lib/rancher/k3s/server/db/etcd", 0o700);
    const out = scan(r);
    const skipped = out.report.skipped as Array<{ checkId: string; reason: string }>;
    expect(skipped.find((s) => s.checkId === "cis-1.11/4.2.7")?.reason).toMatch(/--hostname-override/);
    expect(skipped.find((s) => s.checkId === "cis-1.11/1.1.12")?.reason).toMatch(/etcd/);
    expect(out.map["1.1.11"]).toBe("pass");
    expect(out.map["2.2"]).toBe("pass");

    // Without the profile (as for kube-bench control files) the generic checks run and fail.
    const reader = fsHostReader(r.dir);
    const bench = loadBenchmarks().get("cis-1.11");
    if (!bench) throw new Error("cis-1.11 missing");
    const facts = detectNode(reader);
    const plain = evaluateBenchmark(bench, facts, reader, { targets: ["master", "node"] });
    expect(plain.find((x) => x.check.id === "4.2.7")?.status).toBe("warn");
    expect(plain.find((x) => x.check.id === "1.1.12")?.status).toBe("fail");
  });
});
