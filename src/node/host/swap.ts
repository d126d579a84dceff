// Swap.
import { type HostCheck, os } from "./types.js";

export const swapOff: HostCheck = {
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
};
