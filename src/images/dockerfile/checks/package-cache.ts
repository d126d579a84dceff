import type { DockerfileCheck } from "./types.js";

export const dfPackageCache: DockerfileCheck = {
  id: "KW-DF-006",
  title: "Package manager cache kept in a layer",
  severity: "low",
  layer: "image",
  description: "A RUN step installs packages without cleaning the package manager's cache in the same step.",
  remediation:
    "apt-get: add && rm -rf /var/lib/apt/lists/* to the same RUN; apk: use --no-cache; pip: --no-cache-dir; dnf/yum: && dnf clean all.",
  references: ["https://docs.docker.com/build/building/best-practices/#apt-get"],
  frameworks: {},
  run(df) {
    const out = [];
    for (const i of df.instructions) {
      if (i.cmd !== "RUN" || /--mount=type=cache/.test(i.args)) continue;
      const a = i.args;
      if (/\bapt(-get)?\s+(-\S+\s+)*install\b/.test(a) && !/rm\s+-r?f?r?\s+\/var\/lib\/apt\/lists/.test(a)) {
        out.push({ message: "apt-get install without rm -rf /var/lib/apt/lists/*", line: i.line });
      }
      if (
        /\bapk\s+(-\S+\s+)*add\b/.test(a) &&
        !/--no-cache\b/.test(a) &&
        !/rm\s+-r?f?r?\s+\/var\/cache\/apk/.test(a)
      ) {
        out.push({ message: "apk add without --no-cache", line: i.line });
      }
      if (/\bpip3?\s+install\b/.test(a) && !/--no-cache-dir\b/.test(a) && !/PIP_NO_CACHE_DIR/.test(a)) {
        out.push({ message: "pip install without --no-cache-dir", line: i.line });
      }
      if (
        /\b(dnf|yum|microdnf)\s+(-\S+\s+)*install\b/.test(a) &&
        !/\b(dnf|yum|microdnf)\s+clean\s+all\b/.test(a)
      ) {
        out.push({ message: "dnf/yum install without clean all", line: i.line });
      }
    }
    return out;
  },
};
