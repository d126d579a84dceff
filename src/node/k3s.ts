// k3s: components embedded in one process, configured through /etc/rancher/k3s/config.yaml.
import type { ScanError } from "../core/model.js";
import { isRecord } from "../core/object.js";
import type { ComponentName } from "./defaults.js";
import { firstExisting, parseHostYaml, yamlSyntaxError } from "./detect.js";
import {
  K3S_DEFAULT_ARGS,
  K3S_ETCD_APISERVER_ARGS,
  K3S_KUBELET_CONFIG_DIR,
  K3S_KUBELET_DROPIN_ARGS,
  K3S_TLS_CIPHER_SUITES,
  K3S_UNITS,
} from "./distributions.js";
import { lastValue, parseFlags } from "./flags.js";
import type { HostReader } from "./reader.js";
import type { ComponentFacts, ProcessInfo } from "./types.js";
import { parseUnitExecStart } from "./units.js";

export const K3S_CONFIG_FILE = "/etc/rancher/k3s/config.yaml";

export interface K3sConfig {
  /** Option name (without any trailing "+") → value, after every file is applied. */
  values: Record<string, unknown>;
  /** Files read, in the order applied. */
  files: string[];
}

/**
 * Reads a k3s config file and its `<file>.d/` drop-ins as k3s does: the main file first (it may
 * be absent), then every `*.yaml`/`*.yml` drop-in (any case, directories ignored) in name order.
 * A later file replaces an option, except that `key+:` appends to a value an earlier file set
 * (a scalar then becomes a list); `key+:` with nothing before simply sets it.
 */
export function loadK3sConfig(reader: HostReader, path: string, errors: ScanError[]): K3sConfig {
  const dropinDir = `${path}.d`;
  const dropins = (reader.list(dropinDir) ?? [])
    .filter((f) => /\.ya?ml$/i.test(f) && reader.stat(`${dropinDir}/${f}`)?.isDirectory === false)
    .map((f) => `${dropinDir}/${f}`);
  const values: Record<string, unknown> = {};
  const files: string[] = [];
  for (const file of [path, ...dropins]) {
    const text = reader.readFile(file);
    if (text === undefined) continue;
    files.push(file);
    let doc: unknown;
    try {
      doc = parseHostYaml(text);
    } catch (e) {
      errors.push(yamlSyntaxError(file, e));
      continue;
    }
    if (doc === null || doc === undefined) continue;
    if (!isRecord(doc)) {
      errors.push({ file, code: "config-shape", message: `${file}: expected a mapping of k3s options` });
      continue;
    }
    for (const [rawKey, v] of Object.entries(doc)) {
      const append = rawKey.endsWith("+");
      const key = append ? rawKey.slice(0, -1) : rawKey;
      values[key] = append && key in values ? [...asList(values[key]), ...asList(v)] : v;
    }
  }
  return { values, files };
}

/** A config value as the list k3s turns it into when appending. */
function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return [v];
  const s = v === null || v === undefined ? "" : String(v).trim();
  return s === "" ? [] : [s];
}

/**
 * k3s runs every component in one process and logs its flags instead of showing them: start
 * from the arguments k3s passes by default and apply config.yaml (+ config.yaml.d) and the CLI.
 */
