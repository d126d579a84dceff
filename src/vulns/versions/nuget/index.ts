import { compareDigits, VersionError, type VersionScheme } from "../scheme.js";

/** A NuGet version: SemVer 2.0 with an optional fourth (revision) number; labels compare case-insensitively. */
export interface NuGetVersion {
  parts: [string, string, string, string];
  pre: string[];
}

const RE =
  /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]+)?$/;

function parse(version: string): NuGetVersion {
  const m = RE.exec(version.trim());
  if (!m) throw new VersionError("nuget", version, "not a NuGet version");
  return { parts: [m[1]!, m[2] ?? "0", m[3] ?? "0", m[4] ?? "0"], pre: m[5] ? m[5].split(".") : [] };
}

function compareLabels(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    let c: number;
    if (nx && ny) c = compareDigits(x, y);
    else if (nx) c = -1;
    else if (ny) c = 1;
    else {
      const lx = x.toLowerCase();
      const ly = y.toLowerCase();
      c = lx < ly ? -1 : lx > ly ? 1 : 0;
    }
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compare(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = compareDigits(a.parts[i]!, b.parts[i]!);
    if (c !== 0) return c;
  }
  return compareLabels(a.pre, b.pre);
}

export const nuget: VersionScheme<NuGetVersion> = { id: "nuget", parse, compare };
