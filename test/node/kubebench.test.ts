import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BenchmarkError } from "../../src/node/benchmark.js";
import { kubeBenchBenchmark, translateKubeBench } from "../../src/node/kubebench.js";
import { fsHostReader } from "../../src/node/reader.js";
import { scanNode } from "../../src/node/scan.js";
import { kubeadmControlPlane, type NodeRoot } from "./fixtures.js";

// Control files in kube-bench's schema (cfg/<version>/*.yaml), worded for this test.
const MASTER = `---
controls:
version: "test"
id: 1
text: "Control plane"
type: "master"
groups:
  - id: 1.1
    text: "Files"
    checks:
      - id: 1.1.1
        text: "API server manifest mode (Automated)"
        audit: "/bin/sh -c 'if test -e $apiserverconf; then stat -c permissions=%a $apiserverconf; fi'"
        tests:
          test_items:
            - flag: "permissions"
              compare:
                op: bitmask
                value: "600"
        remediation: "chmod 600 $apiserverconf"
        scored: true
      - id: 1.1.12
        text: "etcd data dir owner (Automated)"
        audit: |
          DATA_DIR=''
          for d in $(ps -ef | grep $etcdbin | grep -- --data-dir | sed 's%.*data-dir[= ]\\([^ ]*\\).*%\\1%'); do
            if test -d "$d"; then DATA_DIR="$d"; fi
          done
          if ! test -d "$DATA_DIR"; then DATA_DIR=$etcddatadir; fi
          stat -c %U:%G "$DATA_DIR"
        tests:
          test_items:
            - flag: "etcd:etcd"
        remediation: "chown etcd:etcd the data dir"
        scored: true
      - id: 1.1.9
        text: "CNI files (Manual)"
        audit: "find /var/lib/cni/networks -type f 2> /dev/null | xargs --no-run-if-empty stat -c permissions=%a"
        tests:
          test_items:
            - flag: "permissions"
              compare:
                op: bitmask
                value: "600"
        remediation: "chmod 600"
        scored: false
      - id: 1.1.20
        text: "PKI certificates (Manual)"
        audit: "find /etc/kubernetes/pki/ -name '*.crt' | xargs stat -c permissions=%a"
        use_multiple_values: true
        tests:
          test_items:
            - flag: "permissions"
              compare:
                op: bitmask
                value: "644"
        remediation: "chmod 644 the certificates"
        scored: false
  - id: 1.2
    text: "API server"
    checks:
      - id: 1.2.6
        text: "authz not AlwaysAllow (Automated)"
        audit: "/bin/ps -ef | grep $apiserverbin | grep -v grep"
        tests:
          test_items:
            - flag: "--authorization-mode"
              compare:
                op: nothave
                value: "AlwaysAllow"
        remediation: "set --authorization-mode=Node,RBAC in $apiserverconf"
        scored: true
      - id: 1.2.10
        text: "no AlwaysAdmit (Automated)"
        audit: "/bin/ps -ef | grep $apiserverbin | grep -v grep"
        tests:
          bin_op: or
          test_items:
            - flag: "--enable-admission-plugins"
              compare:
                op: nothave
                value: AlwaysAdmit
            - flag: "--enable-admission-plugins"
              set: false
        remediation: "drop AlwaysAdmit"
        scored: true
      - id: 1.2.15
        text: "profiling off (Automated)"
        audit: "/bin/ps -ef | grep $apiserverbin | grep -v grep"
        tests:
          test_items:
            - flag: "--profiling"
              compare:
                op: eq
                value: false
        remediation: "--profiling=false"
        scored: true
      - id: 1.2.17
        text: "audit max age (Automated)"
        audit: "/bin/ps -ef | grep $apiserverbin | grep -v grep"
        tests:
          test_items:
            - flag: "--audit-log-maxage"
              compare:
                op: gte
                value: 30
        remediation: "--audit-log-maxage=30"
        scored: true
      - id: 1.2.20
        text: "request timeout (Manual)"
        audit: "/bin/ps -ef | grep $apiserverbin | grep -v grep"
        type: manual
        remediation: "consider --request-timeout"
        scored: false
      - id: 1.2.21
        text: "service account lookup (Automated)"
        audit: "/bin/ps -ef | grep $apiserverbin | grep -v grep"
        tests:
          bin_op: or
          test_items:
            - flag: "--service-account-lookup"
              set: false
            - flag: "--service-account-lookup"
              compare:
                op: eq
                value: true
        remediation: "remove --service-account-lookup=false"
        scored: true
      - id: 1.2.99
        text: "skipped upstream"
        type: skip
        scored: true
  - id: 1.3
    text: "Controller manager"
    checks:
      - id: 1.3.6
        text: "serving cert rotation (Automated)"
        audit: "/bin/ps -ef | grep $controllermanagerbin | grep -v grep"
        tests:
          bin_op: or
          test_items:
            - flag: "--feature-gates"
              compare:
                op: nothave
                value: "RotateKubeletServerCertificate=false"
              set: true
            - flag: "--feature-gates"
              set: false
        remediation: "keep the gate on"
        scored: true
      - id: 1.3.8
        text: "something from the journal (Automated)"
        audit: "journalctl -u kube-controller-manager | tail -1"
        tests:
          test_items:
            - flag: "ok"
        remediation: "n/a"
        scored: true
`;

