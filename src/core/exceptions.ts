// Exceptions: findings the user has accepted, by annotation on the object or by
// an entry in an ignore file. A matching finding is marked `suppressed`, never
// dropped; output filters it unless --include-suppressed. `applyExceptions` is
// pure (no I/O, clock injected) so the CLI, the admission controller and the
// cluster audit share it; reading the ignore file is a separate step.
import { existsSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import yaml from "js-yaml";
import picomatch from "picomatch";
import { readRegularFile } from "./files.js";
import { buildLineTree, lookupLine } from "./loader/lines.js";
import { KUBE_YAML_SCHEMA } from "./loader/yaml-schema.js";
import type { Finding, ScanError, Suppression } from "./model.js";
import { isRecord, type K8sObject } from "./object.js";
import { podTemplateOf } from "./podspec.js";

export const IGNORE_ANNOTATION = "kubeward.io/ignore";
export const IGNORE_REASON_ANNOTATION = "kubeward.io/ignore-reason";
export const IGNORE_FILE_NAME = ".kubewardignore.yaml";

/** One accepted exception from an ignore file. Patterns are globs (`*` matches any run of characters). */
export interface IgnoreRule {
  /** Check id or glob (`KW-POD-001`, `KW-RBAC-*`, `*`); case-insensitive. */
  id: string;
  resource?: { kind?: string; namespace?: string; name?: string };
  /** Glob of the manifest file, matched against the reported file and against it relative to `base`. */
  path?: string;
  reason: string;
  /** Last day (UTC, inclusive) the rule applies, `YYYY-MM-DD`. */
  expires?: string;
  /** Where the rule was written: for messages, and `base` for relative path globs. */
  origin?: { file: string; index: number; line?: number; base?: string };
}

export interface ExpiredRule {
  rule: IgnoreRule;
  /** Findings the rule would have suppressed had it not expired. */
  matches: number;
  message: string;
}

export interface ExceptionsResult {
  findings: Finding[];
  expired: ExpiredRule[];
}

/**
 * Marks findings covered by an annotation on their object (or its pod template) or by an
 * unexpired ignore rule. Annotation wins over ignore file; among rules the first match wins.
 * Returns new finding objects; inputs are not modified.
 */
export function applyExceptions(
  findings: readonly Finding[],
  objects: readonly K8sObject[],
  rules: readonly IgnoreRule[],
  now: Date,
): ExceptionsResult {
  const today = now.toISOString().slice(0, 10);
  const active: CompiledRule[] = [];
  const expired: Array<{ compiled: CompiledRule; matches: number }> = [];
  for (const rule of rules) {
    const compiled = compileRule(rule);
    if (rule.expires !== undefined && rule.expires < today) expired.push({ compiled, matches: 0 });
    else active.push(compiled);
  }
  const index = indexObjects(objects);
  const out = findings.map((finding) => {
    if (finding.suppressed) return finding;
    const byAnnotation = annotationSuppression(finding, index);
    if (byAnnotation) return { ...finding, suppressed: byAnnotation };
    for (const c of active) {
      if (!c.matches(finding)) continue;
      const suppressed: Suppression = { by: "ignore-file", reason: c.rule.reason };
      if (c.rule.expires) suppressed.expires = c.rule.expires;
      return { ...finding, suppressed };
    }
    for (const e of expired) if (e.compiled.matches(finding)) e.matches++;
    return finding;
  });
  return {
    findings: out,
    expired: expired.map(({ compiled: { rule }, matches }) => ({
      rule,
      matches,
      message: `${where(rule)}: ignore entry for ${rule.id} expired on ${rule.expires}; it no longer applies${
        matches > 0 ? ` (${matches} finding${matches === 1 ? "" : "s"} reported again)` : ""
      }`,
    })),
  };
}

/** Expired entries as report errors (code "ignore-expired") pointing at the ignore file. */
export function expiredAsErrors(expired: readonly ExpiredRule[]): ScanError[] {
  return expired.map((e) => ({
    ...(e.rule.origin ? { file: e.rule.origin.file } : {}),
    ...(e.rule.origin?.line !== undefined ? { line: e.rule.origin.line } : {}),
    code: "ignore-expired",
    message: e.message,
  }));
}

/** Check ids listed in an object's `kubeward.io/ignore` annotation (`*` and `all` mean every check). */
export function annotationIds(annotations: Record<string, unknown> | undefined): string[] {
  const value = annotations?.[IGNORE_ANNOTATION];
  if (typeof value !== "string") return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (s.toLowerCase() === "all" ? "*" : s));
}

