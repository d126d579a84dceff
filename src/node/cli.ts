import { basename } from "node:path";
import { Option } from "commander";
import { parse as parseYaml } from "yaml";
import { UsageError } from "../cli/errors.js";
import type { CommandRoots } from "../cli/layers.js";
import { addOutputOptions, emitReport, type OutputOptions } from "../cli/output.js";
import { FileRefusedError, readRegularFile } from "../core/files.js";
import { BenchmarkError, TARGETS, type Target } from "./benchmark.js";
import { BENCHMARK_FILES } from "./catalog.js";
import type { DetectOptions } from "./detect.js";
import { DISTRIBUTIONS, type Distribution, PATH_KEYS, type PathKey } from "./distributions.js";
import { nodeScanManifests } from "./job.js";
import { KUBE_BENCH_FILES, kubeBenchBenchmark } from "./kubebench.js";
import { fsHostReader } from "./reader.js";
import { NodeScanError, scanNode } from "./scan.js";

interface NodeCliOptions extends OutputOptions {
  root: string;
  benchmark: string;
  targets?: string;
  distribution?: string;
  pathsConfig?: string;
  kubernetesVersion?: string;
  host: boolean;
  printJob?: string | boolean;
  image?: string;
  namespace?: string;
  nodes?: string;
  kubeBenchConfig?: string;
}

export function registerNodeCommands({ scan }: CommandRoots): void {
  const cmd = scan
    .command("node")
    .description(
      "audit this node against the CIS Kubernetes Benchmark (sections 1-4) and host hardening checks",
    )
    .option("--root <dir>", "where the host's root file system is mounted (/host in a pod)", "/")
    .addOption(
      new Option("--benchmark <id>", "benchmark version, or auto to pick it from the Kubernetes version")
        .choices(["auto", ...BENCHMARK_FILES.keys()])
        .default("auto"),
    )
    .option(
      "--targets <list>",
      `comma-separated benchmark targets (${TARGETS.join(",")}); default: those that fit the node's roles`,
    )
    .addOption(new Option("--distribution <name>", "skip distribution detection").choices([...DISTRIBUTIONS]))
    .option(
      "--paths-config <file>",
      "YAML file overriding where components keep their files (see docs/node.md)",
    )
    .option("--kubernetes-version <v>", "skip version detection (e.g. 1.30.2)")
    .option("--no-host", "skip the host hardening checks")
    .option(
      "--print-job [kind]",
      "print manifests that run this scan on the cluster (job or daemonset) instead of scanning",
    )
    .option("--image <ref>", "container image for --print-job")
    .option("--namespace <ns>", "namespace for --print-job", "kubeward")
    .option("--nodes <n>", "for --print-job job: how many nodes to scan (one pod each)")
    .option(
      "--kube-bench-config <dir>",
      "run kube-bench controls files (master.yaml, node.yaml, ...) from DIR instead of a shipped benchmark",
    );
  addOutputOptions(cmd).action((opts: NodeCliOptions) => {
    if (opts.printJob !== undefined) {
      const kind = opts.printJob === true ? "job" : opts.printJob;
      if (kind !== "job" && kind !== "daemonset")
        throw new UsageError(`--print-job takes job or daemonset, got "${kind}"`);
      const passthrough = opts.benchmark !== "auto" ? ["--benchmark", opts.benchmark] : [];
      if (opts.targets) passthrough.push("--targets", opts.targets);
      const nodes = opts.nodes === undefined ? 1 : Number(opts.nodes);
      if (!Number.isInteger(nodes) || nodes < 1)
        throw new UsageError(`--nodes takes a positive integer, got "${opts.nodes}"`);
      process.stdout.write(
        nodeScanManifests({ kind, image: opts.image, namespace: opts.namespace, args: passthrough, nodes }),
      );
      return;
    }
    const targets = opts.targets ? parseTargets(opts.targets) : undefined;
    const detect: DetectOptions = {
      distribution: opts.distribution as Distribution | undefined,
      kubernetesVersion: opts.kubernetesVersion,
      paths: opts.pathsConfig ? readPathsConfig(opts.pathsConfig) : undefined,
    };
    try {
      const kb = opts.kubeBenchConfig ? readKubeBench(opts.kubeBenchConfig) : undefined;
      const { report } = scanNode({
        reader: fsHostReader(opts.root),
        benchmark: kb ? kb.id : opts.benchmark,
        benchmarks: kb ? new Map([[kb.id, kb]]) : undefined,
        targets,
        host: opts.host,
        detect,
        now: () => new Date(),
      });
      process.exitCode = emitReport(report, opts);
    } catch (e) {
      if (e instanceof NodeScanError) throw new UsageError(e.message, e.code);
      throw e;
    }
  });
}

