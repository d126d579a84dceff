// Mandatory access control: AppArmor or SELinux.
import { type HostCheck, os } from "./types.js";

export const macEnforcing: HostCheck = {
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
      evidence: os("lsm", "/sys/module/apparmor/parameters/enabled", aa ?? null, "Y (or SELinux enforcing)"),
    };
  },
};