// ---------------------------------------------------------------------------------------------

interface CompiledRule {
  rule: IgnoreRule;
  matches(f: Finding): boolean;
}

const ID_MATCHERS = new Map<string, (id: string) => boolean>();
/** Compiled check-id globs, cached: annotations repeat the same few patterns on many findings. */
function idMatcher(pattern: string): (id: string) => boolean {
  let m = ID_MATCHERS.get(pattern);
  if (!m) {
    m = pattern === "*" ? () => true : picomatch(pattern, { nocase: true, dot: true });
    if (ID_MATCHERS.size < 1000) ID_MATCHERS.set(pattern, m);
  }
  return m;
}

function compileRule(rule: IgnoreRule): CompiledRule {
  const id = idMatcher(rule.id);
  // `*` alone matches anything, the empty namespace of an object that names none included.
  const glob = (p: string | undefined) =>
    p === undefined ? undefined : p === "*" ? () => true : picomatch(p, { dot: true });
  const kind = glob(rule.resource?.kind);
  const namespace = glob(rule.resource?.namespace);
  const name = glob(rule.resource?.name);
  // A glob without a slash matches the file's base name (picomatch's `basename` mishandles globs with slashes).
  const path =
    rule.path === undefined
      ? undefined
      : picomatch(rule.path, { dot: true, basename: !rule.path.includes("/") });
  const base = rule.origin?.base;
  return {
    rule,
    matches(f) {
      if (!id(f.checkId)) return false;
      const r = f.resource;
      if (kind && !kind(r?.kind ?? "")) return false;
      if (namespace && !namespace(r?.namespace ?? "")) return false;
      if (name && !name(r?.name ?? "")) return false;
      if (path) {
        const file = f.location?.file;
        if (!file) return false;
        return candidatesFor(file, base).some((c) => path(c));
      }
      return true;
    },
  };
}

function normalizePath(p: string): string {
  let s = p.split(sep).join("/");
  while (s.startsWith("./")) s = s.slice(2);
  return s;
}

function candidatesFor(file: string, base: string | undefined): string[] {
  const out = [normalizePath(file)];
  if (base !== undefined) {
    const rel = normalizePath(relative(base, file));
    if (rel && !rel.startsWith("../") && rel !== ".." && !posix.isAbsolute(rel)) out.push(rel);
  }
  return out;
}

interface ObjectIndex {
  exact: Map<string, K8sObject>;
  /** By identity without file; undefined when two objects share the identity. */
  loose: Map<string, K8sObject | undefined>;
}

function identity(kind?: string, namespace?: string, name?: string): string {
  return `${kind ?? ""}\u0000${namespace ?? ""}\u0000${name ?? ""}`;
}

function indexObjects(objects: readonly K8sObject[]): ObjectIndex {
  const exact = new Map<string, K8sObject>();
  const loose = new Map<string, K8sObject | undefined>();
  for (const o of objects) {
    const id = identity(o.kind, o.metadata.namespace, o.metadata.name);
    const key = `${o.source.file}\u0000${id}`;
    if (!exact.has(key)) exact.set(key, o);
    loose.set(id, loose.has(id) ? undefined : o);
  }
  return { exact, loose };
}

