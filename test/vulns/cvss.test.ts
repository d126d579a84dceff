import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cvssScore } from "../../src/vulns/cvss/index.js";
import { scoreToSeverity } from "../../src/vulns/match/severity.js";
import { SHARED } from "./helpers.js";

// Worked examples from FIRST's CVSS v3.1 specification ("Examples" document) and NVD's published scores.
const V3: Array<[string, number]> = [
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1],
  ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4],
  ["CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1],
  ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9],
  ["CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2],
  ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8],
  ["CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8],
  ["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N", 6.8],
  ["CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8],
  ["CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:N/I:H/A:N", 7.4],
  ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0],
  ["CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8],
  ["CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10],
];
const V2: Array<[string, number]> = [
  ["AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5],
  ["AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3],
  ["AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2],
  ["AV:N/AC:L/Au:N/C:C/I:C/A:C", 10],
  ["AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8],
];

// CVSS v4.0 base scores as published for these vectors (FIRST calculator, NVD/GHSA advisories).
const V4: Array<[string, number]> = [
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10],
  ["CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.7],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 6.9],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 8.7],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", 8.7],
  ["CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.2],
  ["CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.2],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 5.1],
  ["CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 6.8],
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0],
  // Threat metrics do not change the base score.
  ["CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 9.3],
];

describe("CVSS base scores", () => {
  it.each(V4)("v4 %s = %s", (v, score) => expect(cvssScore(v)).toEqual({ version: "4.0", score }));
  it.each(V3)("v3 %s = %s", (v, score) => expect(cvssScore(v)?.score).toBe(score));
  it.each(V2)("v2 %s = %s", (v, score) => expect(cvssScore(v)?.score).toBe(score));

  it("rejects malformed vectors", () => {
    for (const bad of [
      "",
      "CVSS:3.1/AV:N",
      "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      "CVSS:9.9/AV:N",
    ])
      expect(cvssScore(bad), bad).toBeUndefined();
  });

  it("scores every CVSS vector in the shared OSV data", () => {
    const vectors = JSON.parse(
      execFileSync("python3", [
        "-c",
        `import json, sys, zipfile
out = []
for p in sys.argv[1:]:
    z = zipfile.ZipFile(p)
    for n in z.namelist():
        out += [s["score"] for s in json.loads(z.read(n)).get("severity", [])]
print(json.dumps(out))`,
        join(SHARED, "vulndb/osv/PyPI.zip"),
        join(SHARED, "vulndb/osv/Go.zip"),
      ]).toString(),
    ) as string[];
    expect(vectors.length).toBeGreaterThan(100);
    for (const v of vectors) {
      const s = cvssScore(v);
      expect(s, v).toBeDefined();
      expect(s!.score).toBeGreaterThanOrEqual(0);
      expect(s!.score).toBeLessThanOrEqual(10);
    }
  });

  it("maps scores to the qualitative scale", () => {
    expect([9.0, 7.0, 6.9, 4.0, 0.1, 0].map(scoreToSeverity)).toEqual([
      "critical",
      "high",
      "medium",
      "medium",
      "low",
      "info",
    ]);
  });
});
