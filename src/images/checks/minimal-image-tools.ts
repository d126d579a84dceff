import type { ImageCheck, ImageFacts } from "./types.js";

const SHELLS = [
  "bin/sh",
  "bin/bash",
  "bin/ash",
  "bin/dash",
  "bin/zsh",
  "bin/busybox",
  "usr/bin/bash",
  "usr/bin/sh",
];
const PACKAGE_MANAGERS = [
  "usr/bin/apt",
  "usr/bin/apt-get",
  "usr/bin/dpkg",
  "sbin/apk",
  "usr/bin/dnf",
  "usr/bin/yum",
  "usr/bin/microdnf",
  "usr/bin/rpm",
  "bin/rpm",
];

/** Minimal images: distroless (per-package dpkg status.d, no status file) or no OS package database at all. */
export function isMinimal(f: ImageFacts): boolean {
  const hasDpkg = f.fs.exists("var/lib/dpkg/status");
  const hasStatusD = [...f.fs.entries.keys()].some((p) => p.startsWith("var/lib/dpkg/status.d/"));
  const hasApk = f.fs.exists("lib/apk/db/installed");
  const hasRpm = [
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
  ].some((p) => f.fs.exists(p));
  if (hasStatusD && !hasDpkg) return true;
  return !hasDpkg && !hasApk && !hasRpm && !hasStatusD;
}

export const minimalImageTools: ImageCheck = {
  id: "KW-IMG-011",
  title: "Shell or package manager in a minimal image",
  severity: "medium",
  layer: "image",
  description:
    "The image looks minimal (distroless or no OS package database) yet ships a shell or package manager, which helps an attacker who gets code execution.",
  remediation: "Build the final stage FROM a distroless/scratch base and copy only the application into it.",
  references: ["https://github.com/GoogleContainerTools/distroless"],
  frameworks: {},
  run(f) {
    if (!isMinimal(f)) return [];
    const shells = SHELLS.filter((p) => f.fs.get(p) && f.fs.exists(p));
    const pms = PACKAGE_MANAGERS.filter((p) => f.fs.get(p) && f.fs.exists(p));
    if (shells.length === 0 && pms.length === 0) return [];
    const what = [...shells, ...pms].map((p) => `/${p}`).join(", ");
    return [{ message: `minimal image ships ${what}`, details: { shells, packageManagers: pms } }];
  },
};
