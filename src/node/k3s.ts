// k3s: components embedded in one process, configured through /etc/rancher/k3s/config.yaml.
import { parse as parseYaml } from "yaml";
import type { ScanError } from "../core/model.js";
import { isRecord } from "../core/object.js";
import type { ComponentName } from "./defaults.js";
import { firstExisting, yamlSyntaxError } from "./detect.js";
import { K3S_DEFAULT_ARGS, K3S_ETCD_APISERVER_ARGS, type PathTable } from "./distributions.js";
import { lastValue, parseFlags } from "./flags.js";
import type { HostReader } from "./reader.js";
import type { ComponentFacts, ProcessInfo } from "./types.js";
import { parseUnitExecStart } from "./units.js";

/**
 * k3s runs every component in one process and logs its flags instead of showing them: start
 * from the arguments k3s passes by default and apply config.yaml (+ config.yaml.d) and the CLI.
 */
export function addK3sComponents(
  reader: HostReader,
  processes: readonly ProcessInfo[],
  paths: PathTable,
  components: Partial<Record<ComponentName, ComponentFacts>>,
  errors: ScanError[],
): void {
  const proc = processes.find((p) => p.name === "k3s" && (p.argv[1] === "server" || p.argv[1] === "agent"));
  const configPath = "/etc/rancher/k3s/config.yaml";
  const config: Record<string, unknown> = {};
  const mergeConfig = (path: string) => {
    const text = reader.readFile(path);
    if (text === undefined) return;
    try {
      const doc = parseYaml(text);
      if (isRecord(doc)) {
        for (const [k, v] of Object.entries(doc)) {
          // k3s appends list values from drop-in files whose key ends in "+".
          const key = k.endsWith("+") ? k.slice(0, -1) : k;
          const prev = config[key];
          config[key] =
            k.endsWith("+") && Array.isArray(prev) ? [...prev, ...(Array.isArray(v) ? v : [v])] : v;
        }
      } else if (doc !== null && doc !== undefined) {
        errors.push({
          file: path,
          code: "config-shape",
          message: `${path}: expected a mapping of k3s options`,
        });
      }
    } catch (e) {
      errors.push(yamlSyntaxError(path, e));
    }
  };
  mergeConfig(configPath);
  for (const f of reader.list("/etc/rancher/k3s/config.yaml.d") ?? []) {
    if (/\.ya?ml$/.test(f)) mergeConfig(`/etc/rancher/k3s/config.yaml.d/${f}`);
  }
  const unit = firstExisting(reader, paths.kubeletService);
  const unitArgv = proc ? undefined : unit ? parseUnitExecStart(reader, unit) : undefined;
  const argv = proc?.argv ?? unitArgv;
  if (!argv && !reader.stat(configPath)) return;
  const mode = argv?.[1] === "agent" ? "agent" : "server";
  const cli = parseFlags((argv ?? []).slice(2));
  const opt = (name: string): unknown => {
    const v = lastValue(cli, `--${name}`);
    return v !== undefined ? v : config[name];
  };
  const list = (name: string): string[] => {
    const fromConfig = config[name];
    const c = Array.isArray(fromConfig)
      ? fromConfig.map(String)
      : fromConfig !== undefined
        ? [String(fromConfig)]
        : [];
    return [...c, ...(cli.get(`--${name}`) ?? [])];
  };
  const dataDir = String(opt("data-dir") ?? "/var/lib/rancher/k3s");
  const truthy = (v: unknown) => v === true || v === "true";
  const where = proc ? `/proc/${proc.pid}/cmdline` : (unit ?? configPath);
  const editAt = reader.stat(configPath) ? configPath : (unit ?? configPath);
  const make = (name: ComponentName, argPrefix: string, extra: string[] = []) => {
    if (components[name]?.source === "process") return;
    const base = [...(K3S_DEFAULT_ARGS[name] ?? []), ...extra].map((a) => a.replaceAll("{data}", dataDir));
    const user = list(`${argPrefix}-arg`).map((a) => (a.startsWith("-") ? a : `--${a}`));
    const args = [...base, ...user];
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
    const extra: string[] = [];
    if (embeddedEtcd) extra.push(...K3S_ETCD_APISERVER_ARGS);
    if (truthy(opt("secrets-encryption")))
      extra.push("--encryption-provider-config={data}/server/cred/encryption-config.json");
    make("kube-apiserver", "kube-apiserver", extra);
    make("kube-controller-manager", "kube-controller-manager");
    make("kube-scheduler", "kube-scheduler");
    if (embeddedEtcd) {
      const etcdDefaults = [
        `--data-dir=${dataDir}/server/db/etcd`,
        "--client-cert-auth=true",
        "--peer-client-cert-auth=true",
        `--cert-file=${dataDir}/server/tls/etcd/server-client.crt`,
        `--key-file=${dataDir}/server/tls/etcd/server-client.key`,
        `--peer-cert-file=${dataDir}/server/tls/etcd/peer-server-client.crt`,
        `--peer-key-file=${dataDir}/server/tls/etcd/peer-server-client.key`,
        `--trusted-ca-file=${dataDir}/server/tls/etcd/server-ca.crt`,
      ];
      const user = list("etcd-arg").map((a) => (a.startsWith("-") ? a : `--${a}`));
      const args = [...etcdDefaults, ...user];
      components.etcd = {
        name: "etcd",
        source: "distribution",
        where,
        editAt,
        pid: proc?.pid,
        argv: ["etcd", ...args],
        flags: parseFlags(args),
        env: {},
      };
    }
  }
  if (!(mode === "server" && truthy(opt("disable-agent")))) {
    const kubeletExtra = truthy(opt("protect-kernel-defaults")) ? ["--protect-kernel-defaults=true"] : [];
    make("kubelet", "kubelet", kubeletExtra);
    const disabled = list("disable").join(",").split(",");
    if (!truthy(opt("disable-kube-proxy")) && !disabled.includes("kube-proxy"))
      make("kube-proxy", "kube-proxy");
  }
}
