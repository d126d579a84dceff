import { existsSync } from "node:fs";
import { type Command, Option } from "commander";
import { UsageError } from "../cli/errors.js";
import type { CommandRoots } from "../cli/layers.js";
import { addOutputOptions, emitReport, type OutputOptions, validated } from "../cli/output.js";
import type { CheckMeta } from "../core/check.js";
import { FRAMEWORKS, type Framework } from "../core/compliance.js";
import { defaultIgnoreFiles, IGNORE_FILE_NAME } from "../core/exceptions.js";
import type { Finding, ScanError } from "../core/model.js";
import type { K8sObject } from "../core/object.js";
import { addVulnOptions, checkDbFreshness, type VulnCliOptions, vulnOpts } from "../vulns/index.js";
import { type ClusterImageOptions, DEFAULT_IMAGE_CONCURRENCY } from "./cluster-images.js";
import { parsePssLevel, parsePssVersion } from "./pss/index.js";
import { MANIFEST_CHECKS } from "./registry.js";
import { type ManifestScanOptions, scanManifests } from "./scan.js";

interface ManifestCliOptions extends OutputOptions {
  policy: string[];
  policyParams: string[];
  pssLevel: string;
  pssVersion: string;
  framework?: Framework;
  ignoreFile?: string;
}

export function registerConfigCommands({ scan }: CommandRoots): void {
  const cmd = scan
    .command("manifests")
    .description(
      "scan Kubernetes manifests (files, directories, Helm charts, Kustomize directories, - for stdin) for Pod Security, workload hardening, RBAC and network problems",
    )
    .argument("<targets...>", "files or directories to scan; - reads standard input");
  addCheckOptions(cmd, "in the current directory and in each directory target");
  addOutputOptions(cmd).action(async (targets: string[], opts: ManifestCliOptions) => {
    for (const t of targets) {
      if (t !== "-" && !existsSync(t))
        throw new UsageError(`cannot read target "${t}": no such file or directory`);
    }
    const { policyErrors, ...setup } = await checkSetup(opts, targets);
    const report = await scanManifests(targets, { ...setup, includePassed: opts.includePassed });
    report.errors.unshift(...policyErrors);
    process.exitCode = emitReport(report, opts, checkIndex());
  });
  registerClusterCommand(scan);
}

/** The options that choose and tune the checks, shared by `scan manifests` and `scan cluster`. */
function addCheckOptions(cmd: Command, ignoreDefault: string): Command {
  return cmd
    .addOption(
      new Option("--pss-level <level>", "Pod Security Standards level to enforce")
        .choices(["baseline", "restricted"])
        .default("restricted"),
    )
    .option("--pss-version <version>", "Pod Security Standards version: v1.0 ... v1.37 or latest", "latest")
    .addOption(
      new Option(
        "--framework <framework>",
        "only run the checks of one framework and print its compliance summary",
      ).choices(FRAMEWORKS),
    )
    .option(
      "--policy <file>",
      "ValidatingAdmissionPolicy and binding file, evaluated as at admission (repeatable)",
      collect,
      [],
    )
    .option(
      "--policy-params <file>",
      "param objects for --policy bindings with paramRef (repeatable)",
      collect,
      [],
    )
    .option(
      "--ignore-file <file>",
      `exceptions file (default: ${IGNORE_FILE_NAME} ${ignoreDefault}, if present)`,
    );
}

/** Validates the check options before anything is scanned; `dirs` are searched for default ignore files. */
async function checkSetup(
  opts: ManifestCliOptions,
  dirs: readonly string[],
): Promise<Omit<ManifestScanOptions, "includePassed"> & { policyErrors: ScanError[] }> {
  const pssLevel = parsePssLevel(opts.pssLevel);
  parsePssVersion(opts.pssVersion); // fails early with a clear message
  if (opts.ignoreFile && !existsSync(opts.ignoreFile)) {
    throw new UsageError(`cannot read ignore file "${opts.ignoreFile}": no such file`);
  }
  const ignoreFiles = opts.ignoreFile
    ? [opts.ignoreFile]
    : [...new Set([...defaultIgnoreFiles(["."]), ...defaultIgnoreFiles(dirs)])];
  const policies = opts.policy.length > 0 ? await loadPolicies(opts.policy, opts.policyParams) : undefined;
  return {
    ...(policies
      ? {
          policyFindings: policies.findings,
          policyFiles: { policies: opts.policy, params: opts.policyParams },
        }
      : {}),
    policyErrors: policies?.errors ?? [],
    pssLevel,
    pssVersion: opts.pssVersion,
    ...(opts.framework ? { framework: opts.framework } : {}),
    ignoreFiles,
  };
}

interface ClusterCliOptions extends ManifestCliOptions, VulnCliOptions {
  images?: boolean;
  platform?: string;
  dockerConfig?: string;
  insecureRegistry?: boolean;
  imageTimeout?: string;
  imageConcurrency?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  excludeNamespaces?: string;
  namespacePss?: boolean;
  requestTimeout: string;
  progress: boolean;
}

