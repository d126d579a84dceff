// Benchmark definitions: one YAML file per CIS version, checked and resolved here.
// Pure: text in, definitions out. The loader that reads the files lives in benchmarks/index.ts.
import { parse as parseYaml } from "yaml";
import { isSeverity, type Severity } from "../core/model.js";
import { isRecord } from "../core/object.js";
import { type ComponentName, isComponent } from "./defaults.js";
import { PATH_KEYS, type PathKey } from "./distributions.js";

export const TARGETS = ["master", "etcd", "controlplane", "node", "policies"] as const;
export type Target = (typeof TARGETS)[number];

export const OPS = [
  "set",
  "unset",
  "eq",
  "noteq",
  "has",
  "nothave",
  "gte",
  "lte",
  "valid_elements",
  "contains",
] as const;
export type Op = (typeof OPS)[number];

export interface FileRef {
  /** Candidate path key in the distribution table. */
  key?: PathKey;
  /** A component setting whose value names the file (wins over `key`). */
  setting?: { component: ComponentName; flag: string; config?: string };
}

export type Audit =
  | {
      type: "mode";
      file: FileRef;
      also?: PathKey[];
      walk?: { match?: string };
      max: number;
      ifMissing: "pass" | "fail" | "skip";
    }
  | {
      type: "owner";
      file: FileRef;
      also?: PathKey[];
      walk?: { match?: string };
      expected: string;
      ifMissing: "pass" | "fail" | "skip";
    }
  | {
      type: "setting";
      component: ComponentName;
      flags: string[];
      /** Config-file path for each flag, in the same order (kubelet, kube-proxy). */
      configs?: Array<string | undefined>;
      env?: string;
      gate?: string;
      op: Op;
      value?: string;
      unset?: "pass" | "fail";
    }
  | { type: "encryption"; allowed: string[] }
  | { type: "audit-policy"; require: AuditPolicyRequirement[] }
  | { type: "manual"; steps: string }
  | { type: "any" | "all"; audits: Audit[] };

export interface AuditPolicyRequirement {
  /** What the rule must cover, e.g. "secrets" or "pods/exec". */
  resources: string[];
  group?: string;
  /** Lowest acceptable level (None < Metadata < Request < RequestResponse). */
  minLevel: "Metadata" | "Request" | "RequestResponse";
  /** Highest acceptable level, to keep secret values out of the log. */
  maxLevel?: "Metadata" | "Request" | "RequestResponse";
  verbs?: string[];
  description: string;
}

export interface CheckDef {
  id: string;
  title: string;
  level: 1 | 2;
  automated: boolean;
  severity: Severity;
  audit: Audit;
  remediation: string;
}

export interface SectionDef {
  id: string;
  title: string;
  target: Target;
  checks: CheckDef[];
}

export interface Benchmark {
  id: string;
  title: string;
  /** Kubernetes minor versions ("1.30") `--benchmark auto` picks this benchmark for. */
  kubernetes: string[];
  sections: SectionDef[];
}

export class BenchmarkError extends Error {
  readonly code = "benchmark-invalid";
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

interface RawBenchmark {
  id: string;
  title: string;
  kubernetes: string[];
  extends?: string;
  remove: string[];
  sections: SectionDef[];
}

/** Parses one benchmark file. Throws BenchmarkError naming the file and the check at fault. */
export function parseBenchmark(file: string, text: string): RawBenchmark {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new BenchmarkError(file, `YAML syntax: ${(e as Error).message.split("\n")[0]}`);
  }
  const o = obj(file, "top level", doc);
  const sections = arr(file, "sections", o.sections ?? []).map((s, i) => parseSection(file, s, i));
  return {
    id: str(file, "id", o.id),
    title: str(file, "title", o.title),
    kubernetes: arr(file, "kubernetes", o.kubernetes ?? []).map((v) => str(file, "kubernetes[]", v)),
    extends: o.extends === undefined ? undefined : str(file, "extends", o.extends),
    remove: arr(file, "remove", o.remove ?? []).map((v) => str(file, "remove[]", v)),
    sections,
  };
}

/**
 * Resolves `extends` chains: a version that extends another starts from its sections,
 * replaces checks and sections with the same id, adds new ones, and drops `remove`d ids.
 */
