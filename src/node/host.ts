// Host hardening checks that sit beside the CIS sections: mandatory access control,
// auditd, swap, kernel parameters, SSH, build tools, package caches, stray services and
// components running as root. Each is a small pure function over the node's files.
import type { Severity, Status } from "../core/model.js";
import type { Evidence } from "./evaluate.js";
import { lookupSetting } from "./evaluate.js";
import type { HostReader } from "./reader.js";
import type { NodeFacts } from "./types.js";

export interface HostCheck {
  id: string;
  title: string;
  severity: Severity;
  remediation: string;
  run(facts: NodeFacts, reader: HostReader): HostVerdict;
}

export interface HostVerdict {
  status: Status | "skip";
  message: string;
  evidence?: Evidence;
}

const os = (key: string, path: string | null, actual: string | null, expected: string): Evidence => ({
  component: "host",
  kind: "os",
  key,
  path,
  actual,
  expected,
});

/** Kernel parameters the kubelet refuses to start without when protectKernelDefaults is on. */
export const KUBELET_SYSCTLS: ReadonlyArray<[string, string]> = [
  ["vm/overcommit_memory", "1"],
  ["vm/panic_on_oom", "0"],
  ["kernel/panic", "10"],
  ["kernel/panic_on_oops", "1"],
  ["kernel/keys/root_maxkeys", "1000000"],
  ["kernel/keys/root_maxbytes", "25000000"],
];

const UNNEEDED_SERVICES = [
  "telnetd",
  "in.telnetd",
  "vsftpd",
  "proftpd",
  "in.ftpd",
  "rpcbind",
  "avahi-daemon",
  "cupsd",
  "xinetd",
  "smbd",
  "nmbd",
  "snmpd",
  "rsh",
  "in.rshd",
  "ypbind",
  "tftpd",
  "in.tftpd",
];
const COMPILERS = [
  "/usr/bin/gcc",
  "/usr/bin/cc",
  "/usr/bin/g++",
  "/usr/bin/c++",
  "/usr/bin/clang",
  "/usr/bin/make",
  "/usr/bin/as",
  "/usr/local/go/bin/go",
  "/usr/bin/go",
];
const CONTROL_PLANE_PROCESSES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"];

