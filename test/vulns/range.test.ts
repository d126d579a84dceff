import { describe, expect, it } from "vitest";
import { evaluateRange, isAffected, VersionCache } from "../../src/vulns/osv/range.js";
import type { OsvEvent } from "../../src/vulns/osv/types.js";
import { SCHEMES } from "../../src/vulns/versions/index.js";

const semver = new VersionCache(SCHEMES.get("semver")!);
const pep = new VersionCache(SCHEMES.get("pep440")!);
const dpkg = new VersionCache(SCHEMES.get("dpkg")!);

function affected(events: OsvEvent[], v: string, cache = semver, type = "ECOSYSTEM") {
  return evaluateRange({ type, events }, cache.get(v), cache);
}

describe("OSV range evaluation", () => {
  it("introduced/fixed is a half-open interval", () => {
    const ev = [{ introduced: "1.0.0" }, { fixed: "1.2.0" }];
    expect(affected(ev, "0.9.0").affected).toBe(false);
    expect(affected(ev, "1.0.0")).toEqual({ affected: true, fixed: "1.2.0" });
    expect(affected(ev, "1.1.9").affected).toBe(true);
    expect(affected(ev, "1.2.0").affected).toBe(false);
  });

  it("introduced 0 means from the very first version", () => {
    expect(affected([{ introduced: "0" }, { fixed: "1.0.0" }], "0.0.1").affected).toBe(true);
    expect(affected([{ introduced: "0" }], "99.0.0")).toEqual({ affected: true });
  });

  it("last_affected is inclusive", () => {
    const ev = [{ introduced: "1.0.0" }, { last_affected: "1.4.0" }];
    expect(affected(ev, "1.4.0").affected).toBe(true);
    expect(affected(ev, "1.4.1").affected).toBe(false);
  });

  it("several intervals in one range, events in any order", () => {
    const ev = [{ fixed: "2.1.0" }, { introduced: "2.0.0" }, { fixed: "1.5.0" }, { introduced: "1.0.0" }];
    expect(affected(ev, "1.4.0")).toEqual({ affected: true, fixed: "1.5.0" });
    expect(affected(ev, "1.7.0").affected).toBe(false);
    expect(affected(ev, "2.0.5")).toEqual({ affected: true, fixed: "2.1.0" });
    expect(affected(ev, "3.0.0").affected).toBe(false);
  });

  it("limit caps the range", () => {
    const ev = [{ introduced: "0" }, { limit: "2.0.0" }];
    expect(affected(ev, "1.9.9").affected).toBe(true);
    expect(affected(ev, "2.0.0").affected).toBe(false);
  });

  it("compares in the ecosystem's own order (PEP 440 pre-releases, dpkg tildes)", () => {
    expect(affected([{ introduced: "0" }, { fixed: "2.0" }], "2.0rc1", pep).affected).toBe(true);
    expect(affected([{ introduced: "0" }, { fixed: "2.0" }], "2.0.post1", pep).affected).toBe(false);
    expect(affected([{ introduced: "0" }, { fixed: "1.0-1" }], "1.0~rc1-1", dpkg).affected).toBe(true);
    expect(affected([{ introduced: "0" }, { fixed: "1:0.5-1" }], "2.0-1", dpkg).affected).toBe(true);
  });

  it("explicit versions lists match exactly (or equal versions of the scheme)", () => {
    const entry = { ranges: [], versions: ["1.0", "1.1"] };
    expect(isAffected(entry, "1.1", pep, semver).affected).toBe(true);
    expect(isAffected(entry, "1.1.0", pep, semver).affected).toBe(true);
    expect(isAffected(entry, "1.2", pep, semver).affected).toBe(false);
  });

  it("SEMVER ranges use SemVer even in other ecosystems; GIT ranges are skipped", () => {
    const entry = {
      ranges: [
        { type: "GIT", events: [{ introduced: "0" }, { fixed: "abc123" }] },
        { type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.2.3" }] },
      ],
      versions: [],
    };
    expect(isAffected(entry, "1.2.2", pep, semver)).toEqual({ affected: true, fixed: "1.2.3" });
    expect(isAffected(entry, "1.2.3", pep, semver).affected).toBe(false);
  });

  it("ignores events whose versions do not parse instead of failing", () => {
    expect(affected([{ introduced: "0" }, { fixed: "not a version!" }], "1.0.0")).toEqual({ affected: true });
  });
});
