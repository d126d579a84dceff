import { parse as parseYaml } from "yaml";
import type { ScanError } from "../core/model.js";
import { loadKubeletConfig, loadProxyConfig } from "./configs.js";
import { COMPONENTS, type ComponentName } from "./defaults.js";
import { type Distribution, MANAGED, MARKERS, PATHS, type PathKey, type PathTable } from "./distributions.js";
import { parseFlags, shellWords, splitCmdline } from "./flags.js";
import { addK3sComponents } from "./k3s.js";
import type { HostReader } from "./reader.js";
import type { ComponentFacts, NodeFacts, ProcessInfo, ProcessSkips, Role } from "./types.js";
import { parseUnitExecStart } from "./units.js";

export interface DetectOptions {
  /** Force a distribution instead of guessing it from marker files. */
  distribution?: Distribution;
  /** Path overrides (from --paths-config): a key set to null marks the file as absent by design. */
  paths?: Partial<Record<PathKey, readonly string[] | null>>;
  /** Force the Kubernetes version (e.g. "1.30.2"). */
  kubernetesVersion?: string;
}

/** Process names (argv[0] base name, or "hyperkube X") that are Kubernetes components. */
const PROCESS_NAMES: Record<string, ComponentName> = {
  "kube-apiserver": "kube-apiserver",
  apiserver: "kube-apiserver",
  "kube-controller-manager": "kube-controller-manager",
  "controller-manager": "kube-controller-manager",
  "kube-scheduler": "kube-scheduler",
  scheduler: "kube-scheduler",
  etcd: "etcd",
  kubelet: "kubelet",
  "kube-proxy": "kube-proxy",
  proxy: "kube-proxy",
};

const OWNER_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(PROCESS_NAMES),
  "hyperkube",
  "k3s",
  "rke2",
  "kubelite",
]);

const MANIFEST_KEY: Partial<Record<ComponentName, PathKey>> = {
  "kube-apiserver": "apiserverManifest",
  "kube-controller-manager": "controllerManagerManifest",
  "kube-scheduler": "schedulerManifest",
  etcd: "etcdManifest",
};

/** Learns which components run on the node and with which settings. Reads only through `reader`. */
export function detectNode(reader: HostReader, opts: DetectOptions = {}): NodeFacts {
  const errors: ScanError[] = [];
  const processSkips: ProcessSkips = { vanished: 0, unreadable: [] };
  const processes = listProcesses(reader, processSkips);
  if (processSkips.unreadable.length > 0) {
    const pids = processSkips.unreadable;
    errors.push({
      file: "/proc",
      message: `${pids.length} process${pids.length === 1 ? "" : "es"} could not be read (PID ${pids.slice(0, 10).join(", ")}${pids.length > 10 ? ", ..." : ""}: /proc/PID/cmdline is not a readable file); components they run are not detected from their flags`,
      code: "proc-unreadable",
    });
  }
  const distribution = opts.distribution ?? detectDistribution(reader, processes);
  const paths: PathTable = { ...PATHS[distribution], ...opts.paths };
  const components: Partial<Record<ComponentName, ComponentFacts>> = {};

  // 1. Running processes: the effective settings.
  for (const p of processes) {
    const name = componentOf(p);
    if (!name || components[name]) continue;
    components[name] = {
      name,
      source: "process",
      where: `/proc/${p.pid}/cmdline`,
      pid: p.pid,
      uid: p.uid,
      argv: p.argv,
      flags: parseFlags(p.argv.slice(1)),
      env: name === "etcd" ? readEnviron(reader, p.pid) : {},
    };
  }
  // 2. k3s embeds every component in one process.
  if (distribution === "k3s") addK3sComponents(reader, processes, components, errors);
  // 3. Static pod manifests (or MicroK8s args files) for components whose process is not visible.
  for (const name of COMPONENTS) {
    const key = MANIFEST_KEY[name];
    if (!key) continue;
    const path = firstExisting(reader, paths[key]);
    if (!path) continue;
    const fromFile =
      distribution === "microk8s"
        ? argsFileComponent(reader, name, path)
        : manifestComponent(reader, name, path, errors);
    if (!fromFile) continue;
    const running = components[name];
    if (running) {
      running.editAt ??= path;
      running.image ??= fromFile.image;
    } else components[name] = fromFile;
  }
  // MicroK8s runs everything in kubelite; each component's flags sit in an args file.
  if (distribution === "microk8s") {
    for (const name of ["kubelet", "kube-proxy"] as const) {
      const path = `/var/snap/microk8s/current/args/${name}`;
      if (!components[name] && reader.stat(path)) {
        const c = argsFileComponent(reader, name, path);
        if (c) components[name] = c;
      }
    }
  }
  // 4. The kubelet from its systemd unit when its process is not visible.
  if (!components.kubelet) {
    const unit = firstExisting(reader, paths.kubeletService);
    if (unit) {
      const argv = parseUnitExecStart(reader, unit);
      if (argv && /kubelet$/.test(argv[0] ?? "")) {
        components.kubelet = {
          name: "kubelet",
          source: "unit-file",
          where: unit,
          editAt: unit,
          argv,
          flags: parseFlags(argv.slice(1)),
          env: {},
        };
      }
    }
  }
  if (components.kubelet) components.kubelet.editAt ??= firstExisting(reader, paths.kubeletService);

  const kubeletConfig = loadKubeletConfig(reader, components.kubelet, paths, errors);
  const proxyConfig = loadProxyConfig(reader, components["kube-proxy"], paths, errors);

  const roles: Role[] = [];
  if (components["kube-apiserver"] || components["kube-controller-manager"] || components["kube-scheduler"])
    roles.push("control-plane");
  if (components.etcd) roles.push("etcd");
  if (components.kubelet || MANAGED.has(distribution)) roles.push("worker");

  const facts: NodeFacts = {
    distribution,
    paths,
    components,
    kubeletConfig,
    proxyConfig,
    processes,
    processSkips,
    roles,
    users: readIdNames(reader, "/etc/passwd"),
    groups: readIdNames(reader, "/etc/group"),
    errors,
  };
  const v = opts.kubernetesVersion
    ? { version: opts.kubernetesVersion.replace(/^v/, ""), source: "option" }
    : detectVersion(reader, facts);
  if (v) {
    facts.kubernetesVersion = v.version;
    facts.versionSource = v.source;
  }
  return facts;
}

