import { compareDigits, isAlpha, isDigit, VersionError, type VersionScheme } from "../scheme.js";

/** A Debian package version: [epoch:]upstream[-revision] (deb-version(7)). */
export interface DpkgVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

const UPSTREAM_CHARS = /^[A-Za-z0-9.+~:-]*$/;
const REVISION_CHARS = /^[A-Za-z0-9.+~]*$/;

function parse(version: string): DpkgVersion {
  const v = version.trim();
  if (v === "") throw new VersionError("dpkg", version, "empty version");
  if (/\s/.test(v)) throw new VersionError("dpkg", version, "contains whitespace");
  let epoch = "0";
  let rest = v;
  const colon = v.indexOf(":");
  if (colon >= 0) {
    epoch = v.slice(0, colon);
    if (!/^\d+$/.test(epoch)) throw new VersionError("dpkg", version, "epoch is not a number");
    if (epoch.length > 10 || Number(epoch) > 2147483647)
      throw new VersionError("dpkg", version, "epoch too big");
    rest = v.slice(colon + 1);
  }
  let upstream = rest;
  let revision = "";
  const dash = rest.lastIndexOf("-");
  if (dash >= 0) {
    upstream = rest.slice(0, dash);
    revision = rest.slice(dash + 1);
    if (revision === "") throw new VersionError("dpkg", version, "revision is empty");
  }
  if (upstream === "") throw new VersionError("dpkg", version, "upstream version is empty");
  if (!isDigit(upstream[0]))
    throw new VersionError("dpkg", version, "upstream version does not start with a digit");
  if (!UPSTREAM_CHARS.test(upstream))
    throw new VersionError("dpkg", version, "invalid character in upstream version");
  if (!REVISION_CHARS.test(revision))
    throw new VersionError("dpkg", version, "invalid character in revision");
  return { epoch, upstream, revision };
}

/** Sort weight of one non-digit character: ~ sorts before the end, letters before other symbols. */
function weight(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === "~") return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's comparison of one version part: alternating non-digit and digit runs. */
export function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const wa = weight(a[i]);
      const wb = weight(b[j]);
      if (wa !== wb) return wa - wb;
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let first = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (first === 0) first = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (first !== 0) return first;
  }
  return 0;
}

function compare(a: DpkgVersion, b: DpkgVersion): number {
  return (
    compareDigits(a.epoch, b.epoch) ||
    compareFragment(a.upstream, b.upstream) ||
    compareFragment(a.revision, b.revision)
  );
}

export const dpkg: VersionScheme<DpkgVersion> = { id: "dpkg", parse, compare };
