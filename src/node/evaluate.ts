// The benchmark engine: evaluates one benchmark's checks against what detect.ts learned.
// Pure apart from the injected HostReader (file modes, owners and the few files a check reads).
import { parse as parseYaml } from "yaml";
import type { Severity, Status } from "../core/model.js";
import type {
  Audit,
  AuditPolicyRequirement,
  Benchmark,
  CheckDef,
  FileRef,
  Op,
  SectionDef,
  Target,
} from "./benchmark.js";
import {
  type ComponentName,
  FLAG_DEFAULTS,
  KUBELET_CONFIG_DEFAULTS,
  PROXY_CONFIG_DEFAULTS,
} from "./defaults.js";
import { firstExisting } from "./detect.js";
import { MANAGED, type PathKey } from "./distributions.js";
import { lastValue, parseFeatureGates, splitList } from "./flags.js";
import type { HostReader } from "./reader.js";
import type { ComponentFacts, NodeFacts } from "./types.js";

export interface Evidence {
  component: string;
  kind: "flag" | "config" | "file-permissions" | "file-owner" | "os";
  key: string;
  path: string | null;
  actual: string | null;
  expected: string;
}

export interface CheckResult {
  benchmark: string;
  section: SectionDef;
  check: CheckDef;
  /** "skip" means not applicable on this node; it is reported under `skipped`, not as a finding. */
  status: Status | "skip";
  message: string;
  evidence?: Evidence;
  remediation: string;
}

export interface EvaluateOptions {
  targets: readonly Target[];
}

interface Verdict {
  ok: boolean | "skip";
  message: string;
  evidence?: Evidence;
  /** Path to show in the remediation. */
  path?: string;
}

export function evaluateBenchmark(
  bench: Benchmark,
  facts: NodeFacts,
  reader: HostReader,
  opts: EvaluateOptions,
): CheckResult[] {
  const out: CheckResult[] = [];
  for (const section of bench.sections) {
    if (!opts.targets.includes(section.target)) continue;
    const notHere = targetNotApplicable(section.target, facts);
    for (const check of section.checks) {
      const base = { benchmark: bench.id, section, check };
      if (notHere) {
        out.push({ ...base, status: "skip", message: notHere, remediation: check.remediation });
        continue;
      }
      if (check.audit.type === "manual") {
        out.push({
          ...base,
          status: "manual",
          message: `manual check: ${check.audit.steps}`,
          remediation: check.remediation,
        });
        continue;
      }
      const v = runAudit(check.audit, facts, reader);
      const status: CheckResult["status"] =
        v.ok === "skip" ? "skip" : v.ok ? "pass" : check.automated ? "fail" : "warn";
      out.push({
        ...base,
        status,
        message: v.message,
        evidence: v.evidence,
        remediation: fillRemediation(check, facts, v.path),
      });
    }
  }
  return out;
}

function targetNotApplicable(target: Target, facts: NodeFacts): string | undefined {
  const managed = MANAGED.has(facts.distribution);
  switch (target) {
    case "master":
    case "controlplane":
      if (managed)
        return `the ${facts.distribution} control plane is managed by the provider and not on this node`;
      return facts.roles.includes("control-plane")
        ? undefined
        : "no control-plane component runs on this node";
    case "etcd":
      if (managed) return `etcd is managed by ${facts.distribution} and not on this node`;
      return facts.roles.includes("etcd") ? undefined : "etcd does not run on this node";
    case "node":
      return facts.roles.includes("worker") ? undefined : "no kubelet runs on this node";
    case "policies":
      return "section 5 audits cluster objects (RBAC, pods, policies): run `kubeward scan cluster` against the API";
  }
}

function runAudit(audit: Exclude<Audit, { type: "manual" }>, facts: NodeFacts, reader: HostReader): Verdict {
  switch (audit.type) {
    case "mode":
    case "owner":
      return fileAudit(audit, facts, reader);
    case "setting":
      return settingAudit(audit, facts);
    case "encryption":
      return encryptionAudit(audit.allowed, facts, reader);
    case "audit-policy":
      return auditPolicyAudit(audit.require, facts, reader);
    case "any":
    case "all":
      return compositeAudit(audit, facts, reader);
  }
}

