// PSS benchmark: evaluates every upstream conformance fixture (4,537 pods, each at its own level and
// version) ROUNDS times with evaluatePss, then runs the 19 scanner checks over the same pods through
// runChecks (one shared evaluation per object). Reports throughput and the cost per object.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { evaluatePss, PSS_CHECKS, type PssLevel, type PssPod } from "../src/config/pss/index.js";
import { runChecks } from "../src/core/engine.js";
import { objectFromData } from "../src/core/object.js";

const ROUNDS = 40;
const SCAN_ROUNDS = 10;

interface Fixture {
  level: PssLevel;
  version: string;
  data: Record<string, unknown>;
  pod: PssPod;
}

function load(root: string): Fixture[] {
  const out: Fixture[] = [];
  for (const level of ["baseline", "restricted"] as const) {
    for (const version of readdirSync(join(root, level))) {
      for (const kind of ["pass", "fail"]) {
        const dir = join(root, level, version, kind);
        for (const file of readdirSync(dir)) {
          if (!file.endsWith(".yaml")) continue;
          const data = parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
          const pod = {
            metadata: (data.metadata ?? {}) as PssPod["metadata"],
            spec: data.spec as PssPod["spec"],
          };
          out.push({ level, version, data, pod });
        }
      }
    }
  }
  return out;
}

export async function run(): Promise<Record<string, number | string>> {
  const root = resolve(process.cwd(), "../shared/conformance/pod-security/testdata");
  const fixtures = load(root);
  let denied = 0;
  // warm-up
  for (const f of fixtures) evaluatePss(f.pod, f.level, f.version);
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) {
    denied = 0;
    for (const f of fixtures) if (evaluatePss(f.pod, f.level, f.version).length > 0) denied++;
  }
  const evalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const evaluations = fixtures.length * ROUNDS;

  // Scanner path: 19 ObjectChecks per object at restricted/latest, fresh objects each round.
  let findings = 0;
  const t1 = process.hrtime.bigint();
  for (let r = 0; r < SCAN_ROUNDS; r++) {
    const objects = fixtures.map((f, i) => objectFromData({ ...f.data }, "fixture.yaml", i));
    findings = runChecks(PSS_CHECKS, {
      objects,
      options: { pssLevel: "restricted", pssVersion: "latest" },
    }).length;
  }
  const scanMs = Number(process.hrtime.bigint() - t1) / 1e6;
  const scanned = fixtures.length * SCAN_ROUNDS;

  return {
    fixtures: fixtures.length,
    "denied fixtures": denied,
    "pss fixtures/s": Math.round(evaluations / (evalMs / 1000)),
    "pss ms/object": Number((evalMs / evaluations).toFixed(5)),
    // CPU time of this process: steadier than wall time on a busy machine
    "pss cpu µs/object": Number(((cpu.user + cpu.system) / evaluations).toFixed(2)),
    "scanner (19 checks) objects/s": Math.round(scanned / (scanMs / 1000)),
    "scanner ms/object": Number((scanMs / scanned).toFixed(5)),
    "scanner findings per round": findings,
  };
}
