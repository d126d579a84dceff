import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
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
