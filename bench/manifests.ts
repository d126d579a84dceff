// scan manifests end to end (load, every check, exceptions, report) on a generated corpus of
// 10,000 objects. Reports the first (cold, as a CLI run) and a second (warm) scan, wall and CPU.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanManifests } from "../src/config/scan.js";
import { writeCorpus } from "./corpus.js";

export interface ScanTiming {
  wallMs: number;
  cpuMs: number;
  findings: number;
}

export async function timeScan(target: string): Promise<ScanTiming> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await scanManifests([target], { pssLevel: "restricted", pssVersion: "latest" });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, findings: report.findings.length };
}

export function figures(prefix: string, objects: number, t: ScanTiming): Record<string, number> {
  return {
    [`${prefix} wall ms`]: Math.round(t.wallMs),
    [`${prefix} objects/s (wall)`]: Math.round((objects / t.wallMs) * 1000),
    [`${prefix} objects/s (CPU)`]: Math.round((objects / t.cpuMs) * 1000),
    [`${prefix} ms/object (wall)`]: Number((t.wallMs / objects).toFixed(4)),
  };
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), "kw-bench-manifests-"));
  try {
    const objects = writeCorpus(dir, 10_000);
    const cold = await timeScan(dir);
    globalThis.gc?.();
    const warm = await timeScan(dir);
    return {
      objects,
      findings: cold.findings,
      ...figures("cold", objects, cold),
      ...figures("warm", objects, warm),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