function annotationSuppression(f: Finding, index: ObjectIndex): Suppression | undefined {
  const r = f.resource;
  if (!r) return undefined;
  const id = identity(r.kind, r.namespace, r.name);
  const obj =
    (f.location?.file !== undefined ? index.exact.get(`${f.location.file}\u0000${id}`) : undefined) ??
    index.loose.get(id);
  if (!obj) return undefined;
  // The object's own annotations, then (for workloads) its pod template's.
  for (const annotations of [obj.metadata.annotations, templateAnnotations(obj)]) {
    const ids = annotationIds(annotations);
    if (!ids.some((pattern) => idMatcher(pattern)(f.checkId))) continue;
    const reason = annotations?.[IGNORE_REASON_ANNOTATION];
    return {
      by: "annotation",
      ...(typeof reason === "string" && reason.trim() ? { reason: reason.trim() } : {}),
    };
  }
  return undefined;
}

/** Annotations of a workload's pod template; a Pod's own were already read as the object's. */
function templateAnnotations(obj: K8sObject): Record<string, unknown> | undefined {
  if (obj.kind === "Pod") return undefined;
  const metadata = podTemplateOf(obj)?.metadata;
  return isRecord(metadata) && isRecord(metadata.annotations) ? metadata.annotations : undefined;
}

function where(rule: IgnoreRule): string {
  const o = rule.origin;
  if (!o) return "ignore rule";
  return `${o.file}${o.line !== undefined ? `:${o.line}` : ""} (ignores[${o.index}])`;
}

// ---------------------------------------------------------------------------------------------
// The ignore file

const ENTRY_KEYS = new Set(["id", "resource", "path", "reason", "expires"]);
const RESOURCE_KEYS = new Set(["kind", "namespace", "name"]);
const TOP_KEYS = new Set(["ignores", "version"]);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Validates an ignore file's text. Each bad entry gives one "ignore-file-invalid" error naming
 * the entry (`ignores[2]`) and its line; the valid entries are still returned.
 * `base` is the directory relative path globs are resolved against (the file's directory).
 */
export function parseIgnoreFile(
  text: string,
  file: string,
  base?: string,
): { rules: IgnoreRule[]; errors: ScanError[] } {
  const errors: ScanError[] = [];
  const fail = (message: string, line?: number) =>
    errors.push({
      file,
      ...(line !== undefined ? { line } : {}),
      code: "ignore-file-invalid",
      message: `${file}${line !== undefined ? `:${line}` : ""}: ${message}`,
    });
  let data: unknown;
  try {
    data = yaml.load(text, { schema: KUBE_YAML_SCHEMA });
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number } };
    fail(`not valid YAML: ${e.reason ?? String(err)}`, e.mark ? e.mark.line + 1 : undefined);
    return { rules: [], errors };
  }
  if (data === undefined || data === null) return { rules: [], errors };
  const tree = buildLineTree(text);
  const lineOf = (path: Array<string | number>) => (tree ? lookupLine(tree, path) + 1 : undefined);
  if (!isRecord(data)) {
    fail("expected a mapping with an `ignores:` list at the top level");
    return { rules: [], errors };
  }
  for (const key of Object.keys(data)) {
    if (!TOP_KEYS.has(key)) fail(`unknown top-level key "${key}" (expected ignores, version)`, lineOf([key]));
  }
  if (data.version !== undefined && data.version !== 1)
    fail(`unsupported version ${JSON.stringify(data.version)} (expected 1)`, lineOf(["version"]));
  const list = data.ignores;
  if (list === undefined || list === null) return { rules: [], errors };
  if (!Array.isArray(list)) {
    fail("`ignores` must be a list of entries", lineOf(["ignores"]));
    return { rules: [], errors };
  }
  const rules: IgnoreRule[] = [];
  list.forEach((entry, index) => {
    const line = lineOf(["ignores", index]);
    const problems = entryProblems(entry);
    if (problems.length > 0) {
      fail(`ignores[${index}]: ${problems.join("; ")}`, line);
      return;
    }
    const e = entry as Record<string, unknown>;
    const rule: IgnoreRule = { id: (e.id as string).trim(), reason: (e.reason as string).trim() };
    if (isRecord(e.resource)) {
      const res: NonNullable<IgnoreRule["resource"]> = {};
      for (const k of ["kind", "namespace", "name"] as const)
        if (typeof e.resource[k] === "string") res[k] = e.resource[k] as string;
      rule.resource = res;
    }
    if (typeof e.path === "string") rule.path = e.path;
    if (typeof e.expires === "string") rule.expires = e.expires;
    rule.origin = {
      file,
      index,
      ...(line !== undefined ? { line } : {}),
      ...(base !== undefined ? { base } : {}),
    };
    rules.push(rule);
  });
  return { rules, errors };
}

