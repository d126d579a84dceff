// scan manifests end to end over the 4,537 upstream Pod Security fixtures (one small file each).
// The peer figure to beat: about 65 ms per object for a widely used scanner; kubeward must be 100x faster.
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { figures, timeScan } from "./manifests.js";

const FIXTURES = resolve("..", "shared", "conformance", "pod-security");
const PEER_MS_PER_OBJECT = 65;

function countYaml(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += countYaml(join(dir, e.name));
    else if (e.name.endsWith(".yaml") && e.name !== "README.md") n++;
  }
  return n;
}

export async function run(): Promise<Record<string, number | string>> {
  const objects = countYaml(FIXTURES);
  const cold = await timeScan(FIXTURES);
  globalThis.gc?.();
  const warm = await timeScan(FIXTURES);
  return {
    fixtures: objects,
    findings: cold.findings,
    ...figures("cold", objects, cold),
    ...figures("warm", objects, warm),
    "speed-up vs peer (cold)": Math.round(PEER_MS_PER_OBJECT / (cold.wallMs / objects)),
    "speed-up vs peer (warm)": Math.round(PEER_MS_PER_OBJECT / (warm.wallMs / objects)),
  };
}