function registerClusterCommand(scan: Command): void {
  const cmd = scan
    .command("cluster")
    .description(
      "scan the objects of a live cluster through its API server with the checks of scan manifests (workloads, RBAC, network)",
    )
    .option(
      "--kubeconfig <file>",
      "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, the pod's service account)",
    )
    .option("--context <name>", "kubeconfig context to use (default: its current-context)")
    .option(
      "-n, --namespace <name>",
      "scan one namespace only (cluster-scoped kinds such as ClusterRoles are then not read)",
    )
    .option("-A, --all-namespaces", "scan every namespace (the default)")
    .option(
      "--exclude-namespaces <list>",
      "comma-separated namespaces to leave out, e.g. kube-system,kube-public (default: none)",
    )
    .option(
      "--namespace-pss",
      "evaluate each namespace at its pod-security.kubernetes.io/enforce level and version, as Pod Security Admission does (unlabelled namespaces: --pss-level/--pss-version)",
    )
    .option(
      "--request-timeout <duration>",
      "time limit of each API request: seconds, or a number with s, m or h; 0 for none",
      validated(parseDuration),
      "60s",
    );
  addCheckOptions(cmd, "in the current directory");
  cmd.option(
    "--images",
    "also report the vulnerabilities of the images the workloads run (pulls every distinct image: off by default)",
  );
  addVulnOptions(cmd)
    .option(
      "--platform <os/arch[/variant]>",
      "--images: platform picked from multi-platform images (default: linux/amd64)",
    )
    .option(
      "--docker-config <dir>",
      "--images: directory of the registry credentials' config.json (default: $DOCKER_CONFIG, ~/.docker)",
    )
    .option("--insecure-registry", "--images: allow plain HTTP to registries that are not on loopback")
    .option(
      "--image-timeout <duration>",
      "--images: time limit of each image (resolve, pull, match): seconds, or a number with s, m or h; 0 for none (default: 5m)",
      validated(parseDuration),
    )
    .option(
      "--image-concurrency <n>",
      `--images: images pulled at the same time, 1-16 (default: ${DEFAULT_IMAGE_CONCURRENCY})`,
      validated(parseConcurrency),
    );
  addOutputOptions(cmd)
    .option("--no-progress", "no progress line on stderr")
    .addHelpText(
      "after",
      `
Lists Namespaces, Pods, PodTemplates, ReplicationControllers, Services, ServiceAccounts, LimitRanges,
Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, Ingresses, NetworkPolicies, Roles,
RoleBindings, ClusterRoles, ClusterRoleBindings and Istio PeerAuthentications (never Secrets). Pods,
ReplicaSets and Jobs whose controller is scanned too are reported on that controller only. A type the
credentials may not list is named in the report's errors and the rest is scanned.

Examples:
  kubeward scan cluster                                   # current context, all namespaces
  kubeward scan cluster --context prod --exclude-namespaces kube-system,kube-public
  kubeward scan cluster -n shop --pss-level baseline -f sarif -o cluster.sarif
  kubeward scan cluster --namespace-pss --exit-code 1     # as each namespace's Pod Security label enforces
  kubeward scan cluster --framework cis --kubeconfig ./admin.conf
  kubeward scan cluster --images --db ./db --ignore-unfixed  # plus the vulnerabilities of every image run`,
    )
    .action(async (opts: ClusterCliOptions) => {
      if (opts.namespace !== undefined && opts.allNamespaces)
        throw new UsageError("--namespace and --all-namespaces exclude each other");
      if (opts.namespace === "") throw new UsageError("--namespace needs a namespace name");
      const excludeNamespaces = (opts.excludeNamespaces ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (opts.namespace !== undefined && excludeNamespaces.includes(opts.namespace))
        throw new UsageError(`--namespace ${opts.namespace} is also in --exclude-namespaces`);
      const images = imageSetup(opts);
      const { policyErrors, ...setup } = await checkSetup(opts, []);
      const { KubeApi, KubeConfigError } = await import("../core/kube-api.js");
      const { scanCluster, ClusterUnavailableError } = await import("./cluster.js");
      const progress = progressLine(opts.progress);
      try {
        const api = await KubeApi.connect({
          ...(opts.kubeconfig !== undefined ? { kubeconfig: opts.kubeconfig } : {}),
          ...(opts.context !== undefined ? { context: opts.context } : {}),
        });
        const report = await scanCluster(api, {
          ...setup,
          includePassed: opts.includePassed,
          ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
          excludeNamespaces,
          namespacePss: opts.namespacePss === true,
          request: { timeoutMs: parseDuration(opts.requestTimeout) },
          onProgress: progress.update,
          ...(images ? { images: { ...images, onProgress: progress.images } } : {}),
        });
        progress.stop();
        report.errors.unshift(...policyErrors);
        process.exitCode = emitReport(report, opts, checkIndex());
      } catch (err) {
        progress.stop();
        if (err instanceof KubeConfigError || err instanceof ClusterUnavailableError)
          throw new UsageError(err.message, "cluster");
        throw err;
      }
    });
}

/** The options of --images, checked (and the database found) before the cluster is read. */
function imageSetup(opts: ClusterCliOptions): ClusterImageOptions | undefined {
  if (!opts.images) {
    const given = (
      [
        ["--db", opts.db],
        ["--ignore-unfixed", opts.ignoreUnfixed],
        ["--vex", opts.vex?.length ? opts.vex : undefined],
        ["--platform", opts.platform],
        ["--docker-config", opts.dockerConfig],
        ["--insecure-registry", opts.insecureRegistry],
        ["--image-timeout", opts.imageTimeout],
        ["--image-concurrency", opts.imageConcurrency],
      ] as const
    ).filter(([, v]) => v !== undefined && v !== false);
    if (given.length > 0)
      throw new UsageError(`${given.map(([name]) => name).join(", ")} only apply with --images`);
    return undefined;
  }
  if (opts.dockerConfig !== undefined && !existsSync(opts.dockerConfig))
    throw new UsageError(`cannot read --docker-config "${opts.dockerConfig}": no such directory`);
  const vuln = vulnOpts(opts);
  checkDbFreshness(vuln.dbPath, vuln.now());
  return {
    vulns: { dbPath: vuln.dbPath, ignoreUnfixed: vuln.ignoreUnfixed, vexFiles: vuln.vexFiles },
    ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
    registry: {
      ...(opts.dockerConfig !== undefined ? { dockerConfigDir: opts.dockerConfig } : {}),
      ...(opts.insecureRegistry ? { insecure: true } : {}),
    },
    ...(opts.imageTimeout !== undefined ? { timeoutMs: parseDuration(opts.imageTimeout) } : {}),
    ...(opts.imageConcurrency !== undefined ? { concurrency: parseConcurrency(opts.imageConcurrency) } : {}),
  };
}

function parseConcurrency(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 16)
    throw new UsageError(`--image-concurrency takes a whole number from 1 to 16, got "${text}"`);
  return n;
}

