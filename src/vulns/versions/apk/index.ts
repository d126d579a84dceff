import { isDigit, VersionError, type VersionScheme } from "../scheme.js";

/**
 * Alpine (apk-tools 2) versions: {number}{.number}...{letter}{_suffix{number}}...{-r{number}}.
 * A version is a list of typed tokens; comparison walks both lists in step.
 */
enum T {
  Invalid = -1,
  DigitOrZero = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  RevisionNo = 5,
  End = 6,
}

interface Tok {
  type: T;
  value: number;
}

export interface ApkVersion {
  raw: string;
  tokens: Tok[];
  /** Token type after the last one read: End for a well-formed version, Invalid otherwise. */
  tail: T;
}

const PRE = ["alpha", "beta", "pre", "rc"];
const POST = ["cvs", "svn", "git", "hg", "p"];
const isLower = (c: string | undefined) => c !== undefined && c >= "a" && c <= "z";

/** Reads the separator that follows a token and decides the next token's type. */
function nextType(prev: T, s: string, pos: number): [T, number] {
  let n = T.Invalid;
  let p = pos;
  const c = s[p];
  if (c === undefined) n = T.End;
  else if ((prev === T.Digit || prev === T.DigitOrZero) && isLower(c)) n = T.Letter;
  else if (prev === T.Letter && isDigit(c)) n = T.Digit;
  else if (prev === T.Suffix && isDigit(c)) n = T.SuffixNo;
  else {
    if (c === ".") n = T.DigitOrZero;
    else if (c === "_") n = T.Suffix;
    else if (c === "-" && s[p + 1] === "r") {
      n = T.RevisionNo;
      p++;
    }
    p++;
  }
  if (n < prev) {
    const allowed =
      (n === T.DigitOrZero && prev === T.Digit) ||
      (n === T.Suffix && prev === T.SuffixNo) ||
      (n === T.Digit && prev === T.Letter);
    if (!allowed) n = T.Invalid;
  }
  return [n, p];
}

/** Reads one token of the given type at pos; returns its value, the next type and position. */
function readToken(type: T, s: string, pos: number): { value: number; next: T; pos: number } {
  let i = pos;
  let value = 0;
  let forced = T.Invalid;
  if (i >= s.length) return { value: 0, next: T.End, pos: i };
  switch (type) {
    case T.DigitOrZero:
      if (s[i] === "0") {
        // Leading zeros: the more zeros, the smaller (so 1.01 < 1.1 and 1.001 < 1.01).
        while (s[i] === "0") i++;
        value = -(i - pos);
        forced = T.Digit;
        break;
      }
      while (isDigit(s[i])) {
        value = value * 10 + (s.charCodeAt(i) - 48);
        i++;
      }
      break;
    case T.Digit:
    case T.SuffixNo:
    case T.RevisionNo:
      while (isDigit(s[i])) {
        value = value * 10 + (s.charCodeAt(i) - 48);
        i++;
      }
      break;
    case T.Letter:
      value = s.charCodeAt(i);
      i++;
      break;
    case T.Suffix: {
      const pre = PRE.findIndex((p) => s.startsWith(p, i));
      if (pre >= 0) {
        value = pre - PRE.length;
        i += PRE[pre]!.length;
        break;
      }
      const post = POST.findIndex((p) => s.startsWith(p, i));
      if (post >= 0) {
        value = post;
        i += POST[post]!.length;
        break;
      }
      return { value: -1, next: T.Invalid, pos: i };
    }
    default:
      return { value: -1, next: T.Invalid, pos: i };
  }
  if (i >= s.length) return { value, next: T.End, pos: i };
  if (forced !== T.Invalid) return { value, next: forced, pos: i };
  const [next, p] = nextType(type, s, i);
  return { value, next, pos: p };
}

function tokenize(s: string): ApkVersion {
  const tokens: Tok[] = [];
  let type = T.Digit;
  let pos = 0;
  while (type !== T.End && type !== T.Invalid) {
    const r = readToken(type, s, pos);
    tokens.push({ type, value: r.value });
    type = r.next;
    pos = r.pos;
  }
  return { raw: s, tokens, tail: type };
}

function parse(version: string): ApkVersion {
  const v = tokenize(version);
  if (version === "" || v.tail !== T.End) throw new VersionError("apk", version, "not an apk version");
  return v;
}

/** Like apk_version_compare: also defined for malformed versions, which compare up to the bad token. */
function compare(a: ApkVersion, b: ApkVersion): number {
  let k = 0;
  let at: T = T.Digit;
  let bt: T = T.Digit;
  let av = 0;
  let bv = 0;
  while (at === bt && at !== T.End && at !== T.Invalid && av === bv) {
    const ta = a.tokens[k];
    const tb = b.tokens[k];
    av = ta ? ta.value : 0;
    bv = tb ? tb.value : 0;
    k++;
    at = a.tokens[k]?.type ?? (ta ? a.tail : T.End);
    bt = b.tokens[k]?.type ?? (tb ? b.tail : T.End);
  }
  if (av !== bv) return av < bv ? -1 : 1;
  if (at === bt) return 0;
  // Same so far: the longer one is newer unless what follows is a pre-release suffix.
  if (at === T.Suffix && (a.tokens[k]?.value ?? 0) < 0) return -1;
  if (bt === T.Suffix && (b.tokens[k]?.value ?? 0) < 0) return 1;
  if (at > bt) return -1;
  if (bt > at) return 1;
  return 0;
}

export const apk: VersionScheme<ApkVersion> = { id: "apk", parse, compare };
/** Compares without validating (apk-tools accepts malformed versions in comparisons). */
export function compareApkLoose(a: string, b: string): number {
  return compare(tokenize(a), tokenize(b));
}
