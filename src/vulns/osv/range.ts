import type { VersionScheme } from "../versions/scheme.js";
import type { OsvAffected, OsvEvent, OsvRange } from "./types.js";

/** Parses versions once per scheme; matching compares the same few strings many times. */
export class VersionCache {
  private readonly cache = new Map<string, unknown>();
  private readonly keys = new Map<string, string>();
  private readonly listed = new WeakMap<object, Set<string>>();
  constructor(readonly scheme: VersionScheme<unknown>) {}

  /** A canonical key of a version: equal keys mean equal parsed forms (undefined when it does not parse). */
  key(v: string): string | undefined {
    let k = this.keys.get(v);
    if (k === undefined) {
      const p = this.get(v);
      if (p === undefined) return undefined;
      k = JSON.stringify(p);
      this.keys.set(v, k);
    }
    return k;
  }

  /** The canonical keys of an entry's `versions` list, computed once per entry object. */
  listedKeys(entry: { versions: readonly string[] }): Set<string> {
    let s = this.listed.get(entry);
    if (!s) {
      s = new Set();
      for (const v of entry.versions) {
        const k = this.key(v);
        if (k !== undefined) s.add(k);
      }
      this.listed.set(entry, s);
    }
    return s;
  }
  /** The parsed version, or undefined when the string is not a version of this scheme. */
  get(v: string): unknown {
    if (this.cache.has(v)) return this.cache.get(v);
    let p: unknown;
    try {
      p = this.scheme.parse(v);
    } catch {
      p = undefined;
    }
    this.cache.set(v, p);
    return p;
  }
}

export interface RangeVerdict {
  affected: boolean;
  /** The fixed version that ends the range the version falls in, when there is one. */
  fixed?: string;
}

const ZERO = "0";

/**
 * OSV range semantics (osv-schema "Evaluation"): sort the events by version, "introduced: 0" first;
 * walk them in order: introduced ≤ v turns "affected" on, fixed ≤ v and last_affected < v turn it off.
 * When limit events exist, v must also be below one of them. Events whose versions do not parse are
 * ignored; the caller reports them.
 */
export function evaluateRange(range: OsvRange, version: unknown, cache: VersionCache): RangeVerdict {
  type E = { ev: OsvEvent; key: string; parsed: unknown };
  const events: E[] = [];
  for (const ev of range.events) {
    const key = (ev.introduced ?? ev.fixed ?? ev.last_affected ?? ev.limit)!;
    if (ev.introduced === ZERO) {
      events.push({ ev, key, parsed: undefined });
      continue;
    }
    const parsed = cache.get(key);
    if (parsed === undefined) continue;
    events.push({ ev, key, parsed });
  }
  const cmp = (a: unknown, b: unknown) => cache.scheme.compare(a, b);
  events.sort((a, b) => {
    if (a.ev.introduced === ZERO) return b.ev.introduced === ZERO ? 0 : -1;
    if (b.ev.introduced === ZERO) return 1;
    return cmp(a.parsed, b.parsed);
  });
  let affected = false;
  let fixed: string | undefined;
  const limits: unknown[] = [];
  for (const { ev, parsed } of events) {
    if (ev.introduced !== undefined) {
      if (ev.introduced === ZERO || cmp(version, parsed) >= 0) {
        affected = true;
        fixed = undefined;
      }
    } else if (ev.fixed !== undefined) {
      if (cmp(version, parsed) >= 0) affected = false;
      else if (affected && fixed === undefined) fixed = ev.fixed;
    } else if (ev.last_affected !== undefined) {
      if (cmp(version, parsed) > 0) affected = false;
    } else if (ev.limit !== undefined) {
      limits.push(parsed);
    }
  }
  if (affected && limits.length > 0 && !limits.some((l) => cmp(version, l) < 0)) affected = false;
  return affected ? { affected, ...(fixed ? { fixed } : {}) } : { affected };
}

/**
 * Whether a package version is affected by one OSV `affected` entry: listed in `versions`, or inside a
 * SEMVER/ECOSYSTEM range (GIT ranges need commits and are skipped). SEMVER ranges use `semverCache`.
 */
export function isAffected(
  entry: Pick<OsvAffected, "ranges" | "versions">,
  version: string,
  cache: VersionCache,
  semverCache: VersionCache,
): RangeVerdict {
  let result: RangeVerdict = { affected: false };
  const parsedEco = cache.get(version);
  for (const range of entry.ranges) {
    const c = range.type === "SEMVER" ? semverCache : range.type === "ECOSYSTEM" ? cache : undefined;
    if (!c) continue;
    const v = c === cache ? parsedEco : semverCache.get(version);
    if (v === undefined) continue;
    const r = evaluateRange(range, v, c);
    if (r.affected) {
      // With several ranges, prefer one that names a fix.
      if (!result.affected || (!result.fixed && r.fixed)) result = r;
    }
  }
  if (result.affected) return result;
  if (entry.versions.length > 0) {
    if (entry.versions.includes(version)) return { affected: true };
    // The same version spelled differently ("1.0" and "1.0.0" in PyPI) is the same version.
    const k = cache.key(version);
    if (k !== undefined && cache.listedKeys(entry).has(k)) return { affected: true };
  }
  return result;
}
