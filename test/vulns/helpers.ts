import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "../..");
export const SHARED = resolve(REPO, "../shared");
export const FIXTURES = join(here, "fixtures");

/** A small deterministic PRNG (mulberry32) so sampled pairs are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads "a OP b" lines (OP is <, >, = or ==); "#" starts a comment. */
export function parseVectors(text: string): Array<[string, string, number]> {
  const out: Array<[string, string, number]> = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    const m = /^(\S+)\s+(<|>|==?)\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`bad vector line: ${raw}`);
    out.push([m[1]!, m[3]!, m[2] === "<" ? -1 : m[2] === ">" ? 1 : 0]);
  }
  return out;
}

/** Binary and source versions from this machine's apt lists (or the dpkg status file). */
export function aptVersions(): string[] {
  const dir = "/var/lib/apt/lists";
  const seen = new Set<string>();
  const files = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith("_Packages") || f.endsWith("_Packages.lz4"))
    : [];
  const texts: string[] = [];
  for (const f of files) {
    const p = join(dir, f);
    texts.push(
      f.endsWith(".lz4")
        ? execFileSync("lz4cat", [p], { maxBuffer: 1 << 30 }).toString()
        : execFileSync("cat", [p], { maxBuffer: 1 << 30 }).toString(),
    );
  }
  if (texts.length === 0 && existsSync("/var/lib/dpkg/status"))
    texts.push(execFileSync("cat", ["/var/lib/dpkg/status"]).toString());
  for (const t of texts) {
    for (const m of t.matchAll(/^Version: (\S+)$/gm)) seen.add(m[1]!);
    for (const m of t.matchAll(/^Source: \S+ \((\S+)\)$/gm)) seen.add(m[1]!);
  }
  return [...seen];
}

export const sgn = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

export interface OsvJson {
  id: string;
  withdrawn?: string;
  affected: Array<{
    package: { ecosystem: string; name: string };
    ranges?: Array<{ type: string; events: Array<Record<string, string>> }>;
    versions?: string[];
  }>;
}

/** Every record of an OSV zip, read with Python's zipfile (independent of kubeward's reader). */
export function readZipRecords(zip: string): OsvJson[] {
  const script = `import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); print(json.dumps([json.loads(z.read(n)) for n in z.namelist()]))`;
  return JSON.parse(execFileSync("python3", ["-c", script, zip], { maxBuffer: 1 << 28 }).toString());
}

/**
 * Oracle for Go: which records affect which module versions, decided by npm's `semver` range engine
 * (Go's data lists introduced/fixed pairs in order, which become an npm range).
 */
export function goOracle(recs: OsvJson[], pkgs: Array<{ name: string; version: string }>): Set<string> {
  const req = createRequire(import.meta.url);
  const semver = req("semver") as { satisfies(v: string, r: string, o?: object): boolean };
  const want = new Set<string>();
  for (const rec of recs) {
    if (rec.withdrawn) continue;
    for (const a of rec.affected)
      for (const p of pkgs) {
        if (p.name !== a.package.name) continue;
        const v = p.version.replace(/^go|^v/, "");
        const hit = (a.ranges ?? []).some((rg) => {
          if (rg.type !== "SEMVER") return false;
          const parts: string[] = [];
          let lo: string | undefined;
          for (const e of rg.events) {
            if (e.introduced !== undefined) lo = e.introduced === "0" ? "0.0.0-0" : e.introduced;
            if (e.fixed !== undefined) {
              parts.push(`>=${lo} <${e.fixed}`);
              lo = undefined;
            }
          }
          if (lo !== undefined) parts.push(`>=${lo}`);
          return semver.satisfies(v, parts.join(" || "), { includePrerelease: true });
        });
        if (hit) want.add(`${rec.id} ${p.name}@${p.version}`);
      }
  }
  return want;
}
