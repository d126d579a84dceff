// Node benchmark scan: time to detect and audit a kubeadm control plane, and detection
// cost on a node with many processes (/proc walk). Fixtures are real files in a temp dir.
import { performance } from "node:perf_hooks";
import { BENCHMARK_DIR, loadBenchmarks } from "../src/node/catalog.js";
import { detectNode } from "../src/node/detect.js";
import { fsHostReader } from "../src/node/reader.js";
import { scanNode } from "../src/node/scan.js";
import { kubeadmControlPlane } from "../test/node/fixtures.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function run(): Promise<Record<string, number | string>> {
  const t0 = performance.now();
  loadBenchmarks(BENCHMARK_DIR);
  const loadMs = performance.now() - t0;

  const root = kubeadmControlPlane();
  try {
    const reader = fsHostReader(root.dir);
    const now = () => new Date("2026-11-27T09:00:00Z");
    const scans: number[] = [];
    let checks = 0;
    for (let i = 0; i < 30; i++) {
      const s = performance.now();
      const { results } = scanNode({ reader, now });
      scans.push(performance.now() - s);
      checks = results.length;
    }
    // A busy node: 3,000 extra processes to walk in /proc.
    for (let pid = 10_000; pid < 13_000; pid++)
      root.proc(pid, ["/usr/bin/python3", "-m", "worker", `--id=${pid}`], 1000);
    const detects: number[] = [];
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      detectNode(reader);
      detects.push(performance.now() - s);
    }
    return {
      "benchmark files load+resolve ms": Math.round(loadMs * 10) / 10,
      "checks per scan": checks,
      "kubeadm control-plane scan ms (median of 30)": Math.round(median(scans) * 10) / 10,
      "detect with 3,006 processes ms (median of 5)": Math.round(median(detects) * 10) / 10,
    };
  } finally {
    root.remove();
  }
}
