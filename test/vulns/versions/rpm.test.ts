import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareVersions } from "../../../src/vulns/versions/index.js";
import { rpm } from "../../../src/vulns/versions/rpm/index.js";
import { aptVersions, rng, sgn } from "../helpers.js";

const hasRpm = (() => {
  try {
    execFileSync("rpm", ["--version"]);
    return true;
  } catch {
    return false;
  }
})();

/** Oracle: rpm's own rpm.vercmp (EVR comparison), all pairs in one `rpm --eval` Lua loop. */
function oracle(pairs: Array<[string, string]>): number[] {
  const file = join(mkdtempSync(join(tmpdir(), "kw-rpm-")), "pairs.txt");
  writeFileSync(file, `${pairs.map((p) => `${p[0]} ${p[1]}`).join("\n")}\n`);
  const lua = `%{lua: for line in io.lines("${file}") do local a, b = line:match("^(%S+) (%S+)$"); print(rpm.vercmp(a, b) .. "\\n") end}`;
  return execFileSync("rpm", ["--eval", lua]).toString().trim().split("\n").map(Number);
}

describe("rpm versions", () => {
  it.runIf(hasRpm)("agrees with rpm.vercmp on 4,000 pairs (apt versions, plus ~ and ^ variants)", () => {
    const base = aptVersions()
      .filter((v) => /^[\w.+~:-]+$/.test(v))
      .sort();
    expect(base.length).toBeGreaterThan(1000);
    const r = rng(99);
    const pick = () => base[Math.floor(r() * base.length)]!;
    const variants = (v: string) => [v, `${v}~rc1`, `${v}^git1`, v.replace(/-[^-]*$/, ""), `${v}.1`, `${v}a`];
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < 1500; i++) pairs.push([pick(), pick()]);
    for (let i = 0; i < 1500; i++) {
      const k = Math.floor(r() * (base.length - 1));
      pairs.push([base[k]!, base[k + 1]!]);
    }
    for (let i = 0; i < 1000; i++) {
      const v = variants(pick());
      pairs.push([v[Math.floor(r() * v.length)]!, v[Math.floor(r() * v.length)]!]);
    }
    const want = oracle(pairs);
    expect(want.length).toBe(pairs.length);
    const wrong = pairs.filter((p, i) => sgn(compareVersions(rpm, p[0], p[1])) !== want[i]);
    expect(wrong).toEqual([]);
  });
});
