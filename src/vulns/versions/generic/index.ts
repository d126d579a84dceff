import { compareDigits, VersionError, type VersionScheme } from "../scheme.js";

/**
 * Fallback for ecosystems without a dedicated scheme (e.g. Packagist, Hackage): numbers compare as
 * numbers, words as text, a word after the common prefix marks a pre-release ("1.0-beta" < "1.0").
 */
export type GenericVersion = string[];

function parse(version: string): GenericVersion {
  const parts = version
    .trim()
    .toLowerCase()
    .replace(/^v/, "")
    .match(/\d+|[a-z]+/g);
  if (!parts) throw new VersionError("generic", version, "no version number");
  return parts;
}

function compare(a: GenericVersion, b: GenericVersion): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const nx = x !== undefined && /^\d/.test(x);
    const ny = y !== undefined && /^\d/.test(y);
    // A missing part counts as 0 against a number, and as newer than a word (a pre-release tag).
    if (x === undefined) {
      if (!ny) return 1;
      if (/^0+$/.test(y!)) continue;
      return -1;
    }
    if (y === undefined) {
      if (!nx) return -1;
      if (/^0+$/.test(x)) continue;
      return 1;
    }
    if (nx && ny) {
      const c = compareDigits(x, y);
      if (c !== 0) return c;
      continue;
    }
    if (nx) return 1;
    if (ny) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export const generic: VersionScheme<GenericVersion> = { id: "generic", parse, compare };
