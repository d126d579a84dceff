import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsHostReader } from "../../src/node/reader.js";
import { scanNode } from "../../src/node/scan.js";
import { eksWorker, k3sServer, kubeadmWorker, microk8sNode, type NodeRoot, rke2Server } from "./fixtures.js";

const now = () => new Date("2026-11-27T09:00:00Z");
const P = "pass";
const F = "fail";
const W = "warn";
const M = "manual";
const S = "skip";

function scan(root: NodeRoot, benchmark = "auto") {
  const out = scanNode({ reader: fsHostReader(root.dir), benchmark, now, host: false });
  return { ...out, map: Object.fromEntries(out.results.map((r) => [r.check.id, r.status])) };
}

describe("kubeadm worker seen without host PIDs", () => {
  let root: NodeRoot;
  beforeAll(() => {
    root = kubeadmWorker();
  });
  afterAll(() => root.remove());

  it("rebuilds the kubelet command line from its systemd drop-in and environment files", () => {
    const { facts, report } = scan(root);
    const k = facts.components.kubelet;
    expect(k?.source).toBe("unit-file");
    expect(k?.argv).toEqual([
      "/usr/bin/kubelet",
      "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
      "--kubeconfig=/etc/kubernetes/kubelet.conf",
      "--config=/var/lib/kubelet/config.yaml",
      "--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock",
      "--pod-infra-container-image=registry.k8s.io/pause:3.9",
      "--node-ip=192.168.56.21",
      "--read-only-port=10255",
    ]);
    expect(report.node).toMatchObject({
      roles: ["worker"],
      distribution: "kubeadm",
      kubernetesVersion: "1.31.4",
      benchmark: "cis-1.11",
      versionSource: "binary /usr/bin/kubelet",
    });
  });

  it("gives every node check exactly the expected status (the flag beats the config file for the read-only port)", () => {
    const { map } = scan(root);
    expect(map).toEqual({
      "4.1.1": F,
      "4.1.2": P,
      "4.1.3": P,
      "4.1.4": P,
      "4.1.5": P,
      "4.1.6": P,
      "4.1.7": P, // 644 is enough from cis-1.11 on
      "4.1.8": P,
      "4.1.9": F,
      "4.1.10": P,
      "4.2.1": P,
      "4.2.2": P,
      "4.2.3": P,
      "4.2.4": W,
      "4.2.5": P,
      "4.2.6": P,
      "4.2.7": P,
      "4.2.8": P,
      "4.2.9": W,
      "4.2.10": P,
      "4.2.11": P,
      "4.2.12": W,
      "4.2.13": W,
      "4.2.14": W,
      "4.2.15": M,
      "4.3.1": S,
    });
  });

  it("lists control-plane targets as skipped when asked for them explicitly", () => {
    const { report } = scanNode({
      reader: fsHostReader(root.dir),
      now,
      host: false,
      targets: ["master", "node", "policies"],
    });
    const skipped = report.skipped as Array<{ checkId: string; reason: string }>;
    expect(skipped.find((s) => s.checkId === "cis-1.11/1.2.15")?.reason).toBe(
      "no control-plane component runs on this node",
    );
    expect(skipped.filter((s) => s.checkId.startsWith("cis-1.11/5")).length).toBe(0);
  });
});

describe("k3s server", () => {
  let root: NodeRoot;
  beforeAll(() => {
    root = k3sServer();
  });
  afterAll(() => root.remove());

  it("builds component settings from k3s defaults plus config.yaml args", () => {
    const { facts, report } = scan(root);
    expect(report.node).toMatchObject({
      roles: ["control-plane", "worker"],
      distribution: "k3s",
      kubernetesVersion: "1.30.6",
      benchmark: "cis-1.11",
    });
    const api = facts.components["kube-apiserver"];
    expect(api?.source).toBe("distribution");
    expect(api?.flags.get("--audit-log-path")).toEqual(["/var/lib/rancher/k3s/server/logs/audit.log"]);
    expect(api?.flags.get("--encryption-provider-config")).toEqual([
      "/var/lib/rancher/k3s/server/cred/encryption-config.json",
    ]);
    expect(facts.components.etcd).toBeUndefined();
    expect(facts.components.kubelet?.flags.get("--protect-kernel-defaults")).toEqual(["true"]);
    // k3s always names the node for the kubelet and chooses the API server's cipher suites itself.
    expect(facts.components.kubelet?.flags.get("--hostname-override")).toEqual(["k3s-1"]);
    expect(api?.flags.get("--tls-cipher-suites")?.[0].split(",")).toHaveLength(6);
    expect(api?.flags.get("--service-account-lookup")).toBeUndefined();
  });

  it("gives every check exactly the expected status", () => {
    expect(scan(root).map).toEqual({
      "1.1.1": S,
      "1.1.2": S,
      "1.1.3": S,
      "1.1.4": S,
      "1.1.5": S,
      "1.1.6": S,
      "1.1.7": S,
      "1.1.8": S,
      "1.1.9": P,
      "1.1.10": P,
      "1.1.11": S,
      "1.1.12": S,
      "1.1.13": P,
      "1.1.14": P,
      "1.1.15": P,
      "1.1.16": P,
      "1.1.17": P,
      "1.1.18": P,
      "1.1.19": P,
      "1.1.20": P,
      "1.1.21": P,
      "1.2.1": P,
      "1.2.2": P,
      "1.2.3": W,
      "1.2.4": P,
      "1.2.5": P,
      "1.2.6": P,
      "1.2.7": P,
      "1.2.8": P,
      "1.2.9": W,
      "1.2.10": P,
      "1.2.11": W,
      "1.2.12": P,
      "1.2.13": P,
      "1.2.14": P,
      "1.2.15": P,
      "1.2.16": P,
      "1.2.17": P,
      "1.2.18": P,
      "1.2.19": P,
      "1.2.20": M,
      "1.2.21": P,
      "1.2.22": P,
      "1.2.23": F,
      "1.2.24": P,
      "1.2.25": P,
      "1.2.26": F,
      "1.2.27": P,
      "1.2.28": P,
      "1.2.29": P,
      "1.2.30": W,
      "1.3.1": W,
      "1.3.2": P,
      "1.3.3": P,
      "1.3.4": P,
      "1.3.5": P,
      "1.3.6": P,
      "1.3.7": P,
      "1.4.1": P,
      "1.4.2": P,
      "3.1.1": M,
      "3.1.2": M,
      "3.1.3": M,
      "3.2.1": P,
      "3.2.2": P,
      "4.1.1": S,
      "4.1.2": S,
      "4.1.3": P,
      "4.1.4": P,
      "4.1.5": P,
      "4.1.6": P,
      "4.1.7": P,
      "4.1.8": P,
      "4.1.9": S,
      "4.1.10": S,
      "4.2.1": P,
      "4.2.2": P,
      "4.2.3": P,
      "4.2.4": P,
      "4.2.5": P,
      "4.2.6": P,
      "4.2.7": S,
      "4.2.8": P,
      "4.2.9": P,
      "4.2.10": P,
      "4.2.11": P,
      "4.2.12": W,
      "4.2.13": W,
      "4.2.14": W,
      "4.2.15": M,
      "4.3.1": P,
    });
  });

  it("names k3s's config.yaml as the place to fix a flag", () => {
    const { results } = scan(root);
    const r = results.find((x) => x.check.id === "1.2.23");
    expect(r?.remediation).toContain("/etc/rancher/k3s/config.yaml");
    expect(r?.evidence).toMatchObject({
      component: "kube-apiserver",
      key: "--etcd-certfile",
      path: "/proc/700/cmdline",
      actual: null,
    });
  });
});