/** `any`: passes when one part passes; `all`: when every part does. Skipped parts do not count. */
function compositeAudit(
  a: Extract<Audit, { type: "any" | "all" }>,
  facts: NodeFacts,
  reader: HostReader,
): Verdict {
  const parts = a.audits
    .map((x) => (x.type === "manual" ? undefined : runAudit(x, facts, reader)))
    .filter((v): v is Verdict => v !== undefined && v.ok !== "skip");
  if (parts.length === 0) return { ok: "skip", message: "nothing to audit on this node" };
  const ok = a.type === "any" ? parts.some((p) => p.ok === true) : parts.every((p) => p.ok === true);
  const deciding = parts.find((p) => p.ok === ok) ?? parts[0];
  return {
    ok,
    message: parts.map((p) => p.message).join(a.type === "any" ? " | " : "; "),
    evidence: deciding.evidence,
    path: deciding.path,
  };
}

// ---------------------------------------------------------------- settings

interface Lookup {
  value?: string;
  source: "flag" | "env" | "config" | "default" | "unset";
  path: string | null;
  key: string;
}

function configOf(component: ComponentName, facts: NodeFacts) {
  return component === "kubelet"
    ? facts.kubeletConfig
    : component === "kube-proxy"
      ? facts.proxyConfig
      : undefined;
}