function entryProblems(entry: unknown): string[] {
  if (!isRecord(entry)) return ["an entry must be a mapping with id and reason"];
  const problems: string[] = [];
  for (const key of Object.keys(entry))
    if (!ENTRY_KEYS.has(key))
      problems.push(`unknown key "${key}" (expected id, resource, path, reason, expires)`);
  if (typeof entry.id !== "string" || entry.id.trim() === "")
    problems.push("`id` is required: a check id such as KW-POD-001 (globs allowed)");
  if (typeof entry.reason !== "string" || entry.reason.trim() === "")
    problems.push("`reason` is required: say why this is accepted");
  if (entry.resource !== undefined) {
    if (!isRecord(entry.resource)) problems.push("`resource` must be a mapping of kind, namespace, name");
    else {
      for (const [k, v] of Object.entries(entry.resource)) {
        if (!RESOURCE_KEYS.has(k))
          problems.push(`unknown key "resource.${k}" (expected kind, namespace, name)`);
        else if (typeof v !== "string" || v === "")
          problems.push(`\`resource.${k}\` must be a non-empty string`);
      }
    }
  }
  if (entry.path !== undefined && (typeof entry.path !== "string" || entry.path === ""))
    problems.push("`path` must be a non-empty glob string");
  if (entry.expires !== undefined && !validDate(entry.expires)) {
    problems.push(`\`expires\` must be a date YYYY-MM-DD, got ${JSON.stringify(entry.expires)}`);
  }
  return problems;
}

function validDate(v: unknown): boolean {
  if (typeof v !== "string") return false;
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v;
}

/** Largest ignore file read (as the manifest loader's default). */
const MAX_IGNORE_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Reads and validates an ignore file; a file that cannot be read (missing, a FIFO, too large) gives
 * one "unreadable" error.
 */
export function readIgnoreFile(path: string): { rules: IgnoreRule[]; errors: ScanError[] } {
  let text: string;
  try {
    text = readRegularFile(path, MAX_IGNORE_FILE_BYTES).toString("utf8");
  } catch (err) {
    return unreadableIgnoreFile(path, err);
  }
  return parseIgnoreFile(text, path, join(path, ".."));
}

/** The rules of a scan's ignore files; a file that cannot be read, or bad entries, become errors naming it. */
export function readIgnoreRules(files: readonly string[], errors: ScanError[]): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const file of files) {
    const read = readIgnoreFile(file);
    rules.push(...read.rules);
    errors.push(...read.errors);
  }
  return rules;
}

function unreadableIgnoreFile(path: string, err: unknown): { rules: IgnoreRule[]; errors: ScanError[] } {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "no such file" : (err as Error).message;
  return {
    rules: [],
    errors: [{ file: path, code: "unreadable", message: `${path}: cannot read ignore file: ${why}` }],
  };
}

/** The default ignore files of a scan: `.kubewardignore.yaml` in each directory target that has one. */
export function defaultIgnoreFiles(targets: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of targets) {
    if (t === "-") continue;
    try {
      if (!statSync(t).isDirectory()) continue;
    } catch {
      continue;
    }
    const candidate = join(t, IGNORE_FILE_NAME);
    if (existsSync(candidate) && !out.includes(candidate)) out.push(candidate);
  }
  return out;
}
