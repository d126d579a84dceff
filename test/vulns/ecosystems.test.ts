import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Package } from "../../src/core/model.js";
import { VulnDb } from "../../src/vulns/db/store.js";
import { walkTree } from "../../src/vulns/fswalk.js";
import { importPath } from "../../src/vulns/importers/index.js";
import { FS_CATALOGERS } from "../../src/vulns/lockfiles/index.js";
import { matchPackages, type VulnerabilityInfo } from "../../src/vulns/match/matcher.js";
import { goOracle, rng, SHARED } from "./helpers.js";

const require = createRequire(import.meta.url);
const npmSemver = require("semver") as {
  satisfies(v: string, r: string, o?: object): boolean;
  valid(v: string): string | null;
};

interface Rec {
  id: string;
  withdrawn?: string;
  affected: Array<{
    package: { ecosystem: string; name: string };
    ranges?: Array<{ type: string; events: Array<Record<string, string>> }>;
    versions?: string[];
  }>;
}

function readZip(zip: string): Rec[] {
  const script = `import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); print(json.dumps([json.loads(z.read(n)) for n in z.namelist()]))`;
  return JSON.parse(execFileSync("python3", ["-c", script, zip], { maxBuffer: 1 << 28 }).toString());
}

/** Pairs "record-id package@version" that a finding set covers (every merged source record counts). */
function covered(findings: ReturnType<typeof matchPackages>): string[] {
  const out = new Set<string>();
  for (const f of findings) {
    const v = f.vulnerability as VulnerabilityInfo;
    for (const s of v.sources) out.add(`${s} ${v.package.name}@${v.package.version}`);
  }
  return [...out].sort();
}

function diff(got: string[], want: Set<string>) {
  const g = new Set(got);
  return { missing: [...want].filter((x) => !g.has(x)).sort(), extra: got.filter((x) => !want.has(x)) };
}

let db: VulnDb;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "kw-eco-"));
  db = VulnDb.open(join(dir, "db"), { create: true });
  for (const z of ["osv/Go.zip", "osv/PyPI.zip"])
    await importPath(db, join(SHARED, "vulndb", z), { now: new Date("2026-11-27T00:00:00Z") });
});

describe("PyPI: a site-packages tree against the PyPI data", () => {
  it("finds exactly the records python packaging says apply to the installed versions", () => {
    const recs = readZip(join(SHARED, "vulndb/osv/PyPI.zip")).filter((r) => !r.withdrawn);
    // Every release the data knows of, per package (the union of the records' version lists).
    const releases = new Map<string, Set<string>>();
    for (const r of recs)
      for (const a of r.affected) {
        const s = releases.get(a.package.name) ?? new Set();
        for (const v of a.versions ?? []) s.add(v);
        releases.set(a.package.name, s);
      }
    const names = [...releases.keys()].filter((n) => releases.get(n)!.size > 0).sort();
    const r = rng(11);
    const picked = new Map<string, string>();
    while (picked.size < 60) {
      const n = names[Math.floor(r() * names.length)]!;
      const vs = [...releases.get(n)!].sort();
      picked.set(n, vs[Math.floor(r() * vs.length)]!);
    }
    const root = mkdtempSync(join(tmpdir(), "kw-site-"));
    const site = join(root, "usr/lib/python3.11/site-packages");
    for (const [n, v] of picked) {
      const d = join(site, `${n.replace(/-/g, "_")}-${v}.dist-info`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "METADATA"), `Metadata-Version: 2.1\nName: ${n}\nVersion: ${v}\n`);
    }
    const tree = walkTree(root, { catalogers: FS_CATALOGERS });
    expect(tree.errors).toEqual([]);
    expect(tree.packages.length).toBe(60);
    // Oracle: Python's packaging library decides; a record applies when its version list names the version
    // or one of its ECOSYSTEM ranges (OSV semantics, compared with packaging.version) contains it.
    const script = `import json, sys, zipfile
from packaging.version import Version, InvalidVersion
picked = json.loads(sys.argv[2])
out = []
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    r = json.loads(z.read(n))
    if r.get("withdrawn"): continue
    for a in r["affected"]:
        v = picked.get(a["package"]["name"])
        if v is None: continue
        hit = v in a.get("versions", [])
        for rg in a.get("ranges", []):
            if rg["type"] != "ECOSYSTEM" or hit: continue
            ev = sorted(rg["events"], key=lambda e: (0, Version("0")) if e.get("introduced") == "0" else (1, Version(list(e.values())[0])))
            aff = False
            for e in ev:
                if "introduced" in e and (e["introduced"] == "0" or Version(v) >= Version(e["introduced"])): aff = True
                elif "fixed" in e and Version(v) >= Version(e["fixed"]): aff = False
                elif "last_affected" in e and Version(v) > Version(e["last_affected"]): aff = False
            hit = hit or aff
        if hit: out.append(r["id"] + " " + a["package"]["name"] + "@" + v)
print(json.dumps(out))`;
    const want = new Set<string>(
      JSON.parse(
        execFileSync(
          "python3",
          ["-c", script, join(SHARED, "vulndb/osv/PyPI.zip"), JSON.stringify(Object.fromEntries(picked))],
          {
            maxBuffer: 1 << 26,
          },
        ).toString(),
      ),
    );
    const got = covered(matchPackages(db, tree.packages, undefined));
    expect(want.size).toBeGreaterThan(20);
    expect(diff(got, want)).toEqual({ missing: [], extra: [] });
  });
});

describe("Go: module and stdlib versions against the Go data", () => {
  it("agrees with npm semver's range engine on sampled modules (no Go toolchain here: package records as input)", () => {
    const recs = readZip(join(SHARED, "vulndb/osv/Go.zip")).filter((r) => !r.withdrawn);
    const byModule = new Map<string, Set<string>>();
    for (const rec of recs)
      for (const a of rec.affected)
        for (const rg of a.ranges ?? [])
          for (const e of rg.events) {
            const s = byModule.get(a.package.name) ?? new Set();
            for (const v of Object.values(e)) if (v !== "0" && npmSemver.valid(v)) s.add(v);
            byModule.set(a.package.name, s);
          }
    const modules = [...byModule.keys()].filter((m) => byModule.get(m)!.size > 0).sort();
    const r = rng(21);
    const pkgs: Package[] = [];
    const seen = new Set<string>();
    while (pkgs.length < 120) {
      const m = r() < 0.15 ? "stdlib" : modules[Math.floor(r() * modules.length)]!;
      // A toolchain is never a pre-release like "1.13.0-0" (Go's data uses those as range bounds only).
      const vs = [...byModule.get(m)!].filter((v) => m !== "stdlib" || !v.includes("-")).sort();
      const v = vs[Math.floor(r() * vs.length)]!;
      if (seen.has(`${m}@${v}`)) continue;
      seen.add(`${m}@${v}`);
      // Binaries record module versions with a "v"; the toolchain as "go1.x.y".
      pkgs.push({
        name: m,
        version: m === "stdlib" ? `go${v}` : `v${v}`,
        ecosystem: "Go",
        path: "usr/local/bin/app",
      });
    }
    // Go's data lists introduced/fixed pairs in order; the oracle turns them into npm semver ranges.
    const want = goOracle(recs, pkgs);
    const got = covered(matchPackages(db, pkgs, undefined));
    expect(want.size).toBeGreaterThan(30);
    expect(diff(got, want)).toEqual({ missing: [], extra: [] });
  });
});