export function addK3sComponents(
  reader: HostReader,
  processes: readonly ProcessInfo[],
  components: Partial<Record<ComponentName, ComponentFacts>>,
  errors: ScanError[],
): void {
  const proc = processes.find((p) => p.name === "k3s" && (p.argv[1] === "server" || p.argv[1] === "agent"));
  const unit = proc ? undefined : firstExisting(reader, K3S_UNITS);
  const argv = proc?.argv ?? (unit ? parseUnitExecStart(reader, unit) : undefined);
  const cli = parseFlags((argv ?? []).slice(2));
  const configPath = lastValue(cli, "--config") ?? lastValue(cli, "-c") ?? K3S_CONFIG_FILE;
  const { values: config, files } = loadK3sConfig(reader, configPath, errors);
  if (!argv && files.length === 0) return;
  const mode = argv?.[1] === "agent" ? "agent" : "server";
  const opt = (name: string): unknown => {
    const v = lastValue(cli, `--${name}`);
    return v !== undefined ? v : config[name];
  };
  // Slice options: the config file's values come first, the command line's are appended.
  const list = (name: string): string[] => {
    const fromConfig = config[name];
    const c = Array.isArray(fromConfig)
      ? fromConfig.map(String)
      : fromConfig !== undefined && fromConfig !== null
        ? [String(fromConfig)]
        : [];
    return [...c, ...(cli.get(`--${name}`) ?? [])];
  };
  const userArgs = (prefix: string) => list(`${prefix}-arg`).map((a) => (a.startsWith("-") ? a : `--${a}`));
  const dataDir = String(opt("data-dir") ?? "/var/lib/rancher/k3s");
  // k3s names the node after the host (lower case) unless node-name says otherwise.
  const nodeName = String(opt("node-name") ?? reader.readFile("/etc/hostname")?.trim().toLowerCase() ?? "");
  const fill = (a: string) => a.replaceAll("{data}", dataDir).replaceAll("{node}", nodeName);
  const truthy = (v: unknown) => v === true || v === "true";
  const where = proc ? `/proc/${proc.pid}/cmdline` : (unit ?? configPath);
  const editAt = files.includes(configPath) ? configPath : (files[0] ?? unit ?? configPath);
  const make = (name: ComponentName, defaults: readonly string[], user: string[]) => {
    if (components[name]?.source === "process") return;
    const args = [...defaults.map(fill), ...user];
    components[name] = {
      name,
      source: "distribution",
      where,
      editAt,
      pid: proc?.pid,
      uid: proc?.uid,
      argv: [name, ...args],
      flags: parseFlags(args),
      env: {},
    };
  };
  const embeddedEtcd = truthy(opt("cluster-init")) || reader.stat(`${dataDir}/server/db/etcd`) !== undefined;
  if (mode === "server") {
    const apiUser = userArgs("kube-apiserver");
    const apiExtra: string[] = [];
    if (embeddedEtcd) apiExtra.push(...K3S_ETCD_APISERVER_ARGS);
    if (truthy(opt("secrets-encryption")))
      apiExtra.push("--encryption-provider-config={data}/server/cred/encryption-config.json");
    // k3s adds its own cipher suites unless the user chose some.
    if (lastValue(parseFlags(apiUser), "--tls-cipher-suites") === undefined)
      apiExtra.push(`--tls-cipher-suites=${K3S_TLS_CIPHER_SUITES}`);
    make("kube-apiserver", [...K3S_DEFAULT_ARGS["kube-apiserver"], ...apiExtra], apiUser);
    make(
      "kube-controller-manager",
      K3S_DEFAULT_ARGS["kube-controller-manager"],
      userArgs("kube-controller-manager"),
    );
    make("kube-scheduler", K3S_DEFAULT_ARGS["kube-scheduler"], userArgs("kube-scheduler"));
    if (embeddedEtcd) {
      const etcdDefaults = [
        "--data-dir={data}/server/db/etcd",
        "--client-cert-auth=true",
        "--peer-client-cert-auth=true",
        "--cert-file={data}/server/tls/etcd/server-client.crt",
        "--key-file={data}/server/tls/etcd/server-client.key",
        "--trusted-ca-file={data}/server/tls/etcd/server-ca.crt",
        "--peer-cert-file={data}/server/tls/etcd/peer-server-client.crt",
        "--peer-key-file={data}/server/tls/etcd/peer-server-client.key",
        "--peer-trusted-ca-file={data}/server/tls/etcd/peer-ca.crt",
      ];
      make("etcd", etcdDefaults, userArgs("etcd"));
    }
  }
  if (!(mode === "server" && truthy(opt("disable-agent")))) {
    // Newer k3s keeps the kubelet's settings in a drop-in directory it passes with --config-dir.
    const dropins = reader.stat(fill(K3S_KUBELET_CONFIG_DIR))?.isDirectory === true;
    const kubeletDefaults = dropins ? K3S_KUBELET_DROPIN_ARGS : K3S_DEFAULT_ARGS.kubelet;
    const kubeletExtra =
      !dropins && truthy(opt("protect-kernel-defaults")) ? ["--protect-kernel-defaults=true"] : [];
    make("kubelet", [...kubeletDefaults, ...kubeletExtra], userArgs("kubelet"));
    const disabled = list("disable").join(",").split(",");
    if (!truthy(opt("disable-kube-proxy")) && !disabled.includes("kube-proxy"))
      make("kube-proxy", K3S_DEFAULT_ARGS["kube-proxy"], userArgs("kube-proxy"));
  }
}
