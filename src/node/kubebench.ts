// Runs kube-bench control files (cfg/<version>/{master,node,etcd,controlplane,policies}.yaml)
// through kubeward's engine. kube-bench audits are shell commands; the common shapes (stat of
// a file, a flag read from `ps` output or the kubelet config) are translated to kubeward audits
// with kube-bench's own semantics (an absent flag fails a comparison; bin_op and/or). Anything
// else becomes a MANUAL check that shows the original audit command.
import { parse as parseYaml } from "yaml";
import {
  type Audit,
  type Benchmark,
  BenchmarkError,
  type CheckDef,
  OPS,
  type Op,
  type SectionDef,
  TARGETS,
  type Target,
} from "./benchmark.js";
import type { ComponentName } from "./defaults.js";
import type { PathKey } from "./distributions.js";

/** kube-bench variables → where kubeward finds the same file. */
const FILE_VARS: Record<
  string,
  { key: PathKey; setting?: { component: ComponentName; flag: string; config?: string } }
> = {
  apiserverconf: { key: "apiserverManifest" },
  controllermanagerconf: { key: "controllerManagerManifest" },
  schedulerconf: { key: "schedulerManifest" },
  etcdconf: { key: "etcdManifest" },
  schedulerkubeconfig: {
    key: "schedulerKubeconfig",
    setting: { component: "kube-scheduler", flag: "--kubeconfig" },
  },
  controllermanagerkubeconfig: {
    key: "controllerManagerKubeconfig",
    setting: { component: "kube-controller-manager", flag: "--kubeconfig" },
  },
  kubeletsvc: { key: "kubeletService" },
  kubeletconf: { key: "kubeletConfig", setting: { component: "kubelet", flag: "--config" } },
  kubeletkubeconfig: { key: "kubeletKubeconfig", setting: { component: "kubelet", flag: "--kubeconfig" } },
  kubeletcafile: {
    key: "kubeletCaFile",
    setting: { component: "kubelet", flag: "--client-ca-file", config: "authentication.x509.clientCAFile" },
  },
  proxykubeconfig: { key: "proxyKubeconfig", setting: { component: "kube-proxy", flag: "--kubeconfig" } },
  etcddatadir: { key: "etcdDataDir", setting: { component: "etcd", flag: "--data-dir" } },
};

const BIN_VARS: Record<string, ComponentName> = {
  apiserverbin: "kube-apiserver",
  controllermanagerbin: "kube-controller-manager",
  schedulerbin: "kube-scheduler",
  etcdbin: "etcd",
  kubeletbin: "kubelet",
  proxybin: "kube-proxy",
};

interface KbTestItem {
  flag?: string;
  path?: string;
  env?: string;
  set?: boolean;
  compare?: { op?: string; value?: unknown };
}

const KB_FILES: ReadonlyArray<[string, Target]> = [
  ["master.yaml", "master"],
  ["etcd.yaml", "etcd"],
  ["controlplane.yaml", "controlplane"],
  ["node.yaml", "node"],
  ["policies.yaml", "policies"],
];

/** The kube-bench control files kubeward reads from a version folder, in section order. */
export const KUBE_BENCH_FILES = KB_FILES.map(([f]) => f);

/** Translates the text of one kube-bench controls file. Throws BenchmarkError naming the file. */
export function translateKubeBench(file: string, text: string, fallbackTarget: Target): SectionDef[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new BenchmarkError(file, `YAML syntax: ${(e as Error).message.split("\n")[0]}`);
  }
  const d = doc as { type?: unknown; groups?: unknown } | null;
  if (!d || typeof d !== "object" || !Array.isArray(d.groups))
    throw new BenchmarkError(file, "not a kube-bench controls file (no groups)");
  const target =
    typeof d.type === "string" && (TARGETS as readonly string[]).includes(d.type)
      ? (d.type as Target)
      : fallbackTarget;
  return d.groups.map((g, i) => {
    const group = g as { id?: unknown; text?: unknown; checks?: unknown };
    if (group?.id === undefined || !Array.isArray(group.checks))
      throw new BenchmarkError(file, `groups[${i}]: needs an id and checks`);
    const checks: CheckDef[] = [];
    for (const c of group.checks as Array<Record<string, unknown>>) {
      if (c?.id === undefined) throw new BenchmarkError(file, `group ${String(group.id)}: a check has no id`);
      if (c.type === "skip") continue;
      const audit = translateAudit(c);
      checks.push({
        id: String(c.id),
        title: String(c.text ?? c.id).replace(/\s*\((Automated|Manual)\)\s*$/, ""),
        level: 1,
        automated: audit.type !== "manual" && c.scored === true,
        severity: "medium",
        audit,
        remediation: substituteVars(String(c.remediation ?? "See the benchmark.").trim()),
      });
    }
    return { id: String(group.id), title: String(group.text ?? ""), target, checks };
  });
}

function substituteVars(text: string): string {
  return text.replace(/\$([a-z]+)/g, (m, v: string) =>
    FILE_VARS[v] ? "{path}" : BIN_VARS[v] ? BIN_VARS[v] : m,
  );
}

