// Runs each benchmark in its own Node process (so peak RSS is its own) and prints the figures.
// Usage: npm run bench [-- NAME...]. Benchmarks print figures; they are not timed tests.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

type Figures = Record<string, number | string>;
type BenchModule = { run(): Promise<Figures> };

/** Every benchmark, by name. Add a module under bench/ and list it here. */
const BENCHMARKS: Record<string, () => Promise<BenchModule>> = {
  manifests: () => import("./manifests.js"),
  "manifests-pss": () => import("./manifests-pss.js"),
  "config-checks": () => import("./config-checks.js"),
  pss: () => import("./pss.js"),
  loader: () => import("./loader.js"),
  reporters: () => import("./reporters.js"),
  node: () => import("./node.js"),
  vulns: () => import("./vulns.js"),
  signing: () => import("./signing.js"),
  images: () => import("./images.js"),
  runtime: () => import("./runtime.js"),
  admission: () => import("./admission.js"),
};

async function runOne(name: string): Promise<void> {
  const load = BENCHMARKS[name];
  if (!load) throw new Error(`unknown benchmark ${name}`);
  const figures = await (await load()).run();
  figures["peak RSS MB"] = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

function runAll(names: string[]): void {
  const self = fileURLToPath(import.meta.url);
  let failed = 0;
  for (const name of names) {
    process.stdout.write(`\n== ${name}\n`);
    const child = spawnSync(process.execPath, ["--expose-gc", self, "--one", name], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
    });
    const last = child.stdout.trim().split("\n").pop() ?? "";
    if (child.status !== 0 || !last.startsWith("{")) {
      failed++;
      process.stdout.write(`  failed (exit ${child.status})\n${child.stdout}`);
      continue;
    }
    for (const [k, v] of Object.entries(JSON.parse(last) as Figures)) {
      process.stdout.write(`  ${k.padEnd(40)} ${typeof v === "number" ? v.toLocaleString("en-US") : v}\n`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

const args = process.argv.slice(2);
if (args[0] === "--one") {
  await runOne(args[1]!);
} else {
  runAll(args.length ? args : Object.keys(BENCHMARKS));
}
