import type { Finding, ScanError } from "../../../core/model.js";
import { parseDockerfile } from "../parse.js";
import { dfAptRecommends } from "./apt-recommends.js";
import { dfAptUpgrade } from "./apt-upgrade.js";
import { dfBaseLatest } from "./base-latest.js";
import { dfCurlPipeShell } from "./curl-pipe-shell.js";
import { dfPackageCache } from "./package-cache.js";
import { dfRemoteAdd } from "./remote-add.js";
import { dfRootUser } from "./root-user.js";
import { dfSecrets } from "./secrets.js";
import { dfSshPort } from "./ssh-port.js";
import type { DockerfileCheck } from "./types.js";

/** Every Dockerfile check, registered explicitly (one per file). */
export const DOCKERFILE_CHECKS: ReadonlyMap<string, DockerfileCheck> = new Map(
  [
    dfRootUser,
    dfBaseLatest,
    dfRemoteAdd,
    dfSshPort,
    dfSecrets,
    dfPackageCache,
    dfCurlPipeShell,
    dfAptUpgrade,
    dfAptRecommends,
  ].map((c) => [c.id, c]),
);

export const HELPER_FILES = ["index.ts", "types.ts"];

const NOT_DOCKERFILE_EXTENSION =
  /\.(go|rs|py|js|mjs|cjs|ts|java|kt|rb|php|c|h|cc|cpp|cs|sh|bash|ps1|md|rst|adoc|txt|html|json|ya?ml|toml|xml|lock|sum|mod|patch|diff|orig|bak|swp)$/i;

/** True for file names `scan fs` should treat as Dockerfiles. */
export function isDockerfileName(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  // `Dockerfile.dockerignore` is the ignore file BuildKit pairs with a Dockerfile, not one itself.
  if (/\.dockerignore$/i.test(base)) return false;
  // Source files, docs and data named after Dockerfiles (dockerfile.go, Dockerfile.md) are not
  // Dockerfiles; parsing them would only produce errors. Templates (.tmpl, .j2) are still read.
  if (NOT_DOCKERFILE_EXTENSION.test(base)) return false;
  return /^(Dockerfile|Containerfile)(\..+)?$/i.test(base) || /\.(dockerfile|containerfile)$/i.test(base);
}

/** The instructions the Dockerfile frontend knows; any other word starting an instruction fails the build. */
const INSTRUCTIONS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

/**
 * Runs the Dockerfile checks on one file's text (for `scan fs`). Pure: the caller reads the file.
 * A file with no instruction at all is reported in `errors` (code dockerfile-empty), an unknown
 * instruction (a typo such as `FORM`, which the build refuses) as dockerfile-parse with its line;
 * the checks still run over the instructions that were understood.
 */
export function runDockerfileChecks(
  file: string,
  text: string,
  checks: Iterable<DockerfileCheck> = DOCKERFILE_CHECKS.values(),
): { findings: Finding[]; errors: ScanError[] } {
  const df = parseDockerfile(text);
  if (df.instructions.length === 0)
    return {
      findings: [],
      errors: [{ file, message: "no Dockerfile instructions", code: "dockerfile-empty" }],
    };
  const errors: ScanError[] = [];
  // One error per file, at the first unknown instruction as the build would stop there; prose in a
  // file named like a Dockerfile would otherwise give one error per line.
  const unknown = df.instructions.filter((i) => !INSTRUCTIONS.has(i.cmd));
  if (unknown.length > 0)
    errors.push({
      file,
      line: unknown[0]!.line,
      message:
        `unknown instruction ${JSON.stringify(unknown[0]!.cmd.slice(0, 40))}` +
        (unknown.length > 1 ? ` (and ${unknown.length - 1} more unknown instructions)` : ""),
      code: "dockerfile-parse",
    });
  if (df.stages.length === 0)
    errors.push({ file, message: "no FROM instruction", code: "dockerfile-no-from" });
  const findings: Finding[] = [];
  for (const c of checks) {
    for (const v of c.run(df)) {
      findings.push({
        checkId: c.id,
        title: c.title,
        severity: c.severity,
        status: "fail",
        layer: "image",
        message: v.message,
        remediation: c.remediation,
        references: c.references,
        resource: { kind: "Dockerfile", name: file },
        location: { file, ...(v.line ? { line: v.line } : {}) },
      });
    }
  }
  return { findings, errors };
}
