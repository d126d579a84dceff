import { compareDigits, VersionError, type VersionScheme } from "../scheme.js";

/** A SemVer 2.0.0 version. Leniency for OSV data: a leading "v" and missing minor/patch are accepted. */
export interface SemVer {
  major: string;
  minor: string;
  patch: string;
  pre: string[];
  build: string;
}

const RE =
  /^v?(0|[1-9]\d*|\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

function parse(version: string): SemVer {
  const m = RE.exec(version.trim());
  if (!m) throw new VersionError("semver", version, "not a SemVer version");
  return semVerOf(m);
}

/** A SemVer from a match whose groups 1-5 are major, minor, patch, pre-release and build; absent minor/patch are 0. */
export function semVerOf(m: RegExpExecArray): SemVer {
  return {
    major: m[1]!,
    minor: m[2] ?? "0",
    patch: m[3] ?? "0",
    pre: m[4] ? m[4].split(".") : [],
    build: m[5] ?? "",
  };
}

const NUMERIC = /^\d+$/;

/** SemVer §11 precedence of pre-release identifier lists; an empty list (a release) sorts last. */
export function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length ? (a.length === 0 ? 1 : -1) : 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const nx = NUMERIC.test(x);
    const ny = NUMERIC.test(y);
    if (nx && ny) {
      const c = compareDigits(x, y);
      if (c !== 0) return c;
      continue;
    }
    if (nx) return -1;
    if (ny) return 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

export function compareSemVer(a: SemVer, b: SemVer): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.pre, b.pre)
  );
}

export const semver: VersionScheme<SemVer> = { id: "semver", parse, compare: compareSemVer };
