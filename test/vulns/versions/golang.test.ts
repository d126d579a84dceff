import { describe, expect, it } from "vitest";
import { golang, goToolchainToSemver } from "../../../src/vulns/versions/golang/index.js";
import { compareVersions, isValidVersion } from "../../../src/vulns/versions/index.js";

// Go is not installed here, so golang.org/x/mod/semver's own test table (semver_test.go) is the reference:
// invalid versions first, then valid ones in increasing order; [v, canonical] pairs that share a canonical form are equal.
const INVALID = [
  "bad",
  "v1-alpha.beta.gamma",
  "v1-pre",
  "v1+meta",
  "v1-pre+meta",
  "v1.2-pre",
  "v1.2+meta",
  "v1.2-pre+meta",
  "v1.2.3.4",
  "v01.2.3",
  "v1.02.3",
  "v1.2.03",
  "v1.2.3-01",
  "v1.2.3-",
  "v1.2.3+",
];
const ORDERED: Array<[string, string]> = [
  ["v0.0.0-20180713131340-b395d2d6f5ee", "v0.0.0-20180713131340-b395d2d6f5ee"],
  ["v1.0.0-alpha", "v1.0.0-alpha"],
  ["v1.0.0-alpha.1", "v1.0.0-alpha.1"],
  ["v1.0.0-alpha.beta", "v1.0.0-alpha.beta"],
  ["v1.0.0-beta", "v1.0.0-beta"],
  ["v1.0.0-beta.2", "v1.0.0-beta.2"],
  ["v1.0.0-beta.11", "v1.0.0-beta.11"],
  ["v1.0.0-rc.1", "v1.0.0-rc.1"],
  ["v1", "v1.0.0"],
  ["v1.0", "v1.0.0"],
  ["v1.0.0", "v1.0.0"],
  ["v1.2", "v1.2.0"],
  ["v1.2.0", "v1.2.0"],
  ["v1.2.3-456", "v1.2.3-456"],
  ["v1.2.3-456.789", "v1.2.3-456.789"],
  ["v1.2.3-456-789", "v1.2.3-456-789"],
  ["v1.2.3-456a", "v1.2.3-456a"],
  ["v1.2.3-pre", "v1.2.3-pre"],
  ["v1.2.3-pre+meta", "v1.2.3-pre"],
  ["v1.2.3-pre.1", "v1.2.3-pre.1"],
  ["v1.2.3-zzz", "v1.2.3-zzz"],
  ["v1.2.3", "v1.2.3"],
  ["v1.2.3+meta", "v1.2.3"],
  ["v1.2.3+meta-pre", "v1.2.3"],
  ["v1.2.3+meta-pre.sha.256a", "v1.2.3"],
  ["v2.0.0+incompatible", "v2.0.0"],
  ["v2.0.1-0.20190101000000-abcdefabcdef+incompatible", "v2.0.1-0.20190101000000-abcdefabcdef"],
  ["v2.0.1", "v2.0.1"],
];

describe("Go module versions", () => {
  it("rejects what x/mod/semver calls invalid", () => {
    for (const v of INVALID) expect(isValidVersion(golang, v), v).toBe(false);
  });

  it("orders the x/mod/semver table, equal where the canonical forms are equal", () => {
    for (let i = 0; i < ORDERED.length; i++) {
      for (let j = 0; j < ORDERED.length; j++) {
        const [a, ca] = ORDERED[i]!;
        const [b, cb] = ORDERED[j]!;
        const want = ca === cb ? 0 : i < j ? -1 : 1;
        expect(Math.sign(compareVersions(golang, a, b)), `${a} vs ${b}`).toBe(want);
      }
    }
  });

  it("accepts OSV's spelling without the v and orders pseudo-versions before their base release", () => {
    expect(compareVersions(golang, "0.0.0-20230101000000-abcdef123456", "0.1.0")).toBeLessThan(0);
    expect(compareVersions(golang, "1.2.4-0.20230101000000-abcdef123456", "1.2.3")).toBeGreaterThan(0);
    expect(compareVersions(golang, "1.2.4-0.20230101000000-abcdef123456", "1.2.4")).toBeLessThan(0);
  });

  it("maps Go toolchain versions to OSV's stdlib versions", () => {
    expect(goToolchainToSemver("go1.22.4")).toBe("1.22.4");
    expect(goToolchainToSemver("go1.20")).toBe("1.20.0");
    expect(goToolchainToSemver("go1.21rc2")).toBe("1.21.0-rc.2");
    expect(goToolchainToSemver("devel +abc")).toBeUndefined();
  });
});
