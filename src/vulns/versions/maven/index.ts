import { compareDigits, isDigit, VersionError, type VersionScheme } from "../scheme.js";

/**
 * Maven's ComparableVersion (maven-artifact 3.8): a version is a tree of number, qualifier and list
 * items. "." separates items, "-" (and a switch between digits and letters) opens a sub-list.
 */
type Item = { k: "int"; v: string } | { k: "str"; v: string } | { k: "list"; v: Item[] };
export type MavenVersion = Item & { k: "list" };

const QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const ALIASES: Record<string, string> = { ga: "", final: "", release: "", cr: "rc" };
const RELEASE_INDEX = "5";

function strItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1)
    v = v === "a" ? "alpha" : v === "b" ? "beta" : v === "m" ? "milestone" : v;
  return { k: "str", v: ALIASES[v] ?? v };
}

function qualifierKey(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function numItem(s: string): Item {
  return { k: "int", v: s.replace(/^0+(?=\d)/, "") };
}

function item(isNum: boolean, s: string): Item {
  return isNum ? numItem(s) : strItem(s, false);
}

function isNull(it: Item): boolean {
  if (it.k === "int") return it.v === "0";
  if (it.k === "str") return qualifierKey(it.v) === RELEASE_INDEX;
  return it.v.length === 0;
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.k !== "list") break;
  }
}

function parse(version: string): MavenVersion {
  if (version.trim() === "") throw new VersionError("maven", version, "empty version");
  const s = version.toLowerCase();
  const root: MavenVersion = { k: "list", v: [] };
  let list = root.v;
  const stack: Item[][] = [list];
  let num = false;
  let start = 0;
  const open = () => {
    const sub: Item[] = [];
    list.push({ k: "list", v: sub });
    list = sub;
    stack.push(sub);
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "." || c === "-") {
      list.push(i === start ? { k: "int", v: "0" } : item(num, s.slice(start, i)));
      start = i + 1;
      if (c === "-") open();
    } else if (isDigit(c)) {
      if (!num && i > start) {
        list.push(strItem(s.slice(start, i), true));
        start = i;
        open();
      }
      num = true;
    } else {
      if (num && i > start) {
        list.push(item(true, s.slice(start, i)));
        start = i;
        open();
      }
      num = false;
    }
  }
  if (s.length > start) list.push(item(num, s.slice(start)));
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i]!);
  return root;
}

/** Compares an item with a missing one (the end of the shorter list). */
function compareToNull(a: Item): number {
  if (a.k === "int") return a.v === "0" ? 0 : 1;
  if (a.k === "str")
    return qualifierKey(a.v) < RELEASE_INDEX ? -1 : qualifierKey(a.v) > RELEASE_INDEX ? 1 : 0;
  // The whole list counts, not just its first item (MNG-6964): 1-0.1 > 1.
  for (const it of a.v) {
    const c = compareToNull(it);
    if (c !== 0) return c;
  }
  return 0;
}

function compareItem(a: Item | undefined, b: Item | undefined): number {
  if (!a) return b ? -compareToNull(b) : 0;
  if (!b) return compareToNull(a);
  if (a.k === "int") {
    return b.k === "int" ? compareDigits(a.v, b.v) : 1;
  }
  if (a.k === "str") {
    if (b.k === "int") return -1;
    if (b.k === "list") return -1;
    const x = qualifierKey(a.v);
    const y = qualifierKey(b.v);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (b.k === "int") return -1;
  if (b.k === "str") return 1;
  const n = Math.max(a.v.length, b.v.length);
  for (let i = 0; i < n; i++) {
    const c = compareItem(a.v[i], b.v[i]);
    if (c !== 0) return c;
  }
  return 0;
}

export const maven: VersionScheme<MavenVersion> = {
  id: "maven",
  parse,
  compare: (a, b) => compareItem(a, b),
};
