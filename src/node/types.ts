import type { ScanError } from "../core/model.js";
import type { ComponentName } from "./defaults.js";
import type { Distribution, PathTable } from "./distributions.js";
import type { FlagMap } from "./flags.js";

export type Role = "control-plane" | "etcd" | "worker";

export interface ProcessInfo {
  pid: number;
  uid?: number;
  argv: string[];
  /** Base name of argv[0]. */
  name: string;
}

export interface ComponentFacts {
  name: ComponentName;
  /** Where the settings came from: a running process, a static pod manifest, a unit file or a distribution's defaults. */
  source: "process" | "manifest" | "unit-file" | "distribution";
  /** The file holding the settings (manifest, unit file) or /proc/PID/cmdline. */
  where: string;
  /** The file an operator edits to change the settings (manifest, unit file, config.yaml). */
  editAt?: string;
  pid?: number;
  uid?: number;
  argv: string[];
  flags: FlagMap;
  env: Record<string, string>;
  image?: string;
}

export interface ConfigFile {
  path: string;
  data: Record<string, unknown>;
}

/** Processes seen in /proc but not read: gone before their cmdline was read, or unreadable (PIDs). */
export interface ProcessSkips {
  vanished: number;
  unreadable: number[];
}

export interface NodeFacts {
  distribution: Distribution;
  paths: PathTable;
  components: Partial<Record<ComponentName, ComponentFacts>>;
  kubeletConfig?: ConfigFile;
  proxyConfig?: ConfigFile;
  processes: ProcessInfo[];
  processSkips: ProcessSkips;
  roles: Role[];
  kubernetesVersion?: string;
  versionSource?: string;
  users: Map<number, string>;
  groups: Map<number, string>;
  errors: ScanError[];
}

export interface Evidence {
  component: string;
  kind: "flag" | "config" | "file-permissions" | "file-owner" | "os";
  key: string;
  path: string | null;
  actual: string | null;
  expected: string;
}

/** What one audit concluded: ok, failed, or not applicable here ("skip"). */
export interface Verdict {
  ok: boolean | "skip";
  message: string;
  evidence?: Evidence;
  /** Path to show in the remediation. */
  path?: string;
}