/** "30", "30s", "2m", "1h" -> milliseconds. */
function parseDuration(text: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`a duration is seconds or a number with s, m or h, got "${text}"`);
  const unit = m[2] === "h" ? 3_600_000 : m[2] === "m" ? 60_000 : 1000;
  return Number(m[1]) * unit;
}

/** "listing pods (3/20)" on stderr while the lists come in, only on a terminal. */
function progressLine(enabled: boolean): {
  update: (done: number, total: number, resource: string) => void;
  images: (done: number, total: number) => void;
  stop: () => void;
} {
  if (!enabled || process.stderr.isTTY !== true)
    return { update: () => {}, images: () => {}, stop: () => {} };
  let shown = false;
  const show = (text: string) => {
    process.stderr.write(`\r\x1b[2K${text}`);
    shown = true;
  };
  return {
    update(done, total, resource) {
      show(resource ? `listing ${resource} (${done + 1}/${total})` : "checking");
    },
    images(done, total) {
      show(`scanning images (${done}/${total})`);
    },
    stop() {
      if (shown) process.stderr.write("\r\x1b[2K");
      shown = false;
    },
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * The admission layer's ValidatingAdmissionPolicy evaluator, so that CI and the cluster decide alike.
 * Loaded only when --policy is given: it brings the CEL runtime. A policy, binding or params file that
 * is partly bad is listed in the report's errors and the rest is evaluated; when not one policy or
 * binding can be loaded, --policy cannot do its job and the command stops (exit 2).
 */
async function loadPolicies(
  files: string[],
  paramFiles: string[],
): Promise<{ findings: (objects: readonly K8sObject[]) => Finding[]; errors: ScanError[] }> {
  for (const f of [...files, ...paramFiles]) {
    if (!existsSync(f)) throw new UsageError(`cannot read policy file "${f}": no such file`);
  }
  const { loadPoliciesKeepingGood, vapFindings } = await import("../admission/vap/index.js");
  const { loaded, params, problems } = await loadPoliciesKeepingGood(files, paramFiles);
  if (loaded.policies.length === 0 && loaded.bindings.length === 0)
    throw new UsageError(
      `no usable ValidatingAdmissionPolicy or binding in --policy files: ${problems.map((p) => p.message.replaceAll("\n", " ")).join("; ")}`,
    );
  return {
    findings: (objects) => vapFindings(objects, loaded, params),
    errors: problems.map((p) => ({ file: p.file, message: p.message, code: p.code })),
  };
}

function checkIndex(): ReadonlyMap<string, CheckMeta> {
  return new Map(MANIFEST_CHECKS.map((c) => [c.id, c]));
}
