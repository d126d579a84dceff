import { readFileSync } from "node:fs";
import { packageFile } from "../core/paths.js";
import { type Benchmark, BenchmarkError, parseBenchmark, resolveBenchmarks } from "./benchmark.js";

/** Every benchmark version kubeward ships, by id → file in src/node/benchmarks/. Adding a version is adding a line and a file. */
export const BENCHMARK_FILES: ReadonlyMap<string, string> = new Map([
  ["cis-1.9", "cis-1.9.yaml"],
  ["cis-1.10", "cis-1.10.yaml"],
  ["cis-1.11", "cis-1.11.yaml"],
  ["cis-1.12", "cis-1.12.yaml"],
]);

/** The data files stay in src/ (tsc does not copy YAML); found from the package root wherever the code runs. */
export const BENCHMARK_DIR = packageFile("src", "node", "benchmarks");

let cache: Map<string, Benchmark> | undefined;

/** Loads and resolves every shipped benchmark (once per process). Throws BenchmarkError on a bad file. */
export function loadBenchmarks(dir = BENCHMARK_DIR): Map<string, Benchmark> {
  if (cache && dir === BENCHMARK_DIR) return cache;
  const raws = new Map<string, ReturnType<typeof parseBenchmark>>();
  for (const [id, file] of BENCHMARK_FILES) {
    let text: string;
    try {
      text = readFileSync(`${dir}/${file}`, "utf8");
    } catch {
      throw new BenchmarkError(file, `benchmark file is missing from ${dir}`);
    }
    const raw = parseBenchmark(file, text);
    if (raw.id !== id) throw new BenchmarkError(file, `declares id "${raw.id}" but is registered as "${id}"`);
    raws.set(id, raw);
  }
  const out = resolveBenchmarks(raws);
  if (dir === BENCHMARK_DIR) cache = out;
  return out;
}

/**
 * The benchmark for a Kubernetes version: the one listing its minor version; below the
 * oldest → the oldest, above the newest → the newest. Unknown version → the newest.
 */
export function benchmarkForVersion(
  benchmarks: ReadonlyMap<string, Benchmark>,
  version: string | undefined,
): string {
  const all = [...benchmarks.values()];
  const minorOf = (v: string) => Number(v.split(".")[1]);
  const newest = all.reduce((a, b) => (maxMinor(b) > maxMinor(a) ? b : a));
  if (!version) return newest.id;
  const m = version.match(/^v?(\d+)\.(\d+)/);
  if (!m) return newest.id;
  const minor = `${m[1]}.${m[2]}`;
  const exact = all.find((b) => b.kubernetes.includes(minor));
  if (exact) return exact.id;
  const oldest = all.reduce((a, b) => (minMinor(b) < minMinor(a) ? b : a));
  return minorOf(minor) < minMinor(oldest) ? oldest.id : newest.id;

  function maxMinor(b: Benchmark) {
    return Math.max(...b.kubernetes.map(minorOf));
  }
  function minMinor(b: Benchmark) {
    return Math.min(...b.kubernetes.map(minorOf));
  }
}
