// Kernel parameters the kubelet protects, and the kubelet setting that protects them.
import { lookupSetting } from "../settings.js";
import type { Evidence } from "../types.js";
import { type HostCheck, os } from "./types.js";

/** Kernel parameters the kubelet refuses to start without when protectKernelDefaults is on. */
export const KUBELET_SYSCTLS: ReadonlyArray<[string, string]> = [
  ["vm/overcommit_memory", "1"],
  ["vm/panic_on_oom", "0"],
  ["kernel/panic", "10"],
  ["kernel/panic_on_oops", "1"],
  ["kernel/keys/root_maxkeys", "1000000"],
  ["kernel/keys/root_maxbytes", "25000000"],
];

export const kernelParameters: HostCheck = {
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
};

export const protectKernelDefaults: HostCheck = {
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
};
