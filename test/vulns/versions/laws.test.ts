import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMES } from "../../../src/vulns/versions/index.js";
import { REPO } from "../helpers.js";

// A spread of real-looking versions per scheme; every triple must obey the laws of a total order.
const SAMPLES: Record<string, string[]> = {
  dpkg: [
    "1.0",
    "1.0~rc1",
    "1:0.9",
    "1.0-1",
    "1.0-1+deb12u1",
    "1.0+dfsg-2",
    "2.36-9+deb12u4",
    "0.9~",
    "1.0a",
    "1.0.0",
    "10",
    "1.01",
  ],
  rpm: [
    "1.0",
    "1.0~rc1",
    "1:0.9",
    "1.0-1.el9",
    "1.0^git1",
    "1.0.1",
    "1.0a",
    "2.0-1",
    "1.0-1.el9_2",
    "0:1.0",
    "1.0_1",
    "xyz",
  ],
  apk: [
    "1.0",
    "1.0-r1",
    "1.0_alpha",
    "1.0_rc2",
    "1.0_p1",
    "1.0a",
    "1.0.1",
    "1.01",
    "2.0_pre20200101",
    "0.9-r10",
    "1.0_git20200101",
    "10",
  ],
  semver: [
    "1.0.0",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-1",
    "1.0.0-beta.11",
    "1.0.0+b",
    "1.0.1",
    "2.0.0",
    "0.0.1",
    "1.0.0-rc.1",
    "1.2",
    "v3.0.0",
  ],
  go: [
    "1.0.0",
    "0.0.0-20200101000000-abcdefabcdef",
    "1.2.3-pre",
    "1.2.3+incompatible",
    "2.0.0",
    "1.0.0-rc.1",
    "1.2",
    "1.2.4-0.20200101000000-abcdefabcdef",
    "0.1.0",
    "1.22.4",
    "1.21.0-rc.2",
    "1",
  ],
  pep440: [
    "1.0",
    "1.0.dev0",
    "1.0a1",
    "1.0rc1",
    "1.0.post1",
    "1.0+local",
    "1!0.5",
    "1.0.0",
    "0.9",
    "1.0b2.post3",
    "1.1.dev1",
    "2.0",
  ],
  maven: [
    "1.0",
    "1.0-SNAPSHOT",
    "1.0-alpha-1",
    "1.0-rc1",
    "1.0.1",
    "1-sp",
    "1.0-xyz",
    "2.0.0.Final",
    "1.0.0.0",
    "1-1",
    "1.0a",
    "3.0.0-M1",
  ],
  rubygems: [
    "1.0",
    "1.0.a",
    "1.0.0",
    "1.0.b1",
    "1.0.rc1",
    "2.0",
    "0.9.9",
    "1.0.1",
    "1.0-1",
    "5.x",
    "1.a.b",
    "3.0.0.0",
  ],
  nuget: [
    "1.0.0",
    "1.0",
    "1.0.0.1",
    "1.0.0-beta",
    "1.0.0-BETA.2",
    "1.0.0-alpha",
    "2.0.0",
    "1.0.1",
    "1.0.0-rc.1",
    "0.9.0",
    "1.0.0+meta",
    "1.0.0-beta.11",
  ],
  generic: [
    "1.0",
    "1.0.0",
    "1.0-beta",
    "1.0.1",
    "2.0",
    "1.0RC1",
    "v1.1",
    "1.0-alpha2",
    "0.9",
    "10.0",
    "1.0.0.1",
    "1.0b",
  ],
};

describe("version scheme laws", () => {
  it("every scheme folder is registered and has samples", () => {
    const folders = readdirSync(join(REPO, "src/vulns/versions"), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    const ids = [...SCHEMES.values()].map((s) => s.id);
    expect(ids.length).toBe(folders.length);
    for (const id of ids) expect(Object.keys(SAMPLES)).toContain(id);
  });

  for (const [id, scheme] of SCHEMES) {
    it(`${id}: reflexive, antisymmetric, transitive, total`, () => {
      const parsed = SAMPLES[id]!.map((v) => scheme.parse(v));
      const c = (a: unknown, b: unknown) => Math.sign(scheme.compare(a, b)) || 0;
      for (const a of parsed) {
        expect(c(a, a)).toBe(0);
        for (const b of parsed) {
          expect(c(a, b)).toBe(-c(b, a) || 0);
          for (const x of parsed) {
            if (c(a, b) <= 0 && c(b, x) <= 0) expect(c(a, x)).toBeLessThanOrEqual(0);
            if (c(a, b) === 0 && c(b, x) === 0) expect(c(a, x)).toBe(0);
          }
        }
      }
    });
  }
});
