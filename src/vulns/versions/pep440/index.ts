import { VersionError, type VersionScheme } from "../scheme.js";

/** A PEP 440 version reduced to the fields that order it. */
export interface Pep440Version {
  epoch: number;
  release: number[];
  pre?: [string, number];
  post?: number;
  dev?: number;
  local?: Array<number | string>;
}

const RE =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

const PRE_NAMES: Record<string, string> = {
  alpha: "a",
  a: "a",
  beta: "b",
  b: "b",
  c: "rc",
  pre: "rc",
  preview: "rc",
  rc: "rc",
};

function parse(version: string): Pep440Version {
  const m = RE.exec(version);
  if (!m) throw new VersionError("pep440", version, "not a PEP 440 version");
  // Trailing zeros do not change the order (1.0 == 1.0.0); dropping them gives one spelling per version.
  const release = m[2]!.split(".").map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const v: Pep440Version = { epoch: m[1] ? Number(m[1]) : 0, release };
  if (m[3]) v.pre = [PRE_NAMES[m[3].toLowerCase()]!, m[4] ? Number(m[4]) : 0];
  if (m[5] !== undefined) v.post = Number(m[5]);
  else if (m[6]) v.post = m[7] ? Number(m[7]) : 0;
  if (m[8]) v.dev = m[9] ? Number(m[9]) : 0;
  if (m[10]) v.local = m[10].split(/[-_.]/).map((s) => (/^\d+$/.test(s) ? Number(s) : s.toLowerCase()));
  return v;
}

const PRE_ORDER: Record<string, number> = { a: 0, b: 1, rc: 2 };

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pre-release key: a dev release of a final sorts before its pre-releases; a final sorts after them. */
function preKey(v: Pep440Version): [number, number] {
  if (!v.pre && v.post === undefined && v.dev !== undefined) return [-Infinity, 0];
  if (!v.pre) return [Infinity, 0];
  return [PRE_ORDER[v.pre[0]]!, v.pre[1]];
}

function compareLocal(a: Array<number | string> | undefined, b: Array<number | string> | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return cmpNum(x, y);
    // Numeric segments sort after alphanumeric ones.
    if (typeof x === "number") return 1;
    if (typeof y === "number") return -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function compare(a: Pep440Version, b: Pep440Version): number {
  if (a.epoch !== b.epoch) return cmpNum(a.epoch, b.epoch);
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const c = cmpNum(a.release[i] ?? 0, b.release[i] ?? 0);
    if (c !== 0) return c;
  }
  const [pa, pan] = preKey(a);
  const [pb, pbn] = preKey(b);
  if (pa !== pb) return cmpNum(pa, pb);
  if (pan !== pbn) return cmpNum(pan, pbn);
  const c = cmpNum(a.post ?? -Infinity, b.post ?? -Infinity) || cmpNum(a.dev ?? Infinity, b.dev ?? Infinity);
  return c || compareLocal(a.local, b.local);
}

export const pep440: VersionScheme<Pep440Version> = { id: "pep440", parse, compare };