const NODE = `---
controls:
version: "test"
id: 4
text: "Worker"
type: "node"
groups:
  - id: 4.1
    text: "Files"
    checks:
      - id: 4.1.9
        text: "kubelet config mode (Automated)"
        audit: '/bin/sh -c ''if test -e $kubeletconf; then stat -c permissions=%a $kubeletconf; fi'' '
        tests:
          test_items:
            - flag: "permissions"
              compare:
                op: bitmask
                value: "600"
        remediation: "chmod 600 $kubeletconf"
        scored: true
  - id: 4.2
    text: "Kubelet"
    checks:
      - id: 4.2.1
        text: "kubelet anonymous auth off (Automated)"
        audit: "/bin/ps -fC $kubeletbin"
        audit_config: "/bin/cat $kubeletconf"
        tests:
          test_items:
            - flag: "--anonymous-auth"
              path: '{.authentication.anonymous.enabled}'
              compare:
                op: eq
                value: false
        remediation: "anonymous: enabled: false"
        scored: true
      - id: 4.2.6
        text: "iptables chains (Automated)"
        audit: "/bin/ps -fC $kubeletbin"
        audit_config: "/bin/cat $kubeletconf"
        tests:
          test_items:
            - flag: --make-iptables-util-chains
              path: '{.makeIPTablesUtilChains}'
              compare:
                op: eq
                value: true
            - flag: --make-iptables-util-chains
              path: '{.makeIPTablesUtilChains}'
              set: false
          bin_op: or
        remediation: "makeIPTablesUtilChains: true"
        scored: true
      - id: 4.2.11
        text: "server cert rotation gate (Manual)"
        audit: "/bin/ps -fC $kubeletbin"
        audit_config: "/bin/cat $kubeletconf"
        tests:
          bin_op: or
          test_items:
            - flag: RotateKubeletServerCertificate
              path: '{.featureGates.RotateKubeletServerCertificate}'
              compare:
                op: nothave
                value: false
            - flag: RotateKubeletServerCertificate
              path: '{.featureGates.RotateKubeletServerCertificate}'
              set: false
        remediation: "keep the gate on"
        scored: false
      - id: 4.2.13
        text: "pod pid limit (Manual)"
        audit: "/bin/ps -fC $kubeletbin"
        audit_config: "/bin/cat $kubeletconf"
        tests:
          test_items:
            - flag: --pod-max-pids
              path: '{.podPidsLimit}'
        remediation: "podPidsLimit"
        scored: false
`;

describe("kube-bench controls files", () => {
  let root: NodeRoot;
  beforeAll(() => {
    root = kubeadmControlPlane();
  });
  afterAll(() => root.remove());

  it("translate to kubeward audits and give kube-bench's verdicts on a default kubeadm node", () => {
    const bench = kubeBenchBenchmark(
      "kube-bench:test",
      new Map([
        ["master.yaml", MASTER],
        ["node.yaml", NODE],
      ]),
    );
    const { results, report } = scanNode({
      reader: fsHostReader(root.dir),
      benchmark: bench.id,
      benchmarks: new Map([[bench.id, bench]]),
      now: () => new Date(0),
      host: false,
    });
    const map = Object.fromEntries(results.map((r) => [r.check.id, r.status]));
    expect(map).toEqual({
      "1.1.1": "pass",
      "1.1.12": "fail",
      "1.1.9": "manual",
      "1.1.20": "pass",
      "1.2.6": "pass",
      "1.2.10": "pass",
      "1.2.15": "fail",
      "1.2.17": "fail",
      "1.2.20": "manual",
      "1.2.21": "pass",
      "1.3.6": "pass",
      "1.3.8": "manual",
      "4.1.9": "fail",
      "4.2.1": "pass",
      "4.2.6": "pass",
      "4.2.11": "pass",
      "4.2.13": "warn",
    });
    expect(report.node).toMatchObject({ benchmark: "kube-bench:test" });
    const r = results.find((x) => x.check.id === "1.1.1");
    expect(r?.check.title).toBe("API server manifest mode");
    expect(r?.remediation).toBe("chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml");
    expect(results.find((x) => x.check.id === "1.3.8")?.message).toContain(
      "journalctl -u kube-controller-manager",
    );
  });

  it("rejects files that are not kube-bench controls, naming the file", () => {
    expect(() => translateKubeBench("master.yaml", "groups: nope\n", "master")).toThrow(BenchmarkError);
    expect(() => translateKubeBench("master.yaml", "groups: [\n", "master")).toThrow(
      /master\.yaml: YAML syntax/,
    );
    expect(() => translateKubeBench("node.yaml", "groups:\n  - text: x\n", "node")).toThrow(
      /groups\[0\]: needs an id and checks/,
    );
    expect(() => kubeBenchBenchmark("kube-bench:empty", new Map())).toThrow(/no kube-bench controls file/);
  });
});
