import type { ObjectCheck, Violation } from "../../core/check.js";
import type { Severity } from "../../core/model.js";
import { isRecord } from "../../core/object.js";
import { containersOf, POD_KINDS, podOf } from "../../core/podspec.js";

/** Capabilities that break container isolation or grant node-level power, with why. */
const DANGEROUS: Readonly<Record<string, { why: string; severity: Severity }>> = {
  ALL: { why: "every capability, including SYS_ADMIN", severity: "critical" },
  SYS_ADMIN: {
    why: "mount, namespaces, BPF and most of root's power; a classic escape route",
    severity: "critical",
  },
  SYS_MODULE: { why: "load kernel modules, i.e. run code in the host kernel", severity: "critical" },
  SYS_PTRACE: { why: "trace and inject into other processes", severity: "high" },
  SYS_RAWIO: { why: "raw I/O to devices and ports", severity: "high" },
  SYS_BOOT: { why: "reboot the host or load a new kernel", severity: "high" },
  SYS_TIME: { why: "set the host clock", severity: "medium" },
  DAC_READ_SEARCH: {
    why: "bypass read permission checks and open files by handle (shocker escape)",
    severity: "high",
  },
  DAC_OVERRIDE: { why: "bypass file permission checks", severity: "medium" },
  NET_ADMIN: { why: "reconfigure interfaces, routes and firewall rules", severity: "high" },
  NET_RAW: { why: "craft raw packets (ARP/DNS spoofing inside the node network)", severity: "medium" },
  BPF: { why: "load BPF programs into the kernel", severity: "high" },
  PERFMON: { why: "kernel performance monitoring, with BPF a kernel read primitive", severity: "medium" },
  MAC_ADMIN: { why: "change the LSM (AppArmor/SELinux) policy", severity: "high" },
  MAC_OVERRIDE: { why: "override the LSM policy", severity: "high" },
  SETFCAP: { why: "set file capabilities, granting capabilities to new binaries", severity: "medium" },
  LINUX_IMMUTABLE: { why: "change immutable and append-only file flags", severity: "medium" },
};

/** KW-WL-013: dangerous Linux capabilities in securityContext.capabilities.add. */
export const dangerousCapabilities: ObjectCheck = {
  id: "KW-WL-013",
  title: "Dangerous capability added",
  severity: "high",
  layer: "workload",
  description:
    "Added capabilities such as SYS_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH, NET_ADMIN, NET_RAW, BPF " +
    "or ALL give a container kernel powers that are the usual first step of a container escape. Names are " +
    "compared case-insensitively with or without the CAP_ prefix, as runtimes accept both.",
  remediation:
    "Drop ALL capabilities and add back only what the process needs (typically NET_BIND_SERVICE at most).",
  references: [
    "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
    "https://man7.org/linux/man-pages/man7/capabilities.7.html",
  ],
  frameworks: { cis: ["5.2.8", "5.2.9"], nsa: ["pod-security"] },
  kinds: POD_KINDS,
  run(obj) {
    const pod = podOf(obj);
    if (!pod) return [];
    const out: Violation[] = [];
    for (const c of containersOf(pod)) {
      const sc = c.container.securityContext;
      if (!isRecord(sc) || !isRecord(sc.capabilities) || !Array.isArray(sc.capabilities.add)) continue;
      sc.capabilities.add.forEach((cap, i) => {
        if (typeof cap !== "string") return;
        const name = cap.trim().toUpperCase().replace(/^CAP_/, "");
        const hit = DANGEROUS[name];
        if (!hit) return;
        out.push({
          message: `container "${c.name}" adds capability ${cap}: ${hit.why}`,
          path: [...c.path, "securityContext", "capabilities", "add", i],
          container: c.name,
          severity: hit.severity,
        });
      });
    }
    return out;
  },
};