export function getPath(data: unknown, dotted: string): unknown {
  let cur: unknown = data;
  for (const part of dotted.split(".")) {
    if (!cur || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function show(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(String).join(",");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** The effective value of one setting: flag (last wins) over env over config file over default. */
export function lookupSetting(
  comp: ComponentFacts,
  facts: NodeFacts,
  flag: string,
  opts: { config?: string; env?: string; gate?: string; useDefault?: boolean } = {},
): Lookup {
  const cfg = configOf(comp.name, facts);
  if (opts.gate) {
    const fromFlag = parseFeatureGates(lastValue(comp.flags, flag)).get(opts.gate);
    if (fromFlag !== undefined)
      return { value: fromFlag, source: "flag", path: comp.where, key: `${flag}=${opts.gate}` };
    const fromCfg = show(getPath(cfg?.data, `featureGates.${opts.gate}`));
    if (fromCfg !== undefined && cfg)
      return { value: fromCfg, source: "config", path: cfg.path, key: `featureGates.${opts.gate}` };
    return { source: "unset", path: comp.where, key: `${flag}=${opts.gate}` };
  }
  const fromFlag = lastValue(comp.flags, flag);
  if (fromFlag !== undefined) return { value: fromFlag, source: "flag", path: comp.where, key: flag };
  if (opts.env && comp.env[opts.env] !== undefined)
    return { value: comp.env[opts.env], source: "env", path: comp.where, key: opts.env };
  if (opts.config && cfg) {
    const v = show(getPath(cfg.data, opts.config));
    if (v !== undefined) return { value: v, source: "config", path: cfg.path, key: opts.config };
  }
  if (opts.useDefault !== false) {
    // With a config file, the kubelet and kube-proxy apply the config file's defaults.
    const cfgDefault =
      opts.config && cfg
        ? (comp.name === "kubelet"
            ? KUBELET_CONFIG_DEFAULTS
            : comp.name === "kube-proxy"
              ? PROXY_CONFIG_DEFAULTS
              : {})[opts.config]
        : undefined;
    const d = cfgDefault ?? FLAG_DEFAULTS[comp.name][flag];
    if (d !== undefined) {
      return cfgDefault !== undefined && cfg
        ? { value: d, source: "default", path: cfg.path, key: opts.config ?? flag }
        : { value: d, source: "default", path: comp.where, key: flag };
    }
  }
  return { source: "unset", path: comp.where, key: opts.config && cfg ? `${flag} / ${opts.config}` : flag };
}

const BOOLS = new Set(["true", "false"]);

export function compare(op: Op, actual: string | undefined, want: string | undefined): boolean {
  const norm = (s: string) => (BOOLS.has(s.toLowerCase()) ? s.toLowerCase() : s);
  switch (op) {
    case "set":
      return actual !== undefined;
    case "unset":
      return actual === undefined;
    case "eq":
      return actual !== undefined && want !== undefined && norm(actual) === norm(want);
    case "noteq":
      return actual !== undefined && want !== undefined && norm(actual) !== norm(want);
    case "has":
      return want !== undefined && splitList(actual).includes(want);
    case "nothave":
      return want !== undefined && !splitList(actual).includes(want);
    case "gte":
    case "lte": {
      if (actual === undefined || want === undefined) return false;
      const a = Number(actual);
      const w = Number(want);
      if (Number.isNaN(a) || Number.isNaN(w)) return false;
      return op === "gte" ? a >= w : a <= w;
    }
    case "contains":
      return actual !== undefined && want !== undefined && actual.includes(want);
    case "valid_elements": {
      const allowed = new Set(splitList(want));
      const got = splitList(actual);
      return got.length > 0 && got.every((x) => allowed.has(x));
    }
  }
}

export function describeExpected(op: Op, want: string | undefined): string {
  switch (op) {
    case "set":
      return "set";
    case "unset":
      return "not set";
    case "eq":
      return `${want}`;
    case "noteq":
      return `not ${want}`;
    case "has":
      return `includes ${want}`;
    case "nothave":
      return `does not include ${want}`;
    case "gte":
      return `>= ${want}`;
    case "lte":
      return `<= ${want}`;
    case "valid_elements":
      return `only of ${want}`;
    case "contains":
      return `contains ${want}`;
  }
}

function settingAudit(a: Extract<Audit, { type: "setting" }>, facts: NodeFacts): Verdict {
  const comp = facts.components[a.component];
  if (!comp) return { ok: "skip", message: `${a.component} does not run on this node` };
  const notes: string[] = [];
  let first: Evidence | undefined;
  let ok = true;
  for (const [i, flag] of a.flags.entries()) {
    const config = a.configs?.[i];
    const l = lookupSetting(comp, facts, flag, {
      config,
      env: a.env,
      gate: a.gate,
      // "set"/"unset" ask whether the operator wrote the setting, so defaults do not count.
      useDefault: a.unset === undefined && a.op !== "set" && a.op !== "unset",
    });
    let pass: boolean;
    if (l.source === "unset" && a.unset) pass = a.unset === "pass";
    else pass = compare(a.op, l.value, a.value);
    const expected = describeExpected(a.op, a.value);
    const where =
      l.source === "default"
        ? " (default)"
        : l.source === "config"
          ? ` in ${l.path}`
          : l.source === "env"
            ? " (environment)"
            : "";
    notes.push(
      l.value === undefined
        ? `${a.component} ${l.key} is not set`
        : `${a.component} ${l.key} is "${l.value}"${where}`,
    );
    const ev: Evidence = {
      component: a.component,
      kind: l.source === "config" || (l.source === "default" && l.key === config) ? "config" : "flag",
      key: l.key,
      path: l.path,
      actual: l.value ?? null,
      expected,
    };
    if (!pass && ok) first = ev;
    if (!first) first = ev;
    ok &&= pass;
  }
  const expectedAll = describeExpected(a.op, a.value);
  return {
    ok,
    message: `${notes.join("; ")}; expected ${a.op === "set" || a.op === "unset" ? expectedAll : `${a.gate ? a.gate : a.flags.join(", ")} ${expectedAll}`}`,
    evidence: first,
    path: comp.editAt ?? comp.where,
  };
}

// ---------------------------------------------------------------- files

const KEY_COMPONENT: Partial<Record<PathKey, string>> = {
  apiserverManifest: "kube-apiserver",
  controllerManagerManifest: "kube-controller-manager",
  controllerManagerKubeconfig: "kube-controller-manager",
  schedulerManifest: "kube-scheduler",
  schedulerKubeconfig: "kube-scheduler",
  etcdManifest: "etcd",
  etcdDataDir: "etcd",
  adminConf: "control-plane",
  superAdminConf: "control-plane",
  pkiDir: "control-plane",
  manifestsDir: "control-plane",
  kubeletService: "kubelet",
  kubeletConfig: "kubelet",
  kubeletKubeconfig: "kubelet",
  kubeletCaFile: "kubelet",
  proxyKubeconfig: "kube-proxy",
  proxyConfig: "kube-proxy",
  cniConfDir: "cni",
  cniDataDir: "cni",
};

interface ResolvedFiles {
  paths: string[];
  missing?: string;
  notApplicable?: string;
  component: string;
  key: string;
}

function resolveFiles(
  ref: FileRef,
  also: readonly PathKey[] | undefined,
  facts: NodeFacts,
  reader: HostReader,
): ResolvedFiles {
  const component = ref.setting?.component ?? (ref.key ? (KEY_COMPONENT[ref.key] ?? "node") : "node");
  let path: string | undefined;
  let key = ref.key ?? ref.setting?.flag ?? "";
  if (ref.setting) {
    const comp = facts.components[ref.setting.component];
    if (comp) {
      const l = lookupSetting(comp, facts, ref.setting.flag, {
        config: ref.setting.config,
        useDefault: false,
      });
      if (l.value !== undefined) {
        path = l.value;
        key = l.key;
      }
    }
  }
  if (path === undefined && ref.key) {
    const candidates = facts.paths[ref.key];
    if (candidates === null)
      return { paths: [], notApplicable: `${facts.distribution} has no ${ref.key} file`, component, key };
    path = firstExisting(reader, candidates);
    if (path === undefined) {
      const extra = collectAlso(also, facts, reader);
      if (extra.length > 0) return { paths: extra, component, key };
      return { paths: [], missing: candidates.join(" or "), component, key };
    }
  }
  if (path === undefined)
    return {
      paths: [],
      missing: `the file named by ${ref.setting?.component} ${ref.setting?.flag}`,
      component,
      key,
    };
  if (!reader.stat(path)) return { paths: [], missing: path, component, key };
  return { paths: [path, ...collectAlso(also, facts, reader)], component, key };
}

function collectAlso(also: readonly PathKey[] | undefined, facts: NodeFacts, reader: HostReader): string[] {
  const out: string[] = [];
  for (const k of also ?? []) {
    const p = firstExisting(reader, facts.paths[k]);
    if (p) out.push(p);
  }
  return out;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
  );
}

/** The directory itself and everything under it (symlinks are not followed into), in a stable order. */
function walk(reader: HostReader, dir: string, match: RegExp | undefined, limit = 10_000): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0 && out.length < limit) {
    const cur = stack.pop() as string;
    const st = reader.stat(cur);
    if (!st) continue;
    const name = cur.slice(cur.lastIndexOf("/") + 1);
    if (!match || (!st.isDirectory && match.test(name))) out.push(cur);
    if (st.isDirectory) {
      const entries = reader.list(cur) ?? [];
      for (let i = entries.length - 1; i >= 0; i--) stack.push(`${cur.replace(/\/$/, "")}/${entries[i]}`);
    }
  }
  return out.sort();
}

function fileAudit(
  a: Extract<Audit, { type: "mode" | "owner" }>,
  facts: NodeFacts,
  reader: HostReader,
): Verdict {
  const r = resolveFiles(a.file, a.also, facts, reader);
  const kind = a.type === "mode" ? "file-permissions" : "file-owner";
  const expected = a.type === "mode" ? `${a.max.toString(8)} or stricter` : a.expected;
  if (r.notApplicable) return { ok: "skip", message: r.notApplicable };
  if (r.missing !== undefined) {
    const ev: Evidence = { component: r.component, kind, key: r.key, path: null, actual: null, expected };
    if (a.ifMissing === "skip") return { ok: "skip", message: `${r.missing} does not exist` };
    return { ok: a.ifMissing === "pass", message: `${r.missing} does not exist`, evidence: ev };
  }
  let files = r.paths;
  if (a.walk) {
    const re = a.walk.match ? globToRegExp(a.walk.match) : undefined;
    files = r.paths.flatMap((p) => walk(reader, p, re));
    if (files.length === 0)
      return { ok: true, message: `no file matches ${a.walk.match ?? "*"} under ${r.paths.join(", ")}` };
  }
  const bad: Array<{ path: string; actual: string }> = [];
  let firstActual = "";
  for (const f of files) {
    const st = reader.stat(f);
    if (!st) continue;
    const actual = a.type === "mode" ? st.mode.toString(8).padStart(3, "0") : ownerOf(st.uid, st.gid, facts);
    if (!firstActual) firstActual = actual;
    const ok =
      a.type === "mode"
        ? (st.mode & ~a.max & 0o777) === 0 && (st.mode & 0o7000) === 0
        : actual === a.expected;
    if (!ok) bad.push({ path: f, actual });
  }
  if (bad.length === 0) {
    return {
      ok: true,
      message:
        files.length === 1
          ? `${files[0]} is ${firstActual}`
          : `${files.length} files checked, all ${expected}`,
      evidence: { component: r.component, kind, key: r.key, path: files[0], actual: firstActual, expected },
      path: files[0],
    };
  }
  const list = bad.slice(0, 5).map((b) => `${b.path} is ${b.actual}`);
  const more = bad.length > 5 ? ` and ${bad.length - 5} more` : "";
  return {
    ok: false,
    message: `${list.join(", ")}${more}; expected ${expected}`,
    evidence: {
      component: r.component,
      kind,
      key: r.key,
      path: bad[0].path,
      actual: bad[0].actual,
      expected,
    },
    path: bad.length === 1 ? bad[0].path : (r.paths[0] ?? bad[0].path),
  };
}

function ownerOf(uid: number, gid: number, facts: NodeFacts): string {
  return `${facts.users.get(uid) ?? String(uid)}:${facts.groups.get(gid) ?? String(gid)}`;
}

// ---------------------------------------------------------------- encryption and audit policy

function readYaml(reader: HostReader, path: string): { data?: unknown; error?: string } {
  const text = reader.readFile(path);
  if (text === undefined) return { error: `cannot read ${path}` };
  try {
    return { data: parseYaml(text) };
  } catch (e) {
    return { error: `${path} is not valid YAML/JSON: ${(e as Error).message.split("\n")[0]}` };
  }
}

function encryptionAudit(allowed: readonly string[], facts: NodeFacts, reader: HostReader): Verdict {
  const api = facts.components["kube-apiserver"];
  if (!api) return { ok: "skip", message: "kube-apiserver does not run on this node" };
  const path = lastValue(api.flags, "--encryption-provider-config");
  const base = {
    component: "kube-apiserver",
    kind: "config" as const,
    key: "--encryption-provider-config",
    expected: `first provider one of ${allowed.join(", ")}`,
  };
  if (!path)
    return {
      ok: false,
      message: "kube-apiserver has no --encryption-provider-config: secrets are stored unencrypted in etcd",
      evidence: { ...base, kind: "flag", path: api.where, actual: null },
      path: api.editAt,
    };
  const { data, error } = readYaml(reader, path);
  if (error) return { ok: false, message: error, evidence: { ...base, path, actual: null }, path };
  const resources = (data as { resources?: unknown })?.resources;
  if (!Array.isArray(resources) || resources.length === 0) {
    return {
      ok: false,
      message: `${path} lists no resources`,
      evidence: { ...base, path, actual: null },
      path,
    };
  }
  const firsts: string[] = [];
  for (const r of resources) {
    const providers = (r as { providers?: unknown })?.providers;
    const first =
      Array.isArray(providers) && providers[0] && typeof providers[0] === "object"
        ? Object.keys(providers[0])[0]
        : undefined;
    firsts.push(first ?? "none");
  }
  const bad = firsts.filter((f) => !allowed.includes(f));
  return {
    ok: bad.length === 0,
    message:
      bad.length === 0
        ? `${path}: resources are encrypted first with ${[...new Set(firsts)].join(", ")}`
        : `${path}: first provider ${bad.join(", ")} is not one of ${allowed.join(", ")}`,
    evidence: { ...base, path, actual: firsts.join(",") },
    path,
  };
}

const LEVELS = ["None", "Metadata", "Request", "RequestResponse"];

interface PolicyRule {
  level?: string;
  users?: unknown[];
  userGroups?: unknown[];
  verbs?: string[];
  resources?: Array<{ group?: string; resources?: string[]; resourceNames?: string[] }>;
  namespaces?: string[];
  nonResourceURLs?: string[];
}

/** The level the first matching rule gives (audit policy semantics: first match wins; no match = None). */
export function policyLevel(
  rules: readonly PolicyRule[],
  group: string,
  resource: string,
  verb: string,
): string {
  const [res, sub] = resource.split("/");
  for (const rule of rules) {
    // Rules limited to some users, groups, namespaces or URLs do not cover every request.
    if (
      (rule.users?.length ?? 0) > 0 ||
      (rule.userGroups?.length ?? 0) > 0 ||
      (rule.namespaces?.length ?? 0) > 0
    )
      continue;
    if ((rule.nonResourceURLs?.length ?? 0) > 0) continue;
    if (rule.verbs && rule.verbs.length > 0 && !rule.verbs.includes(verb) && !rule.verbs.includes("*"))
      continue;
    if (rule.resources && rule.resources.length > 0) {
      const hit = rule.resources.some((gr) => {
        if ((gr.group ?? "") !== group) return false;
        if ((gr.resourceNames?.length ?? 0) > 0) return false;
        const list = gr.resources ?? [];
        if (list.length === 0) return true;
        return list.some(
          (x) =>
            x === "*" ||
            x === resource ||
            (sub !== undefined && x === `*/${sub}`) ||
            (x.endsWith("/*") && x.slice(0, -2) === res),
        );
      });
      if (!hit) continue;
    }
    return rule.level ?? "None";
  }
  return "None";
}

function auditPolicyAudit(
  reqs: readonly AuditPolicyRequirement[],
  facts: NodeFacts,
  reader: HostReader,
): Verdict {
  const api = facts.components["kube-apiserver"];
  if (!api) return { ok: "skip", message: "kube-apiserver does not run on this node" };
  const path = lastValue(api.flags, "--audit-policy-file");
  const base = {
    component: "kube-apiserver",
    kind: "config" as const,
    key: "--audit-policy-file",
    expected: "a policy covering the key resources",
  };
  if (!path)
    return {
      ok: false,
      message: "kube-apiserver has no --audit-policy-file: nothing is audited",
      evidence: { ...base, kind: "flag", path: api.where, actual: null },
      path: api.editAt,
    };
  const { data, error } = readYaml(reader, path);
  if (error) return { ok: false, message: error, evidence: { ...base, path, actual: null }, path };
  const rules = (data as { rules?: unknown })?.rules;
  if (!Array.isArray(rules))
    return { ok: false, message: `${path} has no rules`, evidence: { ...base, path, actual: null }, path };
  const gaps: string[] = [];
  for (const req of reqs) {
    const verbs = req.verbs ?? ["get", "list", "create", "update", "patch", "delete"];
    for (const resource of req.resources) {
      for (const verb of verbs) {
        const lvl = policyLevel(rules as PolicyRule[], req.group ?? "", resource, verb);
        const i = LEVELS.indexOf(lvl);
        if (i < LEVELS.indexOf(req.minLevel) || (req.maxLevel && i > LEVELS.indexOf(req.maxLevel))) {
          gaps.push(`${verb} ${resource} logged at ${lvl} (${req.description})`);
          break;
        }
      }
    }
  }
  return {
    ok: gaps.length === 0,
    message: gaps.length === 0 ? `${path} covers every key resource` : `${path}: ${gaps.join("; ")}`,
    evidence: { ...base, path, actual: gaps.length === 0 ? "covered" : gaps[0] },
    path,
  };
}

// ---------------------------------------------------------------- remediation

function fillRemediation(check: CheckDef, facts: NodeFacts, path: string | undefined): string {
  let a = check.audit;
  while ((a.type === "any" || a.type === "all") && a.audits.length > 0)
    a = a.audits.find((x) => x.type === "setting") ?? a.audits[0];
  let editAt: string | undefined;
  if (a.type === "setting") {
    const comp = facts.components[a.component];
    const cfg = configOf(a.component, facts);
    editAt = a.configs?.some(Boolean) && cfg ? cfg.path : (comp?.editAt ?? comp?.where);
  }
  return check.remediation
    .replaceAll("{path}", path ?? "<file>")
    .replaceAll("{editAt}", editAt ?? path ?? "<the component's configuration>")
    .replaceAll("{distribution}", facts.distribution);
}

export function severityOf(check: CheckDef): Severity {
  return check.severity;
}