export const HOST_CHECKS: readonly HostCheck[] = [
  {
    id: "KW-HOST-001",
    title: "AppArmor or SELinux is enabled and enforcing",
    severity: "high",
    remediation:
      "Enable AppArmor (apparmor=1 security=apparmor on the kernel command line, profiles in enforce mode) or SELinux in enforcing mode (SELINUX=enforcing in /etc/selinux/config), then reboot.",
    run(_f, r) {
      const selinux = r.readFile("/sys/fs/selinux/enforce")?.trim();
      if (selinux === "1")
        return {
          status: "pass",
          message: "SELinux is enforcing",
          evidence: os("selinux", "/sys/fs/selinux/enforce", "1", "1"),
        };
      const aa = r.readFile("/sys/module/apparmor/parameters/enabled")?.trim();
      if (aa === "Y") {
        const profiles = r.readFile("/sys/kernel/security/apparmor/profiles") ?? "";
        const enforce = profiles.split("\n").filter((l) => l.endsWith("(enforce)")).length;
        if (enforce > 0)
          return {
            status: "pass",
            message: `AppArmor is enabled with ${enforce} profiles enforcing`,
            evidence: os(
              "apparmor",
              "/sys/kernel/security/apparmor/profiles",
              `${enforce} enforcing`,
              "at least one profile enforcing",
            ),
          };
        return {
          status: "warn",
          message: "AppArmor is enabled but no profile is in enforce mode",
          evidence: os(
            "apparmor",
            "/sys/kernel/security/apparmor/profiles",
            "0 enforcing",
            "at least one profile enforcing",
          ),
        };
      }
      if (selinux === "0")
        return {
          status: "fail",
          message: "SELinux is permissive",
          evidence: os("selinux", "/sys/fs/selinux/enforce", "0", "1"),
        };
      return {
        status: "fail",
        message: "neither AppArmor nor SELinux is active",
        evidence: os(
          "lsm",
          "/sys/module/apparmor/parameters/enabled",
          aa ?? null,
          "Y (or SELinux enforcing)",
        ),
      };
    },
  },
  {
    id: "KW-HOST-002",
    title: "auditd runs with audit rules loaded",
    severity: "medium",
    remediation:
      "Install and enable auditd (systemctl enable --now auditd) and add rules under /etc/audit/rules.d/ watching /etc/kubernetes, /var/lib/kubelet and the container runtime's files.",
    run(f, r) {
      const running = f.processes.some((p) => p.name === "auditd");
      const files = [
        "/etc/audit/audit.rules",
        ...(r.list("/etc/audit/rules.d") ?? [])
          .filter((n) => n.endsWith(".rules"))
          .map((n) => `/etc/audit/rules.d/${n}`),
      ];
      const rules = files
        .flatMap((p) => (r.readFile(p) ?? "").split("\n"))
        .filter((l) => /^\s*-[wa]\s/.test(l)).length;
      const ev = os(
        "auditd",
        "/etc/audit/rules.d",
        `${running ? "running" : "not running"}, ${rules} rules`,
        "running with rules",
      );
      if (!running) return { status: "fail", message: "auditd is not running", evidence: ev };
      if (rules === 0)
        return { status: "warn", message: "auditd runs but no -w/-a rule is configured", evidence: ev };
      return { status: "pass", message: `auditd runs with ${rules} rules`, evidence: ev };
    },
  },
  {
    id: "KW-HOST-003",
    title: "Swap is off",
    severity: "low",
    remediation:
      "Turn swap off (swapoff -a) and remove swap entries from /etc/fstab, or configure the kubelet's swap support deliberately (failSwapOn: false with memorySwap.swapBehavior).",
    run(_f, r) {
      const swaps = r.readFile("/proc/swaps");
      if (swaps === undefined) return { status: "skip", message: "/proc/swaps is not readable" };
      const active = swaps
        .split("\n")
        .slice(1)
        .filter((l) => l.trim().length > 0)
        .map((l) => l.split(/\s+/)[0]);
      return active.length === 0
        ? {
            status: "pass",
            message: "no swap is active",
            evidence: os("swap", "/proc/swaps", "none", "none"),
          }
        : {
            status: "fail",
            message: `swap is active on ${active.join(", ")}`,
            evidence: os("swap", "/proc/swaps", active.join(","), "none"),
          };
    },
  },
  {
    id: "KW-HOST-004",
    title: "Kernel parameters match what the kubelet protects",
    severity: "low",
    remediation:
      "Write the values to /etc/sysctl.d/90-kubelet.conf (vm.overcommit_memory=1, vm.panic_on_oom=0, kernel.panic=10, kernel.panic_on_oops=1, kernel.keys.root_maxkeys=1000000, kernel.keys.root_maxbytes=25000000) and run sysctl --system.",
    run(_f, r) {
      const wrong: string[] = [];
      let seen = 0;
      for (const [key, want] of KUBELET_SYSCTLS) {
        const got = r.readFile(`/proc/sys/${key}`)?.trim();
        if (got === undefined) continue;
        seen++;
        if (got !== want) wrong.push(`${key.replaceAll("/", ".")}=${got} (want ${want})`);
      }
      if (seen === 0) return { status: "skip", message: "/proc/sys is not readable" };
      return wrong.length === 0
        ? {
            status: "pass",
            message: "all kubelet-protected kernel parameters have the expected values",
            evidence: os("sysctl", "/proc/sys", "as expected", "kubelet defaults"),
          }
        : {
            status: "warn",
            message: wrong.join(", "),
            evidence: os("sysctl", "/proc/sys", wrong[0], "kubelet defaults"),
          };
    },
  },
  {
    id: "KW-HOST-005",
    title: "Kubelet protects kernel defaults",
    severity: "low",
    remediation:
      "Set protectKernelDefaults: true in the kubelet config file (or pass --protect-kernel-defaults=true) once the kernel parameters match, then restart the kubelet.",
    run(f) {
      const k = f.components.kubelet;
      if (!k) return { status: "skip", message: "no kubelet runs on this node" };
      const l = lookupSetting(k, f, "--protect-kernel-defaults", { config: "protectKernelDefaults" });
      const ok = l.value === "true";
      const ev: Evidence = {
        component: "kubelet",
        kind: l.source === "config" ? "config" : "flag",
        key: l.key,
        path: l.path,
        actual: l.value ?? null,
        expected: "true",
      };
      return {
        status: ok ? "pass" : "warn",
        message: `kubelet ${l.key} is ${l.value ?? "not set"}`,
        evidence: ev,
      };
    },
  },
  {
    id: "KW-HOST-006",
    title: "SSH does not accept root logins",
    severity: "medium",
    remediation:
      "Set PermitRootLogin no in /etc/ssh/sshd_config (before any Match block and in no earlier drop-in), then reload sshd.",
    run(_f, r) {
      const main = r.readFile("/etc/ssh/sshd_config");
      if (main === undefined) return { status: "skip", message: "no SSH server configuration" };
      // sshd keeps the first value it reads; Include lines pull drop-ins in where they appear.
      const lines: Array<{ line: string; file: string }> = [];
      for (const line of main.split("\n")) {
        const inc = line.match(/^\s*Include\s+(\S+)/i);
        if (inc) {
          const pattern = inc[1].startsWith("/") ? inc[1] : `/etc/ssh/${inc[1]}`;
          const dir = pattern.slice(0, pattern.lastIndexOf("/"));
          const glob = new RegExp(
            `^${pattern
              .slice(dir.length + 1)
              .replace(/\./g, "\\.")
              .replace(/\*/g, ".*")}$`,
          );
          for (const n of r.list(dir) ?? [])
            if (glob.test(n))
              for (const l of (r.readFile(`${dir}/${n}`) ?? "").split("\n"))
                lines.push({ line: l, file: `${dir}/${n}` });
        } else lines.push({ line, file: "/etc/ssh/sshd_config" });
      }
      let value: string | undefined;
      let file = "/etc/ssh/sshd_config";
      for (const { line, file: f } of lines) {
        if (/^\s*Match\s/i.test(line)) break;
        const m = line.match(/^\s*PermitRootLogin\s+(\S+)/i);
        if (m) {
          value = m[1].toLowerCase();
          file = f;
          break;
        }
      }
      const actual = value ?? "prohibit-password (default)";
      const ev = os("PermitRootLogin", file, actual, "no");
      if (value === "no") return { status: "pass", message: "PermitRootLogin is no", evidence: ev };
      if (value === "yes")
        return {
          status: "fail",
          message: "PermitRootLogin is yes: root may log in with a password",
          evidence: ev,
        };
      return {
        status: "warn",
        message: `PermitRootLogin is ${actual}: root may still log in with a key`,
        evidence: ev,
      };
    },
  },
  {
    id: "KW-HOST-007",
    title: "No compilers or build tools on the node",
    severity: "low",
    remediation:
      "Remove build tools from nodes (for example apt-get purge gcc make binutils, or dnf remove gcc make); build in CI, not on nodes.",
    run(_f, r) {
      const found = COMPILERS.filter((p) => r.stat(p));
      return found.length === 0
        ? { status: "pass", message: "no compiler found", evidence: os("compilers", null, "none", "none") }
        : {
            status: "warn",
            message: `build tools present: ${found.join(", ")}`,
            evidence: os("compilers", found[0], found.join(","), "none"),
          };
    },
  },
  {
    id: "KW-HOST-008",
    title: "Package manager caches are empty",
    severity: "info",
    remediation:
      "Clear package caches (apt-get clean, dnf clean all, yum clean all) and keep them clean in the node image build.",
    run(_f, r) {
      const caches: string[] = [];
      const debs = (r.list("/var/cache/apt/archives") ?? []).filter((n) => n.endsWith(".deb"));
      if (debs.length > 0) caches.push(`/var/cache/apt/archives (${debs.length} .deb)`);
      for (const d of ["/var/cache/dnf", "/var/cache/yum", "/var/cache/apk"])
        if ((r.list(d) ?? []).length > 0) caches.push(d);
      return caches.length === 0
        ? {
            status: "pass",
            message: "no package cache found",
            evidence: os("package-cache", null, "empty", "empty"),
          }
        : {
            status: "warn",
            message: `package caches hold files: ${caches.join(", ")}`,
            evidence: os("package-cache", caches[0].split(" ")[0], caches.join(","), "empty"),
          };
    },
  },
  {
    id: "KW-HOST-009",
    title: "No unneeded network services run",
    severity: "medium",
    remediation:
      "Stop and disable the listed services (systemctl disable --now <service>) and remove their packages.",
    run(f) {
      if (f.processes.length === 0)
        return { status: "skip", message: "no process is visible (run with hostPID or --root /)" };
      const found = [
        ...new Set(f.processes.filter((p) => UNNEEDED_SERVICES.includes(p.name)).map((p) => p.name)),
      ];
      return found.length === 0
        ? {
            status: "pass",
            message: "none of the usual unneeded services runs",
            evidence: os("services", null, "none", "none"),
          }
        : {
            status: "fail",
            message: `unneeded services running: ${found.join(", ")}`,
            evidence: os("services", null, found.join(","), "none"),
          };
    },
  },
  {
    id: "KW-HOST-010",
    title: "Control-plane components do not run as root",
    severity: "low",
    remediation:
      "Run the control plane as dedicated users (kubeadm: the RootlessControlPlane feature gate; otherwise runAsUser/runAsGroup in each static pod manifest with matching file ownership).",
    run(f) {
      const rootProcs = f.processes.filter((p) => CONTROL_PLANE_PROCESSES.includes(p.name) && p.uid === 0);
      if (!f.processes.some((p) => CONTROL_PLANE_PROCESSES.includes(p.name)))
        return { status: "skip", message: "no control-plane process is visible" };
      return rootProcs.length === 0
        ? {
            status: "pass",
            message: "control-plane processes run as non-root users",
            evidence: os("process-user", null, "non-root", "non-root"),
          }
        : {
            status: "warn",
            message: `running as root: ${rootProcs.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`,
            evidence: os("process-user", `/proc/${rootProcs[0].pid}/status`, "0", "a non-root uid"),
          };
    },
  },
];
