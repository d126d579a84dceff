import { compareDigits, isAlpha, isDigit, VersionError, type VersionScheme } from "../scheme.js";

/** An RPM EVR: [epoch:]version[-release]. */
export interface RpmVersion {
  epoch: string;
  version: string;
  release: string;
}

function parse(input: string): RpmVersion {
  const v = input.trim();
  if (v === "") throw new VersionError("rpm", input, "empty version");
  if (/\s/.test(v)) throw new VersionError("rpm", input, "contains whitespace");
  let epoch = "0";
  let rest = v;
  const colon = v.indexOf(":");
  if (colon >= 0) {
    epoch = v.slice(0, colon) || "0";
    if (!/^\d+$/.test(epoch)) throw new VersionError("rpm", input, "epoch is not a number");
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf("-");
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : "";
  if (version === "") throw new VersionError("rpm", input, "version is empty");
  return { epoch, version, release };
}

const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);

/** rpmvercmp: segment-wise comparison with ~ (sorts before anything) and ^ (sorts after the end only). */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== "~" && a[i] !== "^") i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== "~" && b[j] !== "^") j++;
    if (a[i] === "~" || b[j] === "~") {
      if (a[i] !== "~") return 1;
      if (b[j] !== "~") return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === "^" || b[j] === "^") {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== "^") return 1;
      if (b[j] !== "^") return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const test = numeric ? isDigit : isAlpha;
    const si = i;
    const sj = j;
    while (i < a.length && test(a[i])) i++;
    while (j < b.length && test(b[j])) j++;
    const sa = a.slice(si, i);
    const sb = b.slice(sj, j);
    // A numeric segment is newer than an alphabetic one.
    if (sb === "") return numeric ? 1 : -1;
    if (numeric) {
      const c = compareDigits(sa, sb);
      if (c !== 0) return c;
    } else if (sa !== sb) {
      return sa < sb ? -1 : 1;
    }
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function compare(a: RpmVersion, b: RpmVersion): number {
  return (
    compareDigits(a.epoch, b.epoch) || rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release)
  );
}

export const rpm: VersionScheme<RpmVersion> = { id: "rpm", parse, compare };
