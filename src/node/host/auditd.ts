// The audit daemon and its rules.
import { type HostCheck, os } from "./types.js";

export const auditdRunning: HostCheck = {
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
};
