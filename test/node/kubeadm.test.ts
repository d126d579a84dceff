import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/model.js";
import { fsHostReader } from "../../src/node/reader.js";
import { type SectionSummary, scanNode } from "../../src/node/scan.js";
import { KUBELET_ARGV, kubeadmControlPlane, kubeadmHardened, type NodeRoot } from "./fixtures.js";

const NOW = new Date("2026-11-27T09:00:00Z");
const now = () => NOW;

function scan(root: NodeRoot, benchmark = "cis-1.10") {
  const out = scanNode({ reader: fsHostReader(root.dir), benchmark, now, host: false });
  return { ...out, map: Object.fromEntries(out.results.map((r) => [r.check.id, r.status])) };
}

const P = "pass";
const F = "fail";
const W = "warn";
const M = "manual";

/** kubeadm 1.30 defaults under CIS 1.10: the statuses kube-bench's cis-1.10 files give (1.1.12, 1.2.5, profiling, audit log, 4.1.1, 4.1.9 fail). */
const KUBEADM_DEFAULT_1_10: Record<string, string> = {
  "1.1.1": P,
  "1.1.2": P,
  "1.1.3": P,
  "1.1.4": P,
  "1.1.5": P,
  "1.1.6": P,
  "1.1.7": P,
  "1.1.8": P,
  "1.1.9": W,
  "1.1.10": P,
  "1.1.11": P,
  "1.1.12": F,
  "1.1.13": P,
  "1.1.14": P,
  "1.1.15": P,
  "1.1.16": P,
  "1.1.17": P,
  "1.1.18": P,
  "1.1.19": P,
  "1.1.20": W,
  "1.1.21": P,
  "1.2.1": W,
  "1.2.2": P,
  "1.2.3": W,
  "1.2.4": P,
  "1.2.5": F,
  "1.2.6": P,
  "1.2.7": P,
  "1.2.8": P,
  "1.2.9": W,
  "1.2.10": P,
  "1.2.11": W,
  "1.2.12": P,
  "1.2.13": P,
  "1.2.14": P,
  "1.2.15": F,
  "1.2.16": F,
  "1.2.17": F,
  "1.2.18": F,
  "1.2.19": F,
  "1.2.20": M,
  "1.2.21": P,
  "1.2.22": P,
  "1.2.23": P,
  "1.2.24": P,
  "1.2.25": P,
  "1.2.26": P,
  "1.2.27": W,
  "1.2.28": W,
  "1.2.29": W,
  "1.3.1": W,
  "1.3.2": F,
  "1.3.3": P,
  "1.3.4": P,
  "1.3.5": P,
  "1.3.6": P,
  "1.3.7": P,
  "1.4.1": F,
  "1.4.2": P,
  "2.1": P,
  "2.2": P,
  "2.3": P,
  "2.4": P,
  "2.5": P,
  "2.6": P,
  "2.7": P,
  "3.1.1": M,
  "3.1.2": M,
  "3.1.3": M,
  "3.2.1": W,
  "3.2.2": W,
  "4.1.1": F,
  "4.1.2": P,
  "4.1.3": P,
  "4.1.4": P,
  "4.1.5": P,
  "4.1.6": P,
  "4.1.7": W,
  "4.1.8": P,
  "4.1.9": F,
  "4.1.10": P,
  "4.2.1": P,
  "4.2.2": P,
  "4.2.3": P,
  "4.2.4": P,
  "4.2.5": P,
  "4.2.6": P,
  "4.2.7": P,
  "4.2.8": P,
  "4.2.9": W,
  "4.2.10": P,
  "4.2.11": P,
  "4.2.12": W,
  "4.2.13": W,
  "4.3.1": P,
};

