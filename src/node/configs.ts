// The kubelet's and kube-proxy's configuration files (YAML or JSON), with drop-ins.
import type { ScanError } from "../core/model.js";
import { isRecord } from "../core/object.js";
import { firstExisting, parseHostYaml, yamlSyntaxError } from "./detect.js";
import type { PathTable } from "./distributions.js";
import { lastValue } from "./flags.js";
import type { HostReader } from "./reader.js";
import type { ComponentFacts, ConfigFile } from "./types.js";

function loadYamlConfig(reader: HostReader, path: string, errors: ScanError[]): ConfigFile | undefined {
  const text = reader.readFile(path);
  if (text === undefined) {
    errors.push({
      file: path,
      code: "config-missing",
      message: `configuration file ${path} does not exist or cannot be read`,
    });
    return undefined;
  }
  try {
    const data = parseHostYaml(text);
    if (data === null || data === undefined) return { path, data: {} };
    if (!isRecord(data)) {
      errors.push({
        file: path,
        code: "config-shape",
        message: `${path}: expected a mapping at the top level`,
      });
      return undefined;
    }
    return { path, data };
  } catch (e) {
    errors.push(yamlSyntaxError(path, e));
    return undefined;
  }
}

export function loadKubeletConfig(
  reader: HostReader,
  kubelet: ComponentFacts | undefined,
  paths: PathTable,
  errors: ScanError[],
): ConfigFile | undefined {
  const fromFlag = kubelet ? lastValue(kubelet.flags, "--config") : undefined;
  // A kubelet seen running without --config uses no config file; otherwise fall back to the usual place.
  const path =
    fromFlag ?? (kubelet?.source === "process" ? undefined : firstExisting(reader, paths.kubeletConfig));
  let cfg = path ? loadYamlConfig(reader, path, errors) : undefined;
  // Drop-in directory (--config-dir, Kubernetes 1.30+): *.conf files merge over the main file in
  // the order the kubelet walks the tree (names sorted, subdirectories included).
  const dir = kubelet ? lastValue(kubelet.flags, "--config-dir") : undefined;
  if (dir) {
    for (const file of dropinFiles(reader, dir)) {
      const part = loadYamlConfig(reader, file, errors);
      if (part) cfg = { path: cfg?.path ?? part.path, data: deepMerge(cfg?.data ?? {}, part.data) };
    }
  }
  return cfg;
}

function dropinFiles(reader: HostReader, dir: string, depth = 0): string[] {
  const out: string[] = [];
  for (const name of reader.list(dir) ?? []) {
    const path = `${dir}/${name}`;
    if (reader.stat(path)?.isDirectory) {
      // k3s copies a user's --config-dir into a subdirectory here; bound the walk against loops.
      if (depth < 8) out.push(...dropinFiles(reader, path, depth + 1));
    } else if (name.endsWith(".conf")) out.push(path);
  }
  return out;
}

export function loadProxyConfig(
  reader: HostReader,
  proxy: ComponentFacts | undefined,
  paths: PathTable,
  errors: ScanError[],
): ConfigFile | undefined {
  const fromFlag = proxy ? lastValue(proxy.flags, "--config") : undefined;
  if (fromFlag) {
    // kube-proxy usually runs in a pod: its --config path lives in the container, often not on the host.
    if (!reader.stat(fromFlag)) return undefined;
    return loadYamlConfig(reader, fromFlag, errors);
  }
  const path = firstExisting(reader, paths.proxyConfig);
  return path ? loadYamlConfig(reader, path, errors) : undefined;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isRecord(prev) && isRecord(v) ? deepMerge(prev, v) : v;
  }
  return out;
}
