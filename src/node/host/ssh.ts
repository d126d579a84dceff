// SSH root login.
import { type HostCheck, os } from "./types.js";

export const sshRootLogin: HostCheck = {
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
};