describe("kubeadm control plane with kubeadm's defaults", () => {
  let root: NodeRoot;
  beforeAll(() => {
    root = kubeadmControlPlane();
  });
  afterAll(() => root.remove());

  it("detects the node: kubeadm, all roles, version from the image tag, cis-1.11 chosen for 1.30 as kube-bench does", () => {
    const { report, facts } = scan(root, "auto");
    expect(report.node).toMatchObject({
      roles: ["control-plane", "etcd", "worker"],
      distribution: "kubeadm",
      kubernetesVersion: "1.30.2",
      benchmark: "cis-1.11",
      hostname: "cp1",
    });
    expect(facts.components["kube-apiserver"]?.source).toBe("process");
    expect(facts.components["kube-apiserver"]?.editAt).toBe("/etc/kubernetes/manifests/kube-apiserver.yaml");
    expect(facts.kubeletConfig?.path).toBe("/var/lib/kubelet/config.yaml");
    expect(report.errors).toEqual([]);
  });

  it("gives every check of cis-1.10 exactly the expected status", () => {
    expect(scan(root).map).toEqual(KUBEADM_DEFAULT_1_10);
  });

  it("gives the version-specific checks their cis-1.11 and cis-1.12 statuses", () => {
    const v11 = scan(root, "cis-1.11").map;
    expect(v11).toEqual({
      ...KUBEADM_DEFAULT_1_10,
      "1.1.20": P,
      "1.2.30": W,
      "4.1.7": P,
      "4.2.14": W,
      "4.2.15": M,
    });
    const v12 = scan(root, "cis-1.12").map;
    const { "4.2.15": _gone, ...rest } = v11;
    expect(v12).toEqual({ ...rest, "1.2.30": F });
    expect(scan(root, "cis-1.9").map).toEqual(KUBEADM_DEFAULT_1_10);
  });

  it("reports the known failures with evidence and a concrete remediation", () => {
    const { report } = scan(root);
    const f = (id: string) =>
      (report.findings as Finding[]).find((x) => x.checkId === `cis-1.10/${id}`) as Finding;
    expect(f("1.2.15")).toMatchObject({
      status: "fail",
      layer: "node",
      frameworks: { cis: ["1.2.15"] },
      evidence: {
        component: "kube-apiserver",
        kind: "flag",
        key: "--profiling",
        path: "/proc/1200/cmdline",
        actual: "true",
        expected: "false",
      },
    });
    expect(f("1.2.15").remediation).toContain("--profiling=false");
    expect(f("1.2.15").remediation).toContain("/etc/kubernetes/manifests/kube-apiserver.yaml");
    expect(f("1.2.16")).toMatchObject({
      status: "fail",
      evidence: { key: "--audit-log-path", actual: null, expected: "set" },
    });
    expect(f("1.2.27")).toMatchObject({
      status: "warn",
      evidence: { key: "--encryption-provider-config", actual: null },
    });
    expect(f("1.2.28").message).toContain("no --encryption-provider-config");
    expect(f("1.1.12")).toMatchObject({
      status: "fail",
      evidence: {
        component: "etcd",
        kind: "file-owner",
        key: "--data-dir",
        path: "/var/lib/etcd",
        actual: "root:root",
        expected: "etcd:etcd",
      },
    });
    expect(f("1.1.12").remediation).toContain("chown -R etcd:etcd /var/lib/etcd");
    expect(f("4.1.9")).toMatchObject({
      evidence: {
        component: "kubelet",
        kind: "file-permissions",
        path: "/var/lib/kubelet/config.yaml",
        actual: "644",
        expected: "600 or stricter",
      },
      remediation: "chmod 600 /var/lib/kubelet/config.yaml",
    });
    expect(f("4.1.1").remediation).toBe(
      "chmod 600 /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
    );
    expect(f("4.2.1")).toMatchObject({
      status: "pass",
      evidence: { kind: "config", key: "authentication.anonymous.enabled", actual: "false" },
    });
    expect(f("1.2.20")).toMatchObject({ status: "manual" });
    expect(f("1.2.20").message).toContain("--request-timeout");
  });

  it("treats kubeadm's streamingConnectionIdleTimeout: 0s as the kubelet does (the 4h default), but an explicit 0s flag as off", () => {
    const r = scan(root).results.find((x) => x.check.id === "4.2.5");
    expect(r).toMatchObject({
      status: "pass",
      evidence: { kind: "config", key: "streamingConnectionIdleTimeout", actual: "4h0m0s" },
    });
    root.proc(900, [...KUBELET_ARGV, "--streaming-connection-idle-timeout=0s"]);
    try {
      const again = scan(root).results.find((x) => x.check.id === "4.2.5");
      expect(again).toMatchObject({
        status: "warn",
        evidence: { kind: "flag", actual: "0s", expected: "not 0" },
      });
    } finally {
      root.proc(900, KUBELET_ARGV);
    }
  });

  it("summarises each section like kube-bench", () => {
    const { report } = scan(root);
    const sections = report.sections as SectionSummary[];
    expect(sections.map((s) => s.id)).toEqual([
      "1.1",
      "1.2",
      "1.3",
      "1.4",
      "2",
      "3.1",
      "3.2",
      "4.1",
      "4.2",
      "4.3",
    ]);
    const s12 = sections.find((s) => s.id === "1.2");
    expect(s12).toMatchObject({ pass: 15, fail: 6, warn: 7, manual: 1, skipped: 0 });
    const total = Object.values(KUBEADM_DEFAULT_1_10);
    expect(report.sectionTotals).toEqual({
      pass: total.filter((s) => s === P).length,
      fail: total.filter((s) => s === F).length,
      warn: total.filter((s) => s === W).length,
      manual: total.filter((s) => s === M).length,
      skipped: 0,
    });
  });
});

describe("hardened kubeadm control plane", () => {
  let root: NodeRoot;
  beforeAll(() => {
    root = kubeadmHardened();
  });
  afterAll(() => root.remove());

  for (const bench of ["cis-1.9", "cis-1.10", "cis-1.11", "cis-1.12"]) {
    it(`passes every automated and every evaluable manual check of ${bench}`, () => {
      const { results, report } = scan(root, bench);
      const notPassed = results.filter((r) => r.status !== "pass").map((r) => `${r.check.id}:${r.status}`);
      const manual = ["1.2.20", "3.1.1", "3.1.2", "3.1.3", ...(bench === "cis-1.11" ? ["4.2.15"] : [])];
      expect(notPassed).toEqual(manual.map((id) => `${id}:manual`));
      expect(results.filter((r) => r.check.automated).length).toBeGreaterThan(55);
      expect(report.errors).toEqual([]);
    });
  }

  it("reads the control plane from static pod manifests (command + args, --flag value pairs)", () => {
    const { facts, results } = scan(root);
    const api = facts.components["kube-apiserver"];
    expect(api?.source).toBe("manifest");
    expect(api?.flags.get("--audit-log-maxbackup")).toEqual(["10"]);
    const r = results.find((x) => x.check.id === "1.2.18");
    expect(r?.evidence).toMatchObject({
      path: "/etc/kubernetes/manifests/kube-apiserver.yaml",
      actual: "10",
    });
    expect(results.find((x) => x.check.id === "1.1.12")?.evidence?.actual).toBe("etcd:etcd");
  });
});
