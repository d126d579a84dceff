// scan manifests end to end (load, all checks, exceptions, report) on a generated corpus
// of 10,000 objects and on the upstream Pod Security fixtures.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { scanManifests } from "../src/config/scan.js";
import { writeCorpus } from "./corpus.js";

const PSS_FIXTURES = resolve("..", "shared", "conformance", "pod-security");

async function timeScan(target: string): Promise<{ ms: number; objects: number; findings: number }> {
  const t0 = performance.now();
  const report = await scanManifests([target], { pssLevel: "restricted", pssVersion: "latest" });
  const ms = performance.now() - t0;
  const objects =
    report.findings.length === 0
      ? 0
      : new Set(
          report.findings.map(
            (f) => `${f.location?.file}#${f.resource?.kind}/${f.resource?.namespace}/${f.resource?.name}`,
          ),
        ).size;
  return { ms, objects, findings: report.findings.length };
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), "kw-bench-manifests-"));
  try {
    const objects = writeCorpus(dir, 10_000);
    await timeScan(dir); // warm-up: JIT and file cache
    const corpus = await timeScan(dir);
    const pss = await timeScan(PSS_FIXTURES);
    const fixtureCount = 4537;
    return {
      "corpus objects": objects,
      "corpus findings": corpus.findings,
      "corpus scan ms": Math.round(corpus.ms),
      "corpus objects/s": Math.round((objects / corpus.ms) * 1000),
      "PSS fixtures scan ms": Math.round(pss.ms),
      "PSS fixtures objects/s": Math.round((fixtureCount / pss.ms) * 1000),
      "PSS fixtures ms/object": Number((pss.ms / fixtureCount).toFixed(4)),
      "speed-up vs 65 ms/object peer": Math.round(65 / (pss.ms / fixtureCount)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
