import { afterEach, describe, expect, it } from "vitest";
import { fsHostReader } from "../../src/node/reader.js";
import { scanNode } from "../../src/node/scan.js";
import {
  APISERVER_ARGS,
  AUDIT_POLICY,
  ENCRYPTION_CONFIG,
  ETCD_ARGS,
  IMAGE_TAG,
  NodeRoot,
  staticPod,
} from "./fixtures.js";

const now = () => new Date("2026-11-27T09:00:00Z");
let roots: NodeRoot[] = [];
afterEach(() => {
  for (const r of roots) r.remove();
  roots = [];
});
function node(): NodeRoot {
  const r = new NodeRoot();
  roots.push(r);
  return r;
}
function results(r: NodeRoot, targets: Array<"master" | "etcd" | "controlplane" | "node">) {
  return scanNode({ reader: fsHostReader(r.dir), now, host: false, benchmark: "cis-1.10", targets }).results;
}
const find = (rs: ReturnType<typeof results>, id: string) => rs.find((x) => x.check.id === id);

describe("audit policy coverage (3.2.2)", () => {
  const withPolicy = (policy: string) => {
    const r = node();
    r.put("/etc/kubernetes/audit.yaml", policy, 0o600);
    r.proc(10, ["kube-apiserver", ...APISERVER_ARGS, "--audit-policy-file=/etc/kubernetes/audit.yaml"]);
    return find(results(r, ["controlplane"]), "3.2.2");
  };
  it("passes a policy that covers every key resource", () => {
    expect(withPolicy(AUDIT_POLICY)?.status).toBe("pass");
  });
  it("warns when secrets are logged with their bodies and exec is dropped", () => {
    const r = withPolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    resources:
      - group: ""
        resources: ["pods/exec"]
  - level: RequestResponse
`);
    expect(r?.status).toBe("warn");
    expect(r?.message).toContain(
      "get secrets logged at RequestResponse (secrets and configmaps must be logged, at Metadata only)",
    );
    expect(r?.message).toContain("create pods/exec logged at None");
    expect(r?.evidence).toMatchObject({
      component: "kube-apiserver",
      kind: "config",
      path: "/etc/kubernetes/audit.yaml",
    });
  });
  it("warns with the file named when the policy is missing or not YAML", () => {
    expect(withPolicy("rules: [\n")?.message).toMatch(/audit\.yaml is not valid YAML/);
    const r = node();
    r.proc(10, ["kube-apiserver", ...APISERVER_ARGS, "--audit-policy-file=/etc/kubernetes/nope.yaml"]);
    expect(find(results(r, ["controlplane"]), "3.2.2")?.message).toBe(
      "cannot read /etc/kubernetes/nope.yaml",
    );
  });
});

describe("encryption providers (1.2.28)", () => {
  const withConfig = (text: string) => {
    const r = node();
    r.put("/etc/kubernetes/enc.yaml", text, 0o600);
    r.proc(10, [
      "kube-apiserver",
      ...APISERVER_ARGS,
      "--encryption-provider-config",
      "/etc/kubernetes/enc.yaml",
    ]);
    return find(results(r, ["master"]), "1.2.28");
  };
  it("passes aescbc first and warns when identity comes first", () => {
    expect(withConfig(ENCRYPTION_CONFIG)?.status).toBe("pass");
    const r = withConfig(
      "resources:\n  - resources: [secrets]\n    providers:\n      - identity: {}\n      - aesgcm: {keys: []}\n",
    );
    expect(r).toMatchObject({ status: "warn", evidence: { actual: "identity" } });
    expect(withConfig("kind: EncryptionConfiguration\n")?.message).toContain("lists no resources");
  });
});

describe("etcd settings from the environment", () => {
  it("reads ETCD_* variables from the manifest when the flag is absent", () => {
    const r = node();
    const args = ETCD_ARGS.filter(
      (a) => !a.startsWith("--client-cert-auth") && !a.startsWith("--peer-client-cert-auth"),
    );
    r.put(
      "/etc/kubernetes/manifests/etcd.yaml",
      staticPod("etcd", `registry.k8s.io/etcd:${IMAGE_TAG}`, ["etcd", ...args], undefined, {
        ETCD_CLIENT_CERT_AUTH: "true",
      }),
      0o600,
    );
    const rs = results(r, ["etcd"]);
    expect(find(rs, "2.2")).toMatchObject({
      status: "pass",
      evidence: { key: "ETCD_CLIENT_CERT_AUTH", actual: "true" },
    });
    expect(find(rs, "2.5")).toMatchObject({
      status: "fail",
      evidence: { key: "--peer-client-cert-auth", actual: "false" },
    });
  });
  it("reads them from /proc/<pid>/environ for a running etcd", () => {
    const r = node();
    r.proc(30, ["etcd", "--data-dir=/var/lib/etcd"], 0, { ETCD_PEER_CLIENT_CERT_AUTH: "true" });
    expect(find(results(r, ["etcd"]), "2.5")?.status).toBe("pass");
  });
});

describe("kubelet --config-dir drop-ins", () => {
  it("merge over the main config file in name order, and flags still win", () => {
    const r = node();
    r.put(
      "/var/lib/kubelet/config.yaml",
      "authentication:\n  anonymous:\n    enabled: false\nreadOnlyPort: 0\n",
      0o600,
    );
    r.put(
      "/etc/kubernetes/kubelet.conf.d/10-a.conf",
      "authentication:\n  anonymous:\n    enabled: true\n  x509:\n    clientCAFile: /ca.crt\n",
      0o600,
    );
    r.put("/etc/kubernetes/kubelet.conf.d/20-b.conf", "readOnlyPort: 10255\n", 0o600);
    r.put("/etc/kubernetes/kubelet.conf.d/ignored.yaml", "readOnlyPort: 1\n", 0o600);
    r.proc(40, [
      "kubelet",
      "--config=/var/lib/kubelet/config.yaml",
      "--config-dir=/etc/kubernetes/kubelet.conf.d",
      "--read-only-port=0",
    ]);
    const rs = results(r, ["node"]);
    expect(find(rs, "4.2.1")).toMatchObject({ status: "fail", evidence: { kind: "config", actual: "true" } });
    expect(find(rs, "4.2.3")?.status).toBe("pass");
    expect(find(rs, "4.2.4")).toMatchObject({ status: "pass", evidence: { kind: "flag", actual: "0" } });
  });
});

describe("flags kube-bench's cis-1.10 tests pass when absent (1.3.7, 1.4.2, 4.2.4)", () => {
  // kube-bench: "eq 127.0.0.1 OR not set" for the bind addresses, "eq 0 OR not set" for the read-only port.
  it("passes an absent flag, fails an explicit bad value, for each of the three", () => {
    const status = (cm: string[], sched: string[], kubeletArgs: string[], kubeletConfig: string) => {
      const r = node();
      r.put(
        "/etc/kubernetes/manifests/kube-apiserver.yaml",
        staticPod(
          "kube-apiserver",
          `registry.k8s.io/kube-apiserver:${IMAGE_TAG}`,
          ["kube-apiserver"],
          APISERVER_ARGS,
        ),
        0o600,
      );
      r.proc(1, ["/sbin/init"]);
      r.proc(1201, [
        "kube-controller-manager",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        ...cm,
      ]);
      r.proc(1202, ["kube-scheduler", "--kubeconfig=/etc/kubernetes/scheduler.conf", ...sched]);
      r.put("/var/lib/kubelet/config.yaml", kubeletConfig, 0o600);
      r.proc(900, ["/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml", ...kubeletArgs]);
      const rs = results(r, ["master", "node"]);
      return ["1.3.7", "1.4.2", "4.2.4"].map((id) => find(rs, id)?.status);
    };
    const kind = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
    expect(status([], [], [], kind)).toEqual(["pass", "pass", "pass"]);
    expect(
      status(["--bind-address=127.0.0.1"], ["--bind-address", "127.0.0.1"], [], `${kind}readOnlyPort: 0\n`),
    ).toEqual(["pass", "pass", "pass"]);
    expect(
      status(["--bind-address=0.0.0.0"], ["--bind-address=192.168.1.5"], [], `${kind}readOnlyPort: 10255\n`),
    ).toEqual(["fail", "fail", "warn"]);
    // The flag beats the config file, as in the kubelet.
    expect(status([], [], ["--read-only-port=10255"], `${kind}readOnlyPort: 0\n`)[2]).toBe("warn");
  });
});
