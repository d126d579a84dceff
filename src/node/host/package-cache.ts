// Package manager caches.
import { type HostCheck, os } from "./types.js";

export const emptyPackageCaches: HostCheck = {
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
};