function manual(c: Record<string, unknown>, why: string): Audit {
  const audit = typeof c.audit === "string" ? c.audit.trim() : "";
  return { type: "manual", steps: audit ? `${why}: ${audit}` : why };
}

function translateAudit(c: Record<string, unknown>): Audit {
  if (c.type === "manual") return manual(c, "manual check");
  const audit = typeof c.audit === "string" ? c.audit : "";
  const tests = c.tests as { bin_op?: string; test_items?: KbTestItem[] } | undefined;
  const items = Array.isArray(tests?.test_items) ? tests.test_items : [];
  if (items.length === 0) return manual(c, "kube-bench check without tests");
  const combine = (parts: Audit[]): Audit =>
    parts.length === 1 ? parts[0] : { type: tests?.bin_op === "or" ? "any" : "all", audits: parts };

  // File permissions and owners: `stat -c permissions=%a <file>` / `stat -c %U:%G <file>`.
  const fileRef = fileOf(audit);
  if (/stat -c "?permissions=%a/.test(audit) && fileRef) {
    const max = String(items[0]?.compare?.value ?? "");
    if (!/^[0-7]{3,4}$/.test(max)) return manual(c, "unrecognised permission test");
    return {
      type: "mode",
      file: fileRef.file,
      walk: fileRef.walk,
      max: Number.parseInt(max, 8),
      ifMissing: "fail",
    };
  }
  if (/stat -c "?(ownership=)?%U:%G/.test(audit) && fileRef) {
    const expected = String(items[0]?.compare?.value ?? items[0]?.flag ?? "root:root");
    return { type: "owner", file: fileRef.file, walk: fileRef.walk, expected, ifMissing: "fail" };
  }
  if (/stat -c/.test(audit)) return manual(c, "file audit on a path kubeward does not know");
  // Flags from `ps` output (and the kubelet/kube-proxy config file).
  const bin = Object.keys(BIN_VARS).find((v) => audit.includes(`$${v}`));
  if (bin) {
    const component = BIN_VARS[bin];
    const parts: Audit[] = [];
    for (const it of items) {
      if (!it.flag) return manual(c, "test item without a flag");
      const config = it.path ? jsonPath(it.path) : undefined;
      if (it.path && !config) return manual(c, "unsupported config path");
      const gate = it.flag.startsWith("-") ? undefined : it.flag;
      const flag = gate ? "--feature-gates" : it.flag;
      const configs = config ? [config] : undefined;
      if (it.set === false) {
        parts.push({ type: "setting", component, flags: [flag], configs, gate, env: it.env, op: "unset" });
        continue;
      }
      if (!it.compare) {
        parts.push({ type: "setting", component, flags: [flag], configs, gate, env: it.env, op: "set" });
        continue;
      }
      const op = mapOp(it.compare.op);
      if (!op) return manual(c, `unsupported comparison "${String(it.compare.op)}"`);
      parts.push({
        type: "setting",
        component,
        flags: [flag],
        configs,
        gate,
        env: it.env,
        op,
        value: String(it.compare.value),
        unset: "fail",
      });
    }
    return combine(parts);
  }
  return manual(c, "kube-bench audit kubeward does not translate");
}

function mapOp(op: string | undefined): Op | undefined {
  if (op === undefined) return "set";
  if (op === "bitmask") return undefined;
  return (OPS as readonly string[]).includes(op) ? (op as Op) : undefined;
}

/** `{.authentication.anonymous.enabled}` → "authentication.anonymous.enabled". */
function jsonPath(p: string): string | undefined {
  const m = p.match(/^\{\.([A-Za-z0-9_.]+)\}$/);
  return m ? m[1] : undefined;
}

function fileOf(audit: string):
  | {
      file: { key?: PathKey; setting?: { component: ComponentName; flag: string; config?: string } };
      walk?: { match?: string };
    }
  | undefined {
  const v = Object.keys(FILE_VARS).find((name) => new RegExp(`\\$${name}\\b`).test(audit));
  if (v) return { file: { key: FILE_VARS[v].key, setting: FILE_VARS[v].setting } };
  if (audit.includes("/etc/kubernetes/admin.conf")) return { file: { key: "adminConf" } };
  const pki = audit.match(/find \/etc\/kubernetes\/pki\/?(?: -name '([^']+)')?/);
  if (pki) return { file: { key: "pkiDir" }, walk: pki[1] ? { match: pki[1] } : {} };
  if (audit.includes("--data-dir"))
    return {
      file: FILE_VARS.etcddatadir.setting
        ? { key: "etcdDataDir", setting: FILE_VARS.etcddatadir.setting }
        : { key: "etcdDataDir" },
    };
  return undefined;
}

/** Builds a Benchmark from the controls files found in `files` (name → text). */
export function kubeBenchBenchmark(id: string, files: ReadonlyMap<string, string>): Benchmark {
  const sections: SectionDef[] = [];
  for (const [name, target] of KB_FILES) {
    const text = files.get(name);
    if (text !== undefined) sections.push(...translateKubeBench(name, text, target));
  }
  if (sections.length === 0)
    throw new BenchmarkError(id, `no kube-bench controls file (${KUBE_BENCH_FILES.join(", ")})`);
  return { id, title: `kube-bench controls ${id}`, kubernetes: [], sections };
}
