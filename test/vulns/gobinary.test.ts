import { execFileSync } from "node:child_process";
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { VulnDb } from "../../src/vulns/db/store.js";
import { importPath } from "../../src/vulns/importers/index.js";
import type { VulnerabilityInfo } from "../../src/vulns/match/matcher.js";
import { scanFs } from "../../src/vulns/scan.js";
import { goBuild, hasGo } from "../helpers/go.js";
import { goOracle, readZipRecords, SHARED } from "./helpers.js";

const GO_ZIP = join(SHARED, "vulndb/osv/Go.zip");

/** What the Go toolchain itself says a binary contains: `go version -m` (modules after replacements). */
function goVersionM(bin: string): Array<{ name: string; version: string }> {
  const out = execFileSync("go", ["version", "-m", bin]).toString();
  const goVer = /^\S+: (go[\w.]+)/.exec(out)![1]!;
  const mods = new Map<string, string>();
  let last = "";
  for (const line of out.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[0] === "dep") {
      last = f[1]!;
      mods.set(last, f[2]!);
    } else if (f[0] === "=>" && f[2]) {
      mods.delete(last);
      mods.set(f[1]!, f[2]);
    }
  }
  return [...mods]
    .map(([name, version]) => ({ name, version }))
    .concat([{ name: "stdlib", version: goVer.replace(/^go/, "") }]);
}

let db: string;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "kw-gobin-"));
  db = join(dir, "db");
  const store = VulnDb.open(db, { create: true });
  await importPath(store, GO_ZIP, { now: new Date() });
  store.close();
});

function findingsOf(root: string) {
  const rep = scanFs(root, { dbPath: db, now: () => new Date("2026-11-27T00:00:00Z") });
  const got = new Set<string>();
  for (const f of rep.findings) {
    const v = f.vulnerability as VulnerabilityInfo;
    for (const s of v.sources) got.add(`${s} ${v.package.name}@${v.package.version}`);
  }
  return { rep, got: [...got].sort() };
}

describe("Go binaries in scan fs (real binaries, read by the image layer's Go cataloger)", () => {
  it.runIf(hasGo)("a binary built here: the stdlib of its toolchain against the Go data", () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-gobuild-"));
    const src = join(dir, "src");
    mkdirSync(src);
    writeFileSync(join(src, "go.mod"), "module example.com/hello\n\ngo 1.19\n");
    writeFileSync(
      join(src, "main.go"),
      'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n',
    );
    const root = join(dir, "root");
    mkdirSync(join(root, "usr/local/bin"), { recursive: true });
    const bin = join(root, "usr/local/bin/hello");
    goBuild(src, bin);
    const pkgs = goVersionM(bin);
    const want = goOracle(readZipRecords(GO_ZIP), pkgs);
    const { rep, got } = findingsOf(root);
    expect((rep.packages as Array<{ name: string }>).map((p) => p.name)).toContain("stdlib");
    expect(want.size).toBeGreaterThan(10);
    expect(got).toEqual([...want].sort());
  });

  it.runIf(hasGo)("kubectl from this machine: its modules and toolchain against the Go data", () => {
    let real: string;
    try {
      real = realpathSync(execFileSync("sh", ["-c", "command -v kubectl"]).toString().trim());
    } catch {
      return;
    }
    const root = mkdtempSync(join(tmpdir(), "kw-kubectl-"));
    mkdirSync(join(root, "usr/bin"), { recursive: true });
    const bin = join(root, "usr/bin/kubectl");
    try {
      linkSync(real, bin);
    } catch {
      copyFileSync(real, bin);
    }
    const pkgs = goVersionM(bin);
    expect(pkgs.length).toBeGreaterThan(20);
    const want = goOracle(readZipRecords(GO_ZIP), pkgs);
    const { got } = findingsOf(root);
    const g = new Set(got);
    expect({ missing: [...want].filter((x) => !g.has(x)), extra: got.filter((x) => !want.has(x)) }).toEqual({
      missing: [],
      extra: [],
    });
  });
});
