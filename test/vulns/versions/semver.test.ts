import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareVersions, isValidVersion } from "../../../src/vulns/versions/index.js";
import { semver } from "../../../src/vulns/versions/semver/index.js";
import { rng, SHARED, sgn } from "../helpers.js";

// Oracle: npm's own `semver` package (present in node_modules as a dependency of our toolchain).
const require = createRequire(import.meta.url);
const npmSemver = require("semver") as {
  compare(a: string, b: string): number;
  valid(v: string): string | null;
};

/** SemVer versions named in the shared Go OSV data (OSV writes them without the "v"). */
function goDataVersions(): string[] {
  const script = `
import json, sys, zipfile
vs = set()
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        for a in json.loads(z.read(n)).get("affected", []):
            for r in a.get("ranges", []):
                for e in r.get("events", []):
                    vs.update(v for v in e.values() if v != "0")
print(json.dumps(sorted(vs)))`;
  return JSON.parse(execFileSync("python3", ["-c", script, join(SHARED, "vulndb/osv/Go.zip")]).toString());
}

describe("SemVer versions", () => {
  it("agrees with npm semver on 5,000 pairs of real versions", () => {
    const versions = goDataVersions().filter((v) => npmSemver.valid(v));
    versions.push(
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
    );
    versions.push("1.0.0-rc.1", "1.0.0", "1.0.0+build.5", "1.0.0-0", "1.0.0-a-b", "1.0.0-1a");
    expect(versions.length).toBeGreaterThan(1000);
    const r = rng(3);
    const wrong: unknown[] = [];
    for (let i = 0; i < 5000; i++) {
      const a = versions[Math.floor(r() * versions.length)]!;
      const b = versions[Math.floor(r() * versions.length)]!;
      if (sgn(compareVersions(semver, a, b)) !== npmSemver.compare(a, b)) wrong.push([a, b]);
    }
    expect(wrong).toEqual([]);
  });

  it("orders the SemVer 2.0.0 §11 example chain", () => {
    const chain = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
    ];
    for (let i = 1; i < chain.length; i++)
      expect(compareVersions(semver, chain[i - 1]!, chain[i]!)).toBeLessThan(0);
    expect(compareVersions(semver, "1.0.0+a", "1.0.0+b")).toBe(0);
  });

  it("rejects malformed versions", () => {
    for (const bad of ["", "1.0.0-", "1.0.0+", "a.b.c", "1.0.0-al_pha", "1.2.3.4"])
      expect(isValidVersion(semver, bad), bad).toBe(false);
  });
});
