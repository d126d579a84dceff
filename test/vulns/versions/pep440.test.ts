import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareVersions, isValidVersion } from "../../../src/vulns/versions/index.js";
import { pep440 } from "../../../src/vulns/versions/pep440/index.js";
import { SHARED, sgn } from "../helpers.js";

/**
 * Oracle: the `packaging` library (pip's own version logic). The script takes every version named in the
 * shared PyPI OSV data, samples pairs with a fixed seed, and prints packaging's verdict for each.
 */
const SCRIPT = `
import json, random, sys, zipfile
from packaging.version import Version, InvalidVersion
vs = set()
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        rec = json.loads(z.read(n))
        for a in rec.get("affected", []):
            vs.update(a.get("versions", []))
            for r in a.get("ranges", []):
                for e in r.get("events", []):
                    vs.update(v for k, v in e.items() if v != "0")
extra = ["1.0.dev0","1.0a1","1.0a1.post1","1.0b2","1.0rc1","1.0","1.0.post1","1.0.post1.dev3","1.0+local.7","1.0+local.abc","1.0+5",
         "1!0.5","v1.0","1.0-1","1.0_post2","1.0.RC1","1.0-preview2","1.0c3","1.0.0.0","1.0alpha","1.0.a.1","1.0-r4","2012.10",
         "1.0.dev","1.0+ubuntu-1","1.0+ubuntu.1","1.0+ubuntu_1a"]
vs.update(extra)
vs = sorted(vs)
rnd = random.Random(7)
pairs = [(rnd.choice(vs), rnd.choice(vs)) for _ in range(4000)] + [(a, b) for a in extra for b in extra]
out = {"invalid": [], "pairs": []}
for v in vs:
    try: Version(v)
    except InvalidVersion: out["invalid"].append(v)
bad = set(out["invalid"])
for a, b in pairs:
    if a in bad or b in bad: continue
    x, y = Version(a), Version(b)
    out["pairs"].append([a, b, -1 if x < y else (1 if x > y else 0)])
print(json.dumps(out))
`;

function hasPackaging(): boolean {
  try {
    execFileSync("python3", ["-c", "import packaging.version"]);
    return true;
  } catch {
    return false;
  }
}

describe("PEP 440 versions", () => {
  it.runIf(hasPackaging())("agrees with python packaging on pairs drawn from the PyPI OSV data", () => {
    const out = JSON.parse(
      execFileSync("python3", ["-c", SCRIPT, join(SHARED, "vulndb/osv/PyPI.zip")], {
        maxBuffer: 1 << 28,
      }).toString(),
    ) as { invalid: string[]; pairs: Array<[string, string, number]> };
    expect(out.pairs.length).toBeGreaterThan(3000);
    const wrong = out.pairs.filter(([a, b, want]) => sgn(compareVersions(pep440, a, b)) !== want);
    expect(wrong).toEqual([]);
    // Versions packaging rejects must be rejected here too.
    expect(out.invalid.filter((v) => isValidVersion(pep440, v))).toEqual([]);
  });

  it("rejects non-PEP 440 strings", () => {
    for (const bad of ["", "abc", "1.0-beta-2-x", "1..0", "1.0+", "1.0+ü"])
      expect(isValidVersion(pep440, bad), bad).toBe(false);
  });
});
