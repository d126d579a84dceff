/**
 * One version scheme: turns version strings into comparable values.
 * Each scheme lives in its own folder and is registered in ./index.ts.
 */
export interface VersionScheme<P = unknown> {
  readonly id: string;
  /** Parses a version; throws VersionError (code "version-invalid") when it is not one in this scheme. */
  parse(version: string): P;
  /** Negative, zero or positive, like a sort comparator. */
  compare(a: P, b: P): number;
}

export class VersionError extends Error {
  readonly code = "version-invalid";
  constructor(
    readonly scheme: string,
    readonly version: string,
    reason: string,
  ) {
    super(`${scheme} version "${version}" is invalid: ${reason}`);
  }
}

/** Compares two version strings of a scheme (parses both). */
export function compareVersions<P>(scheme: VersionScheme<P>, a: string, b: string): number {
  return scheme.compare(scheme.parse(a), scheme.parse(b));
}

export function isValidVersion(scheme: VersionScheme, v: string): boolean {
  try {
    scheme.parse(v);
    return true;
  } catch {
    return false;
  }
}

/** Compares two strings of decimal digits numerically without overflow. */
export function compareDigits(a: string, b: string): number {
  let i = 0;
  while (i < a.length - 1 && a[i] === "0") i++;
  let j = 0;
  while (j < b.length - 1 && b[j] === "0") j++;
  const la = a.length - i;
  const lb = b.length - j;
  if (la !== lb) return la - lb;
  for (; i < a.length; i++, j++) {
    if (a[i] !== b[j]) return a.charCodeAt(i) - b.charCodeAt(j);
  }
  return 0;
}

export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

export const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
export const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