describe("other distributions", () => {
  const roots: NodeRoot[] = [];
  afterAll(() => {
    for (const r of roots) r.remove();
  });
  const run = (make: () => NodeRoot, benchmark = "cis-1.10") => {
    const r = make();
    roots.push(r);
    return scan(r, benchmark);
  };

  it("RKE2: static pods under the agent dir, kubelet by flags, version from the image", () => {
    const { report, facts, map, results } = run(rke2Server, "auto");
    expect(report.node).toMatchObject({
      distribution: "rke2",
      roles: ["control-plane", "etcd", "worker"],
      kubernetesVersion: "1.30.6",
      benchmark: "cis-1.11",
    });
    expect(facts.components["kube-apiserver"]?.where).toBe(
      "/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml",
    );
    expect(map["1.1.1"]).toBe(P);
    expect(map["1.1.7"]).toBe(F);
    expect(map["1.2.15"]).toBe(P);
    // rke2 starts the kubelet itself (no kubelet unit) and always sets --hostname-override.
    expect(map["4.1.1"]).toBe(S);
    expect(map["4.2.7"]).toBe(S);
    expect(map["1.1.13"]).toBe(P);
    expect(map["4.1.9"]).toBe(S);
    expect(map["4.2.1"]).toBe(P);
    expect(results.find((x) => x.check.id === "4.1.5")?.evidence?.path).toBe(
      "/var/lib/rancher/rke2/agent/kubelet.kubeconfig",
    );
  });

  it("MicroK8s: reads args files (comments, quotes, --flag value) for the API server, scheduler and kubelet", () => {
    const { report, facts, map } = run(microk8sNode);
    expect(report.node).toMatchObject({ distribution: "microk8s" });
    expect(facts.components["kube-apiserver"]?.flags.get("--enable-admission-plugins")).toEqual([
      "EventRateLimit,NodeRestriction",
    ]);
    expect(map["1.1.1"]).toBe(F);
    expect(map["1.2.9"]).toBe(P);
    expect(map["1.2.15"]).toBe(P);
    expect(map["1.4.1"]).toBe(F);
    expect(map["4.2.1"]).toBe(P);
    expect(map["4.2.4"]).toBe(W);
  });

  it("EKS: the managed control plane is out of scope; the kubelet's JSON config is read", () => {
    const { report, map, results } = run(eksWorker);
    expect(report.node).toMatchObject({ distribution: "eks", roles: ["worker"] });
    expect(Object.keys(map).every((id) => id.startsWith("4."))).toBe(true);
    expect(map["4.1.9"]).toBe(F);
    expect(map["4.1.5"]).toBe(F);
    expect(map["4.2.1"]).toBe(P);
    expect(results.find((x) => x.check.id === "4.2.1")?.evidence).toMatchObject({
      kind: "config",
      path: "/etc/kubernetes/kubelet/config.json",
      actual: "false",
    });
    const all = scanNode({
      reader: fsHostReader(roots[roots.length - 1].dir),
      now,
      host: false,
      benchmark: "cis-1.10",
      targets: ["master", "etcd", "node"],
    });
    const skipped = all.report.skipped as Array<{ checkId: string; reason: string }>;
    expect(skipped.find((s) => s.checkId === "cis-1.10/1.2.1")?.reason).toBe(
      "the eks control plane is managed by the provider and not on this node",
    );
  });
});
