import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { apk, compareApkLoose } from "../../../src/vulns/versions/apk/index.js";
import { compareVersions } from "../../../src/vulns/versions/index.js";
import { nuget } from "../../../src/vulns/versions/nuget/index.js";
import { rpm } from "../../../src/vulns/versions/rpm/index.js";
import { rubygems } from "../../../src/vulns/versions/rubygems/index.js";
import type { VersionScheme } from "../../../src/vulns/versions/scheme.js";
import { FIXTURES, parseVectors, sgn } from "../helpers.js";

// Schemes without a runnable oracle here are held to upstream's own published test vectors.
// apk-tools compares even versions it would not accept (its vectors include some), so apk uses the loose form.
const viaScheme = (s: VersionScheme<unknown>) => (a: string, b: string) => compareVersions(s, a, b);
const CASES: Array<[string, (a: string, b: string) => number]> = [
  ["rpm", viaScheme(rpm)],
  ["apk", compareApkLoose],
  ["rubygems", viaScheme(rubygems)],
  ["nuget", viaScheme(nuget)],
];

describe.each(CASES)("%s published vectors", (file, compare) => {
  const vectors = parseVectors(readFileSync(join(FIXTURES, "versions", `${file}.vectors`), "utf8"));
  it(`passes all ${vectors.length} vectors both ways`, () => {
    const wrong = vectors.filter(
      ([a, b, want]) => sgn(compare(a, b)) !== want || sgn(compare(b, a)) !== -want,
    );
    expect(wrong).toEqual([]);
  });
});

describe("rpm EVR", () => {
  it("compares epoch first, then version, then release", () => {
    expect(compareVersions(rpm, "1:1.0-1", "2.0-1")).toBeGreaterThan(0);
    expect(compareVersions(rpm, "0:1.0-1.el9", "1.0-1.el9")).toBe(0);
    expect(compareVersions(rpm, "1.0-1.el9", "1.0-1.el9_2")).toBeLessThan(0);
    expect(compareVersions(rpm, "3.0.7-24.el9", "3.0.7-25.el9")).toBeLessThan(0);
  });
});

describe("apk validity", () => {
  it("rejects versions apk-tools does not accept", () => {
    for (const bad of ["", "1.0_foo", "1.0bc", "1.0-x"]) expect(() => apk.parse(bad), bad).toThrow(/invalid/);
  });
});