export function parseTargets(list: string): Target[] {
  const out: Target[] = [];
  for (const raw of list.split(",")) {
    const t = raw.trim();
    if (!t) continue;
    if (!(TARGETS as readonly string[]).includes(t))
      throw new UsageError(`unknown target "${t}" (expected ${TARGETS.join(", ")})`, "unknown-target");
    out.push(t as Target);
  }
  return out;
}

/** Reads `paths: {key: path | [paths] | null}` from a YAML file; names the file and key on error. */
export function parsePathsConfig(
  file: string,
  text: string,
): Partial<Record<PathKey, readonly string[] | null>> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new UsageError(
      `${file}: YAML syntax: ${(e as Error).message.split("\n")[0]}`,
      "paths-config-invalid",
    );
  }
  const paths = (doc as { paths?: unknown } | null)?.paths;
  if (!paths || typeof paths !== "object" || Array.isArray(paths))
    throw new UsageError(`${file}: expected a "paths" mapping`, "paths-config-invalid");
  const out: Partial<Record<PathKey, readonly string[] | null>> = {};
  for (const [k, v] of Object.entries(paths)) {
    if (!(PATH_KEYS as readonly string[]).includes(k))
      throw new UsageError(
        `${file}: unknown path key "${k}" (expected ${PATH_KEYS.join(", ")})`,
        "paths-config-invalid",
      );
    if (v === null) out[k as PathKey] = null;
    else if (typeof v === "string") out[k as PathKey] = [v];
    else if (Array.isArray(v) && v.every((x) => typeof x === "string")) out[k as PathKey] = v;
    else
      throw new UsageError(`${file}: ${k} must be a path, a list of paths or null`, "paths-config-invalid");
  }
  return out;
}

/** Largest --paths-config or kube-bench control file read. */
const MAX_CONFIG_FILE_BYTES = 10 * 1024 * 1024;

function readPathsConfig(file: string) {
  let text: string;
  try {
    text = readRegularFile(file, MAX_CONFIG_FILE_BYTES).toString("utf8");
  } catch (e) {
    throw new UsageError(
      `cannot read --paths-config file ${file}: ${(e as Error).message}`,
      "paths-config-unreadable",
    );
  }
  return parsePathsConfig(file, text);
}

function readKubeBench(dir: string) {
  const files = new Map<string, string>();
  for (const f of KUBE_BENCH_FILES) {
    const path = `${dir}/${f}`;
    let text: string;
    try {
      text = readRegularFile(path, MAX_CONFIG_FILE_BYTES).toString("utf8");
    } catch (e) {
      // Absent files are fine: a version folder may lack some targets.
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      const why =
        e instanceof FileRefusedError
          ? `${path}: ${e.message}`
          : `cannot read ${path}: ${(e as Error).message}`;
      throw new UsageError(why, "kube-bench-unreadable");
    }
    files.set(f, text);
  }
  try {
    return kubeBenchBenchmark(`kube-bench:${basename(dir.replace(/\/+$/, ""))}`, files);
  } catch (e) {
    if (e instanceof BenchmarkError) throw new UsageError(e.message, e.code);
    throw e;
  }
}
