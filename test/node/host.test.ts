import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/model.js";
import { detectNode } from "../../src/node/detect.js";
import { HOST_CHECK_MODULES, HOST_CHECKS, KUBELET_SYSCTLS } from "../../src/node/host/index.js";
import { fsHostReader } from "../../src/node/reader.js";
import { scanNode } from "../../src/node/scan.js";
import { kubeadmControlPlane, kubeadmHardened, NodeRoot } from "./fixtures.js";

const now = () => new Date("2026-11-27T09:00:00Z");
let roots: NodeRoot[] = [];
afterEach(() => {
  for (const r of roots) r.remove();
  roots = [];
});
function track(r: NodeRoot) {
  roots.push(r);
  return r;
}
function run(r: NodeRoot) {
  const reader = fsHostReader(r.dir);
  const facts = detectNode(reader);
  return Object.fromEntries(HOST_CHECKS.map((c) => [c.id, c.run(facts, reader)]));
}

function hardenedHost(r: NodeRoot): NodeRoot {
  r.put("/sys/module/apparmor/parameters/enabled", "Y\n", 0o444);
  r.put(
    "/sys/kernel/security/apparmor/profiles",
    "cri-containerd.apparmor.d (enforce)\n/usr/sbin/sshd (complain)\n",
    0o444,
  );
  r.put("/proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", 0o444);
  for (const [k, v] of KUBELET_SYSCTLS) r.put(`/proc/sys/${k}`, `${v}\n`, 0o644);
  r.put("/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\n", 0o644);
  r.put("/etc/ssh/sshd_config.d/10-hardening.conf", "PermitRootLogin no\n", 0o644);
  r.put(
    "/etc/audit/rules.d/kubernetes.rules",
    "-w /etc/kubernetes -p wa -k k8s\n-w /var/lib/kubelet -p wa -k kubelet\n",
    0o640,
  );
  r.proc(400, ["/sbin/auditd"]);
  r.dirAt("/var/cache/apt/archives", 0o755);
  return r;
}

describe("host hardening checks", () => {
  it("registry lists every module in src/node/host once, with unique ids", () => {
    const dir = resolve(import.meta.dirname, "../../src/node/host");
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "types.ts")
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect([...HOST_CHECK_MODULES.keys()].sort()).toEqual(files);
    const ids = HOST_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
  });

  it("pass on a hardened host", () => {
    const r = track(hardenedHost(kubeadmHardened()));
    for (const pid of [1200, 1201, 1202, 1203])
      r.proc(
        pid,
        [["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"][pid - 1200]],
        2000 + pid,
      );
    const got = Object.fromEntries(Object.entries(run(r)).map(([k, v]) => [k, v.status]));
    expect(got).toEqual({
      "KW-HOST-001": "pass",
      "KW-HOST-002": "pass",
      "KW-HOST-003": "pass",
      "KW-HOST-004": "pass",
      "KW-HOST-005": "pass",
      "KW-HOST-006": "pass",
      "KW-HOST-007": "pass",
      "KW-HOST-008": "pass",
      "KW-HOST-009": "pass",
      "KW-HOST-010": "pass",
    });
  });

  it("fail or warn on a careless host, with evidence", () => {
    const r = track(kubeadmControlPlane());
    r.put("/sys/module/apparmor/parameters/enabled", "N\n", 0o444);
    r.put(
      "/proc/swaps",
      "Filename\tType\tSize\tUsed\tPriority\n/swap.img                               file\t\t2097148\t\t0\t\t-2\n",
      0o444,
    );
    r.put("/proc/sys/vm/overcommit_memory", "0\n").put("/proc/sys/kernel/panic", "0\n");
    r.put("/etc/ssh/sshd_config", "# PermitRootLogin yes\nMatch User admin\n  PermitRootLogin yes\n", 0o644);
    r.put("/usr/bin/gcc", "", 0o755).put("/usr/bin/make", "", 0o755);
    r.put("/var/cache/apt/archives/curl_8.5.0_amd64.deb", "!<arch>\n");
    r.proc(333, ["/usr/sbin/rpcbind", "-f", "-w"]);
    r.proc(334, ["/usr/sbin/in.telnetd"]);
    const v = run(r);
    expect(v["KW-HOST-001"]).toMatchObject({ status: "fail", evidence: { kind: "os", actual: "N" } });
    expect(v["KW-HOST-002"]).toMatchObject({ status: "fail", message: "auditd is not running" });
    expect(v["KW-HOST-003"]).toMatchObject({ status: "fail", evidence: { actual: "/swap.img" } });
    expect(v["KW-HOST-004"].status).toBe("warn");
    expect(v["KW-HOST-004"].message).toBe("vm.overcommit_memory=0 (want 1), kernel.panic=0 (want 10)");
    expect(v["KW-HOST-005"]).toMatchObject({
      status: "warn",
      evidence: { component: "kubelet", actual: "false" },
    });
    expect(v["KW-HOST-006"]).toMatchObject({
      status: "warn",
      evidence: { actual: "prohibit-password (default)" },
    });
    expect(v["KW-HOST-007"]).toMatchObject({
      status: "warn",
      message: "build tools present: /usr/bin/gcc, /usr/bin/make",
    });
    expect(v["KW-HOST-008"].status).toBe("warn");
    expect(v["KW-HOST-009"]).toMatchObject({
      status: "fail",
      message: "unneeded services running: rpcbind, in.telnetd",
    });
    expect(v["KW-HOST-010"].status).toBe("warn");
    expect(v["KW-HOST-010"].message).toContain("kube-apiserver (pid 1200)");
  });

  it("are skipped when the host's /proc and /sys are not visible, and land in the host section summary", () => {
    const r = track(new NodeRoot());
    r.put("/etc/ssh/sshd_config", "PermitRootLogin yes\n");
    const { report } = scanNode({ reader: fsHostReader(r.dir), now });
    const host = (report.sections as Array<{ id: string }>).find((s) => s.id === "host");
    expect(host).toEqual({
      id: "host",
      title: "Host hardening",
      target: "host",
      pass: 2,
      fail: 3,
      warn: 0,
      manual: 0,
      skipped: 5,
    });
    const ssh = (report.findings as Finding[]).find((f) => f.checkId === "KW-HOST-006");
    expect(ssh).toMatchObject({
      status: "fail",
      layer: "node",
      evidence: {
        kind: "os",
        key: "PermitRootLogin",
        path: "/etc/ssh/sshd_config",
        actual: "yes",
        expected: "no",
      },
    });
  });
});