export function resolveBenchmarks(raws: ReadonlyMap<string, RawBenchmark>): Map<string, Benchmark> {
  const out = new Map<string, Benchmark>();
  const resolve = (id: string, seen: string[]): Benchmark => {
    const done = out.get(id);
    if (done) return done;
    const raw = raws.get(id);
    if (!raw) throw new BenchmarkError(seen[seen.length - 1] ?? id, `extends unknown benchmark "${id}"`);
    if (seen.includes(id)) throw new BenchmarkError(id, `extends cycle: ${[...seen, id].join(" → ")}`);
    let sections: SectionDef[] = [];
    if (raw.extends) {
      sections = resolve(raw.extends, [...seen, id]).sections.map((s) => ({ ...s, checks: [...s.checks] }));
    }
    for (const s of raw.sections) {
      const existing = sections.find((x) => x.id === s.id);
      if (!existing) {
        sections.push({ ...s, checks: [...s.checks] });
        continue;
      }
      if (s.title) existing.title = s.title;
      for (const c of s.checks) {
        const i = existing.checks.findIndex((x) => x.id === c.id);
        if (i >= 0) existing.checks[i] = c;
        else existing.checks.push(c);
      }
      existing.checks.sort((a, b) => compareIds(a.id, b.id));
    }
    const removed = new Set(raw.remove);
    sections = sections
      .map((s) => ({ ...s, checks: s.checks.filter((c) => !removed.has(c.id)) }))
      .sort((a, b) => compareIds(a.id, b.id));
    const b: Benchmark = { id: raw.id, title: raw.title, kubernetes: raw.kubernetes, sections };
    out.set(id, b);
    return b;
  };
  for (const id of raws.keys()) resolve(id, []);
  return out;
}

/** Orders dotted check numbers numerically ("1.2.10" after "1.2.9"). */
export function compareIds(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function parseSection(file: string, raw: unknown, i: number): SectionDef {
  const where = `sections[${i}]`;
  const o = obj(file, where, raw);
  const id = str(file, `${where}.id`, o.id);
  const target = o.target === undefined ? "master" : str(file, `section ${id} target`, o.target);
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new BenchmarkError(
      file,
      `section ${id}: unknown target "${target}" (expected ${TARGETS.join(", ")})`,
    );
  }
  return {
    id,
    title: o.title === undefined ? "" : str(file, `section ${id} title`, o.title),
    target: target as Target,
    checks: arr(file, `section ${id} checks`, o.checks ?? []).map((c) => parseCheck(file, c)),
  };
}

function parseCheck(file: string, raw: unknown): CheckDef {
  const o = obj(file, "check", raw);
  const id = str(file, "check id", o.id);
  const at = `check ${id}`;
  const level = o.level ?? 1;
  if (level !== 1 && level !== 2) throw new BenchmarkError(file, `${at}: level must be 1 or 2`);
  const severity = o.severity ?? "medium";
  if (typeof severity !== "string" || !isSeverity(severity))
    throw new BenchmarkError(file, `${at}: unknown severity "${String(severity)}"`);
  const audit = parseAudit(file, at, o.audit);
  return {
    id,
    title: str(file, `${at} title`, o.title),
    level,
    automated: audit.type === "manual" ? false : o.automated === true,
    severity,
    audit,
    remediation: str(file, `${at} remediation`, o.remediation).trim(),
  };
}

function parseFileRef(file: string, at: string, o: Record<string, unknown>): FileRef {
  const ref: FileRef = {};
  if (o.path !== undefined) ref.key = pathKey(file, at, o.path);
  if (o.fromSetting !== undefined) {
    const s = obj(file, `${at} fromSetting`, o.fromSetting);
    ref.setting = {
      component: component(file, at, s.component),
      flag: str(file, `${at} fromSetting.flag`, s.flag),
      config: s.config === undefined ? undefined : str(file, `${at} fromSetting.config`, s.config),
    };
  }
  if (!ref.key && !ref.setting)
    throw new BenchmarkError(file, `${at}: a file audit needs path or fromSetting`);
  return ref;
}

