// Compilers and build tools on the node.
import { type HostCheck, os } from "./types.js";

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

export const noBuildTools: HostCheck = {
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
};
