// Network services a node does not need.
import { type HostCheck, os } from "./types.js";

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

export const noStrayServices: HostCheck = {
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
};
