import { VersionError, type VersionScheme } from "../scheme.js";

/** Gem::Version: dot-separated numbers and letters; a letter segment marks a pre-release. */
export type GemVersion = Array<number | string>;

const VALID = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;

function parse(version: string): GemVersion {
  if (!VALID.test(version)) throw new VersionError("rubygems", version, "malformed version number string");
  const v = version.trim().replace(/-/g, ".pre.") || "0";
  const segments: GemVersion = (v.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) => (/^\d/.test(s) ? Number(s) : s));
  // Canonical form: trailing zeros dropped from the release part and from the pre-release part.
  const firstStr = segments.findIndex((s) => typeof s === "string");
  const parts = firstStr < 0 ? [segments] : [segments.slice(0, firstStr), segments.slice(firstStr)];
  const out: GemVersion = [];
  for (const p of parts) {
    let end = p.length;
    while (end > 0 && p[end - 1] === 0) end--;
    out.push(...p.slice(0, end));
  }
  return out;
}

function compare(a: GemVersion, b: GemVersion): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x === y) continue;
    if (typeof x === "string" && typeof y === "number") return -1;
    if (typeof x === "number" && typeof y === "string") return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export const rubygems: VersionScheme<GemVersion> = { id: "rubygems", parse, compare };