function parseAudit(file: string, at: string, raw: unknown): Audit {
  const o = obj(file, `${at} audit`, raw);
  const type = str(file, `${at} audit.type`, o.type);
  const ifMissing = (o.ifMissing ?? "fail") as string;
  if (!["pass", "fail", "skip"].includes(ifMissing))
    throw new BenchmarkError(file, `${at}: ifMissing must be pass, fail or skip`);
  const also =
    o.also === undefined ? undefined : arr(file, `${at} also`, o.also).map((k) => pathKey(file, at, k));
  const walk =
    o.walk === undefined
      ? undefined
      : { match: (obj(file, `${at} walk`, o.walk).match as string | undefined) ?? undefined };
  switch (type) {
    case "mode": {
      const max = str(file, `${at} max`, String(o.max ?? ""));
      if (!/^[0-7]{3,4}$/.test(max))
        throw new BenchmarkError(file, `${at}: max must be an octal mode like 600`);
      return {
        type,
        file: parseFileRef(file, at, o),
        also,
        walk,
        max: Number.parseInt(max, 8),
        ifMissing: ifMissing as "pass",
      };
    }
    case "owner":
      return {
        type,
        file: parseFileRef(file, at, o),
        also,
        walk,
        expected: str(file, `${at} expected`, o.expected ?? "root:root"),
        ifMissing: ifMissing as "pass",
      };
    case "setting": {
      const op = str(file, `${at} op`, o.op);
      if (!(OPS as readonly string[]).includes(op))
        throw new BenchmarkError(file, `${at}: unknown op "${op}" (expected ${OPS.join(", ")})`);
      if (!["set", "unset"].includes(op) && o.value === undefined)
        throw new BenchmarkError(file, `${at}: op ${op} needs a value`);
      const flags = Array.isArray(o.flag)
        ? o.flag.map((f) => str(file, `${at} flag`, f))
        : [str(file, `${at} flag`, o.flag)];
      if (o.unset !== undefined && o.unset !== "pass" && o.unset !== "fail")
        throw new BenchmarkError(file, `${at}: unset must be pass or fail`);
      return {
        type,
        component: component(file, at, o.component),
        flags,
        configs: parseConfigs(file, at, o.config, flags.length),
        env: o.env === undefined ? undefined : str(file, `${at} env`, o.env),
        gate: o.gate === undefined ? undefined : str(file, `${at} gate`, o.gate),
        op: op as Op,
        value: o.value === undefined ? undefined : String(o.value),
        unset: o.unset as "pass" | "fail" | undefined,
      };
    }
    case "encryption":
      return {
        type,
        allowed: arr(file, `${at} allowed`, o.allowed).map((v) => str(file, `${at} allowed[]`, v)),
      };
    case "audit-policy":
      return {
        type,
        require: arr(file, `${at} require`, o.require).map((r) => {
          const x = obj(file, `${at} require[]`, r);
          return {
            resources: arr(file, `${at} resources`, x.resources).map((v) =>
              str(file, `${at} resources[]`, v),
            ),
            group: x.group === undefined ? undefined : String(x.group),
            minLevel: level(file, at, x.minLevel ?? "Metadata"),
            maxLevel: x.maxLevel === undefined ? undefined : level(file, at, x.maxLevel),
            verbs: x.verbs === undefined ? undefined : arr(file, `${at} verbs`, x.verbs).map(String),
            description: str(file, `${at} description`, x.description),
          };
        }),
      };
    case "manual":
      return { type, steps: str(file, `${at} steps`, o.steps).trim() };
    case "any":
    case "all":
      return { type, audits: arr(file, `${at} audits`, o.audits).map((x) => parseAudit(file, at, x)) };
    default:
      throw new BenchmarkError(file, `${at}: unknown audit type "${type}"`);
  }
}

function parseConfigs(
  file: string,
  at: string,
  v: unknown,
  n: number,
): Array<string | undefined> | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.length !== n) throw new BenchmarkError(file, `${at}: config needs one entry per flag (${n})`);
  return list.map((c) => (c === null ? undefined : str(file, `${at} config`, c)));
}

function level(file: string, at: string, v: unknown): "Metadata" | "Request" | "RequestResponse" {
  if (v === "Metadata" || v === "Request" || v === "RequestResponse") return v;
  throw new BenchmarkError(file, `${at}: audit level must be Metadata, Request or RequestResponse`);
}

function pathKey(file: string, at: string, v: unknown): PathKey {
  if (typeof v === "string" && (PATH_KEYS as readonly string[]).includes(v)) return v as PathKey;
  throw new BenchmarkError(
    file,
    `${at}: unknown path key "${String(v)}" (expected one of ${PATH_KEYS.join(", ")})`,
  );
}

function component(file: string, at: string, v: unknown): ComponentName {
  if (typeof v === "string" && isComponent(v)) return v;
  throw new BenchmarkError(file, `${at}: unknown component "${String(v)}"`);
}

function obj(file: string, at: string, v: unknown): Record<string, unknown> {
  if (isRecord(v)) return v;
  throw new BenchmarkError(file, `${at}: expected a mapping`);
}

function arr(file: string, at: string, v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  throw new BenchmarkError(file, `${at}: expected a list`);
}

function str(file: string, at: string, v: unknown): string {
  if (typeof v === "string" && v.length > 0) return v;
  if (typeof v === "number") return String(v);
  throw new BenchmarkError(file, `${at}: expected a non-empty string`);
}