/**
 * The processes of /proc with their argv. A process that exits between the listing and the read is
 * counted in `skips.vanished` (normal on a busy node); one whose cmdline exists but cannot be read
 * as a file is listed in `skips.unreadable`. Kernel threads (empty cmdline) are left out.
 */
export function listProcesses(
  reader: HostReader,
  skips: ProcessSkips = { vanished: 0, unreadable: [] },
): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of reader.list("/proc") ?? []) {
    if (!/^\d+$/.test(entry)) continue;
    const raw = reader.readFile(`/proc/${entry}/cmdline`, 1024 * 1024);
    if (raw === undefined) {
      if (reader.stat(`/proc/${entry}`)) skips.unreadable.push(Number(entry));
      else skips.vanished++;
      continue;
    }
    // Processes that rewrite their title leave runs of NULs behind: drop the empty words.
    const argv = splitCmdline(raw).filter((a) => a !== "");
    if (argv.length === 0) continue;
    // Some programs rewrite their title into one space-separated string (k3s does).
    const words = argv.length === 1 && argv[0].includes(" ") ? argv[0].split(/\s+/).filter(Boolean) : argv;
    const name = baseName(words[0]);
    // The owner matters only for Kubernetes processes; skip /proc/<pid>/status for the rest.
    const status = OWNER_NAMES.has(name) ? reader.readFile(`/proc/${entry}/status`, 64 * 1024) : undefined;
    const uidMatch = status?.match(/^Uid:\s+(\d+)/m);
    out.push({
      pid: Number(entry),
      uid: uidMatch ? Number(uidMatch[1]) : undefined,
      argv: words,
      name,
    });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

function baseName(p: string): string {
  const i = p.lastIndexOf("/");
  return i >= 0 ? p.slice(i + 1) : p;
}

function componentOf(p: ProcessInfo): ComponentName | undefined {
  if (p.name === "hyperkube" && p.argv[1]) return PROCESS_NAMES[p.argv[1]];
  // Only exact binary names: "etcd" but not "etcdctl", "kubelet" but not "kubelet-wrapper".
  return Object.hasOwn(PROCESS_NAMES, p.name) &&
    !["apiserver", "scheduler", "controller-manager", "proxy"].includes(p.name)
    ? PROCESS_NAMES[p.name]
    : undefined;
}

export function detectDistribution(reader: HostReader, processes: readonly ProcessInfo[]): Distribution {
  for (const p of processes) {
    if (p.name === "k3s" || (p.name.startsWith("k3s-") && p.argv[0].includes("k3s"))) return "k3s";
    if (p.name === "rke2") return "rke2";
    if (p.name === "kubelite") return "microk8s";
  }
  for (const [dist, marker] of MARKERS) if (reader.stat(marker)) return dist;
  return "unknown";
}

export function firstExisting(
  reader: HostReader,
  candidates: readonly string[] | null | undefined,
): string | undefined {
  if (!candidates) return undefined;
  for (const c of candidates) if (reader.stat(c)) return c;
  return undefined;
}

function readEnviron(reader: HostReader, pid: number): Record<string, string> {
  const raw = reader.readFile(`/proc/${pid}/environ`, 1024 * 1024);
  const env: Record<string, string> = {};
  if (!raw) return env;
  for (const kv of raw.split("\0")) {
    const eq = kv.indexOf("=");
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return env;
}

class BinaryFileError extends Error {
  readonly code = "binary-file";
}

/**
 * Parses a host file as YAML, refusing binary content first: the YAML parser would read NUL bytes
 * and invalid UTF-8 (decoded as U+FFFD) as a key, so a corrupt config would pass as a harmless mapping.
 */
export function parseHostYaml(text: string): unknown {
  if (text.includes("\0") || text.includes("\uFFFD"))
    throw new BinaryFileError("not a text file (NUL bytes or invalid UTF-8)");
  return parseYaml(text);
}

/** A YAML parse failure of a host file: its first line, prefixed with the path. */
export function yamlSyntaxError(path: string, e: unknown): ScanError {
  const code = e instanceof BinaryFileError ? e.code : "yaml-syntax";
  return { file: path, code, message: `${path}: ${(e as Error).message.split("\n")[0]}` };
}

/** Reads a static pod manifest: the first container's command followed by its args, and its env. */
export function manifestComponent(
  reader: HostReader,
  name: ComponentName,
  path: string,
  errors: ScanError[],
): ComponentFacts | undefined {
  const text = reader.readFile(path);
  if (text === undefined) {
    errors.push({ file: path, code: "unreadable", message: `cannot read ${path}` });
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseHostYaml(text);
  } catch (e) {
    errors.push(yamlSyntaxError(path, e));
    return undefined;
  }
  const containers = (doc as { spec?: { containers?: unknown } } | null)?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    errors.push({
      file: path,
      code: "manifest-shape",
      message: `${path}: not a pod manifest with containers`,
    });
    return undefined;
  }
  const c = (containers.find((x) => (x as { name?: string })?.name === name) ?? containers[0]) as Record<
    string,
    unknown
  >;
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((s) => s !== null && s !== undefined).map(String) : [];
  const argv = [...strings(c.command), ...strings(c.args)];
  const env: Record<string, string> = {};
  if (Array.isArray(c.env)) {
    for (const e of c.env as Array<{ name?: unknown; value?: unknown }>) {
      if (typeof e?.name === "string" && e.value !== undefined) env[e.name] = String(e.value);
    }
  }
  return {
    name,
    source: "manifest",
    where: path,
    editAt: path,
    argv,
    flags: parseFlags(argv[0]?.startsWith("-") ? argv : argv.slice(1)),
    env,
    image: typeof c.image === "string" ? c.image : undefined,
  };
}

/** MicroK8s keeps one flag per line in /var/snap/microk8s/current/args/<component>. */
function argsFileComponent(
  reader: HostReader,
  name: ComponentName,
  path: string,
): ComponentFacts | undefined {
  const text = reader.readFile(path);
  if (text === undefined) return undefined;
  const argv = text
    .split("\n")
    .filter((l) => !l.trim().startsWith("#"))
    .flatMap((l) => shellWords(l));
  return { name, source: "manifest", where: path, editAt: path, argv, flags: parseFlags(argv), env: {} };
}

/** uid → name from the node's own /etc/passwd (or gid → name from /etc/group). */
function readIdNames(reader: HostReader, path: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of (reader.readFile(path) ?? "").split("\n")) {
    const f = line.split(":");
    if (f.length >= 3 && /^\d+$/.test(f[2]) && !out.has(Number(f[2]))) out.set(Number(f[2]), f[0]);
  }
  return out;
}

