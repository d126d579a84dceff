// Vulnerability database benchmark: import the shared OSV zips (records/s, DB size) and match a
// 5,000-package inventory built from real package names and versions in that data (packages/s).
// Targets: import ≥ 5,000 records/s; matching 5,000 packages < 1 s.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Package } from "../src/core/model.js";
import { VulnDb } from "../src/vulns/db/store.js";
import { importPath } from "../src/vulns/importers/index.js";
import { matchPackages } from "../src/vulns/match/matcher.js";

const SHARED = resolve(process.cwd(), "../shared/vulndb");

/** A deterministic inventory: names and versions taken from the imported records, plus the Debian rootfs packages. */
function inventory(db: VulnDb, size: number): Package[] {
  const rows = db.db
    .prepare(
      "SELECT eco_base, name, ranges, versions FROM affected WHERE eco_base IN ('Go', 'PyPI') ORDER BY vuln_id, name",
    )
    .all() as Array<{ eco_base: string; name: string; ranges: string; versions: string }>;
  const out: Package[] = [];
  const seen = new Set<string>();
  // Debian packages from the shared dpkg status (real binary and source names).
  for (const para of readFileSync(join(SHARED, "debian/bookworm-minbase.dpkg-status"), "utf8").split(
    /\n\n+/,
  )) {
    const name = /^Package: (.+)$/m.exec(para)?.[1];
    const version = /^Version: (.+)$/m.exec(para)?.[1];
    const src = /^Source: (\S+)/m.exec(para)?.[1];
    if (name && version)
      out.push({ name, version, ecosystem: "Debian", sourceName: src ?? name, sourceVersion: version });
  }
  // Per package: every version the data names, and the newest fix (what a maintained image would run).
  const byName = new Map<string, { eco: string; name: string; pool: string[]; newest?: string }>();
  for (const r of rows) {
    const key = `${r.eco_base}:${r.name}`;
    const e = byName.get(key) ?? { eco: r.eco_base, name: r.name, pool: [] };
    const events = (JSON.parse(r.ranges) as Array<{ events: Array<Record<string, string>> }>).flatMap(
      (g) => g.events,
    );
    for (const v of JSON.parse(r.versions) as string[]) e.pool.push(v);
    for (const ev of events) {
      for (const v of Object.values(ev)) if (v !== "0") e.pool.push(v);
      if (ev.fixed && (!e.newest || ev.fixed.localeCompare(e.newest, undefined, { numeric: true }) > 0))
        e.newest = ev.fixed;
    }
    byName.set(key, e);
  }
  const names = [...byName.values()].filter((e) => e.pool.length > 0);
  for (let i = 0; out.length < size && i < names.length * 8; i++) {
    const e = names[i % names.length]!;
    // Four in five at the newest fix, one in five at some version the advisories name.
    let version = i % 5 !== 0 && e.newest ? e.newest : e.pool[(i * 7919) % e.pool.length]!;
    let key = `${e.eco}:${e.name}@${version}`;
    if (seen.has(key)) {
      version = e.pool[(i * 31) % e.pool.length]!;
      key = `${e.eco}:${e.name}@${version}`;
      if (seen.has(key)) continue;
    }
    seen.add(key);
    out.push({ name: e.name, version: e.eco === "Go" ? `v${version}` : version, ecosystem: e.eco });
  }
  return out.slice(0, size);
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), "kw-bench-vulns-"));
  const dbPath = join(dir, "db");
  const db = VulnDb.open(dbPath, { create: true });
  let records = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const z of ["osv/Go.zip", "osv/PyPI.zip", "debian/Debian.zip"]) {
    const r = await importPath(db, join(SHARED, z), { now: new Date() });
    records += r.records;
  }
  const importMs = performance.now() - t0;
  const importCpu = process.cpuUsage(c0);
  const pkgs = inventory(db, 5000);
  db.close();
  const size = statSync(dbPath).size;
  const ro = VulnDb.open(dbPath, { readonly: true });
  // Warm-up run (statement preparation, JIT), then the measured one.
  matchPackages(ro, pkgs.slice(0, 200), { family: "debian", version: "12" });
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const findings = matchPackages(ro, pkgs, { family: "debian", version: "12" });
  const matchMs = performance.now() - t1;
  const cpu = process.cpuUsage(c1);
  ro.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    "import records": records,
    "import ms": Math.round(importMs),
    "import records/s": Math.round((records / importMs) * 1000),
    "import CPU ms": Math.round((importCpu.user + importCpu.system) / 1000),
    "db size MB": Math.round((size / 1048576) * 10) / 10,
    "match packages": pkgs.length,
    "match ms": Math.round(matchMs),
    "match packages/s": Math.round((pkgs.length / matchMs) * 1000),
    "match CPU ms": Math.round((cpu.user + cpu.system) / 1000),
    findings: findings.length,
    targets: "import >= 5000 records/s; 5000 packages < 1000 ms",
  };
}
