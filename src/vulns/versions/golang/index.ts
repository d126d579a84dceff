import { VersionError, type VersionScheme } from "../scheme.js";
import { compareSemVer, type SemVer, semVerOf } from "../semver/index.js";

/**
 * Go module versions (golang.org/x/mod/semver): "v" + SemVer, where vMAJOR and vMAJOR.MINOR are
 * shorthands for .0; pseudo-versions are ordinary pre-releases; "+incompatible" is build metadata.
 * OSV's Go data writes versions without the "v", so both spellings are accepted.
 */
const NUM = "(0|[1-9]\\d*)";
const IDENT = "(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)";
const RE = new RegExp(
  `^v${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?)?)?$`,
);

function parse(version: string): SemVer {
  const v = version.startsWith("v") ? version : `v${version}`;
  const m = RE.exec(v);
  if (!m) throw new VersionError("go", version, "not a Go module version");
  return semVerOf(m);
}

export const golang: VersionScheme<SemVer> = { id: "go", parse, compare: compareSemVer };

/** Go toolchain versions ("go1.21.0", "1.21rc2", "1.20") as the module versions OSV uses ("1.21.0-rc.2"). */
export function goToolchainToSemver(v: string): string | undefined {
  const m = /^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(v.trim());
  if (!m) return undefined;
  const [, major, minor = "0", patch = "0", kind, n] = m;
  // Before Go 1.21 the first release of a line was "1.20", i.e. 1.20.0; pre-releases were "1.20rc1".
  return `${major}.${minor}.${patch}${kind ? `-${kind}.${n}` : ""}`;
}