const VERSION_RE = /v?(\d+\.\d+\.\d+)/;

/** The Kubernetes version: image tags of the control-plane manifests, then the binaries' embedded gitVersion. */
function detectVersion(
  reader: HostReader,
  facts: NodeFacts,
): { version: string; source: string } | undefined {
  for (const name of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const) {
    const image = facts.components[name]?.image;
    const m = image?.match(/:v(\d+\.\d+\.\d+)/);
    if (m) return { version: m[1], source: `image ${image}` };
  }
  const binaries = new Set<string>();
  for (const p of facts.processes) {
    if (
      ["kubelet", "kube-apiserver", "k3s", "rke2", "kubelite", "hyperkube"].includes(p.name) &&
      p.argv[0].startsWith("/")
    )
      binaries.add(p.argv[0]);
  }
  for (const b of [
    "/usr/bin/kubelet",
    "/usr/local/bin/kubelet",
    "/usr/local/bin/k3s",
    "/usr/local/bin/rke2",
    "/snap/microk8s/current/kubelite",
  ])
    binaries.add(b);
  for (const bin of binaries) {
    const hit =
      reader.grep(bin, /gitVersion=v\d+\.\d+\.\d+[0-9A-Za-z.+-]*/) ??
      reader.grep(bin, /v1\.\d+\.\d+\+(?:k3s|rke2r)\d+/);
    const m = hit?.match(VERSION_RE);
    if (m) return { version: m[1], source: `binary ${bin}` };
  }
  return undefined;
}
