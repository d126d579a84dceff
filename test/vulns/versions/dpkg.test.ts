import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { dpkg } from "../../../src/vulns/versions/dpkg/index.js";
import { compareVersions, isValidVersion } from "../../../src/vulns/versions/index.js";
import { aptVersions, rng, sgn } from "../helpers.js";

/** Runs `dpkg --compare-versions` on every pair in one shell process; returns -1/0/1 per pair. */
function oracle(pairs: Array<[string, string]>): number[] {
  const script = `while read -r a b; do
  if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi
done`;
  const out = execFileSync("sh", ["-c", script], {
    input: `${pairs.map((p) => `${p[0]} ${p[1]}`).join("\n")}\n`,
  });
  return out.toString().trim().split("\n").map(Number);
}

const hasDpkg = (() => {
  try {
    execFileSync("dpkg", ["--version"]);
    return true;
  } catch {
    return false;
  }
})();

describe("dpkg versions", () => {
  it.runIf(hasDpkg)("agrees with dpkg --compare-versions on 2,500 pairs from the apt lists", () => {
    const versions = aptVersions().sort();
    expect(versions.length).toBeGreaterThan(1000);
    const r = rng(12);
    const pairs: Array<[string, string]> = [];
    const pick = () => versions[Math.floor(r() * versions.length)]!;
    // Random pairs, plus neighbours in text order (which share prefixes and differ in the interesting places).
    for (let i = 0; i < 1500; i++) pairs.push([pick(), pick()]);
    for (let i = 0; i < 1000; i++) {
      const k = Math.floor(r() * (versions.length - 1));
      pairs.push([versions[k]!, versions[k + 1]!]);
    }
    // Hand-made edge cases: tilde, epochs, leading zeros, revisions.
    const edges: Array<[string, string]> = [
      ["1.0~rc1", "1.0"],
      ["1.0~~", "1.0~"],
      ["1.0~", "1.0"],
      ["1.0", "1.0+"],
      ["1:1.0", "2.0"],
      ["0:1.0", "1.0"],
      ["1.0-1", "1.0-1~bpo1"],
      ["1.01", "1.1"],
      ["1.0a", "1.0+"],
      ["1.0-0", "1.0"],
      ["2.30-1+deb12u1", "2.30-1"],
      ["7.88.1-10+deb12u5", "7.88.1-10+deb12u12"],
      ["1.2.3-4ubuntu1", "1.2.3-4"],
      ["10", "9"],
      ["1.0.0", "1.0"],
    ];
    pairs.push(...edges);
    const want = oracle(pairs);
    const mismatches = pairs.filter((p, i) => sgn(compareVersions(dpkg, p[0], p[1])) !== want[i]);
    expect(mismatches).toEqual([]);
  });

  it("rejects malformed versions with code version-invalid", () => {
    for (const bad of ["", "a1.0", "1.0-", "x:1.0", "1.0 beta", "1.0-a_b", ":1.0"]) {
      expect(isValidVersion(dpkg, bad), bad).toBe(false);
      try {
        dpkg.parse(bad);
      } catch (e) {
        expect((e as { code: string }).code).toBe("version-invalid");
      }
    }
  });
});
