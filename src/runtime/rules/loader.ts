/**
 * Falco rules YAML loader: collects `list`, `macro` and `rule` items from files in load order
 * (later definitions replace earlier ones in place, `append: true` and `override:` extend or replace
 * them), then compiles every enabled rule once. Lists are substituted into condition text, macros are
 * resolved on the parsed tree with Falco's visibility order (a macro sees the macros defined before it;
 * a rule sees all of them). Problems are collected, never thrown: each names file, item and position.
 */
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import {
  type CompiledMacro,
  type CompileEnv,
  type CompileWarning,
  compileExpr,
  type Evaluator,
  SlotRegistry,
} from "../condition/compile.js";
import { type Expr, parseCondition } from "../condition/parser.js";
import { RuntimeError, type RuntimeErrorCode } from "../errors.js";
import type { FieldTable } from "../fields/types.js";
import { compileOutput, type OutputFormat, type Priority, parsePriority } from "../output.js";
import { buildExceptionCondition, type ExceptionInfo, parseException } from "./exceptions.js";

/** Falco engine version whose rules language this loader implements. */
export const ENGINE_VERSION = "0.57.0";

export interface RulesFile {
  path: string;
  text: string;
}

export interface LoadMessage {
  code:
    | RuntimeErrorCode
    | "unknown-item"
    | "unknown-key"
    | "unknown-source"
    | "compile-warning"
    | "inactive-rule";
  message: string;
  file: string;
  line?: number;
  item?: string;
  /** position inside the condition text (1-based line/col) */
  condLine?: number;
  condCol?: number;
}

export interface CompiledRule<E = unknown> {
  name: string;
  desc: string;
  priority: Priority;
  source: string;
  tags: string[];
  output: OutputFormat<E>;
  evaluate: Evaluator<E>;
  /**
   * The condition as a chain of top-level conjuncts (and-ed, macros that are and-chains opened up), each
   * with a key that is the same for identical checks: the engine shares the evaluation of common prefixes.
   */
  conjuncts: { key: string; ev: Evaluator<E> }[];
  file: string;
  line: number;
}

export interface InactiveRule {
  name: string;
  source: string;
  reason: string;
}

export interface RuleSet {
  ok: boolean;
  errors: LoadMessage[];
  warnings: LoadMessage[];
  /** compiled, enabled rules per source, in definition order */
  rules: CompiledRule[];
  /** enabled rules that cannot fire with kubeward's event sources */
  inactive: InactiveRule[];
  /** rules switched off with enabled: false */
  disabled: string[];
  /** slots per source, to size evaluation contexts */
  slots: Map<string, SlotRegistry>;
  requiredEngineVersion?: string;
  requiredPluginVersions: {
    name: string;
    version: string;
    alternatives: { name: string; version: string }[];
  }[];
}

interface Ctx {
  file: string;
  line: number;
}
interface ListInfo extends Ctx {
  name: string;
  items: string[];
  index: number;
  visibility: number;
}
interface MacroInfo extends Ctx {
  name: string;
  cond: string;
  index: number;
  visibility: number;
}
interface RuleInfo extends Ctx {
  name: string;
  cond: string;
  output: string;
  desc: string;
  priority: Priority;
  source: string;
  tags: string[];
  enabled: boolean;
  exceptions: ExceptionInfo[];
  skipIfUnknownFilter: boolean;
  index: number;
}

type Obj = Record<string, unknown>;

const RULE_KEYS = new Set([
  "rule",
  "condition",
  "output",
  "desc",
  "priority",
  "source",
  "tags",
  "enabled",
  "exceptions",
  "append",
  "override",
  "skip-if-unknown-filter",
  "warn_evttypes",
  "capture",
  "capture_duration",
]);
const OVERRIDABLE: Record<string, { append: Set<string>; replace: Set<string> }> = {
  list: { append: new Set(["items"]), replace: new Set(["items"]) },
  macro: { append: new Set(["condition"]), replace: new Set(["condition"]) },
  rule: {
    append: new Set(["condition", "output", "desc", "tags", "exceptions"]),
    replace: new Set([
      "condition",
      "output",
      "desc",
      "priority",
      "tags",
      "exceptions",
      "enabled",
      "warn_evttypes",
      "skip-if-unknown-filter",
      "capture",
      "capture_duration",
    ]),
  },
};

function semverLess(a: string, b: string): boolean {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

function normEngineVersion(raw: string): string | undefined {
  if (/^[0-9]+$/.test(raw)) return `0.${raw}.0`;
  if (/^[0-9]+\.[0-9]+\.[0-9]+$/.test(raw)) return raw;
  return undefined;
}

const asBool = (v: unknown): boolean | undefined => (v === "true" ? true : v === "false" ? false : undefined);

/** Replace whole-word occurrences of list names with their items (Falco substitutes lists in the text). */
function substituteLists(cond: string, lists: Map<string, string[]>, names: string[]): string {
  const delims = " \t\n\r(),=";
  const blanks = " \t\n\r";
  let out = cond;
  for (const name of names) {
    if (!out.includes(name)) continue;
    const items = lists.get(name)!;
    let start = out.indexOf(name);
    while (start >= 0) {
      let end = start + name.length;
      const okLeft = start === 0 || delims.includes(out[start - 1]!);
      const okRight = end >= out.length || delims.includes(out[end]!);
      if (okLeft && okRight) {
        while (start > 0 && blanks.includes(out[start - 1]!)) start--;
        while (end < out.length && blanks.includes(out[end]!)) end++;
        const sub = items
          .map((v) => (v.includes(" ") && v[0] !== '"' && v[0] !== "'" ? `"${v}"` : v))
          .join(", ");
        if (sub === "") {
          if (start > 0 && out[start - 1] === ",") start--;
          else if (end < out.length && out[end] === ",") end++;
        }
        const head = start > 0 ? `${out.slice(0, start)} ` : "";
        out = `${head}${sub} ${out.slice(end)}`;
        start = head.length + sub.length + 1;
      }
      start = out.indexOf(name, start + 1);
    }
  }
  return out;
}

export interface LoadOptions {
  /** field tables by Falco source name; rules for other sources are skipped with a warning */
  tables: Record<string, FieldTable<never>>;
}

/** Load and compile rules files in order. Never throws for bad input: see `errors`. */
export function loadRules(files: RulesFile[], opts: LoadOptions): RuleSet {
  const errors: LoadMessage[] = [];
  const warnings: LoadMessage[] = [];
  const lists = new Map<string, ListInfo>();
  const macros = new Map<string, MacroInfo>();
  const rules = new Map<string, RuleInfo>();
  const plugins: RuleSet["requiredPluginVersions"] = [];
  let engineVersion: string | undefined;
  let index = 0;

  const fail = (code: LoadMessage["code"], message: string, ctx: Ctx, item?: string) =>
    errors.push({ code, message, file: ctx.file, line: ctx.line, item });
  const warn = (code: LoadMessage["code"], message: string, ctx: Ctx, item?: string) =>
    warnings.push({ code, message, file: ctx.file, line: ctx.line, item });

  for (const file of files) {
    const lc = new LineCounter();
    const doc = parseDocument(file.text, { lineCounter: lc, schema: "failsafe", uniqueKeys: false });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const line = e.linePos?.[0]?.line ?? 0;
        fail("rules-yaml", `invalid YAML: ${e.message.split("\n")[0]}`, { file: file.path, line });
      }
      continue;
    }
    const root = doc.contents;
    if (root === null || root === undefined) continue;
    if (!isSeq(root)) {
      fail("rules-schema", "Rules content is not yaml array of objects", { file: file.path, line: 1 });
      continue;
    }
    for (const node of root.items) {
      const line =
        node && typeof node === "object" && "range" in node && node.range
          ? lc.linePos(node.range[0]).line
          : 0;
      const ctx: Ctx = { file: file.path, line };
      if (!isMap(node)) {
        fail(
          "rules-schema",
          "Unexpected element type. Each element should be a yaml associative array.",
          ctx,
        );
        continue;
      }
      const item = node.toJS(doc) as Obj;
      try {
        index = collectItem(item, ctx, index);
      } catch (e) {
        if (e instanceof RuntimeError) {
          const name = String(item.rule ?? item.macro ?? item.list ?? "");
          fail(e.code, e.message, ctx, name || undefined);
        } else throw e;
      }
    }
  }

  function collectItem(item: Obj, ctx: Ctx, idx: number): number {
    if ("required_engine_version" in item) {
      const raw = String(item.required_engine_version);
      const v = normEngineVersion(raw);
      if (!v)
        throw new RuntimeError("rules-schema", `Unable to parse engine version '${raw}' as a semver string`);
      if (semverLess(ENGINE_VERSION, v)) {
        throw new RuntimeError(
          "rules-engine-version",
          `Rules require engine version ${v}, but engine version is ${ENGINE_VERSION}`,
        );
      }
      if (!engineVersion || semverLess(engineVersion, v)) engineVersion = v;
      return idx;
    }
    if ("required_plugin_versions" in item) {
      const reqs = item.required_plugin_versions;
      if (!Array.isArray(reqs))
        throw new RuntimeError("rules-schema", "required_plugin_versions must be a sequence");
      for (const r of reqs as Obj[]) {
        if (!r || typeof r.name !== "string" || typeof r.version !== "string") {
          throw new RuntimeError("rules-schema", "required_plugin_versions entries need name and version");
        }
        const alts = Array.isArray(r.alternatives) ? (r.alternatives as Obj[]) : [];
        plugins.push({
          name: r.name,
          version: r.version,
          alternatives: alts.map((a) => ({ name: String(a.name), version: String(a.version) })),
        });
      }
      return idx;
    }
    const kind = "rule" in item ? "rule" : "macro" in item ? "macro" : "list" in item ? "list" : undefined;
    if (!kind) {
      warn("unknown-item", `Unknown top level object: ${Object.keys(item).join(", ")}`, ctx);
      return idx;
    }
    const name = item[kind];
    if (typeof name !== "string" || name === "")
      throw new RuntimeError("rules-schema", `Mapping for key '${kind}' is empty`);
    const override = item.override as Obj | undefined;
    const append = asBool(item.append) ?? false;
    if (override !== undefined) {
      if (typeof override !== "object" || Array.isArray(override))
        throw new RuntimeError("rules-schema", "override must be a mapping");
      if (append)
        throw new RuntimeError("rules-schema", "Keys 'override' and 'append: true' cannot be used together.");
      for (const [k, how] of Object.entries(override)) {
        const allowed = OVERRIDABLE[kind]!;
        if (how !== "append" && how !== "replace") {
          throw new RuntimeError("rules-schema", `Key '${k}' in override must be one of: append, replace`);
        }
        if (!allowed[how].has(k))
          throw new RuntimeError(
            "rules-schema",
            `Key '${k}' cannot be overridden with '${how}' for a ${kind}`,
          );
        if (!(k in item))
          throw new RuntimeError(
            "rules-schema",
            `An override is defined for '${k}' but the ${kind} has no such key`,
          );
      }
    }
    if (kind === "list") return collectList(name, item, ctx, idx, append, override);
    if (kind === "macro") return collectMacro(name, item, ctx, idx, append, override);
    return collectRule(name, item, ctx, idx, append, override);
  }

  function strItems(v: unknown): string[] {
    if (!Array.isArray(v)) throw new RuntimeError("rules-schema", "List items must be a sequence");
    return v.map((x) => {
      if (typeof x !== "string") throw new RuntimeError("rules-schema", "List items must be strings");
      return x;
    });
  }

  function collectList(name: string, item: Obj, ctx: Ctx, idx: number, append: boolean, ov?: Obj): number {
    if (!("items" in item)) throw new RuntimeError("rules-schema", "Item has no mapping for key 'items'");
    const items = strItems(item.items);
    const prev = lists.get(name);
    const mode = ov ? ov.items : append ? "append" : undefined;
    if (mode) {
      if (!prev)
        throw new RuntimeError(
          "rules-no-previous",
          `List has '${mode}' key but no list by that name already exists`,
        );
      prev.items = mode === "append" ? [...prev.items, ...items] : items;
      prev.visibility = idx;
      return idx + 1;
    }
    if (prev) Object.assign(prev, { items, visibility: idx, file: ctx.file, line: ctx.line });
    else lists.set(name, { name, items, index: idx, visibility: idx, ...ctx });
    return idx + 1;
  }

  function collectMacro(name: string, item: Obj, ctx: Ctx, idx: number, append: boolean, ov?: Obj): number {
    if (typeof item.condition !== "string")
      throw new RuntimeError("rules-schema", "Item has no mapping for key 'condition'");
    const prev = macros.get(name);
    const mode = ov ? ov.condition : append ? "append" : undefined;
    if (mode) {
      if (!prev)
        throw new RuntimeError(
          "rules-no-previous",
          `Macro has '${mode}' key but no macro by that name already exists`,
        );
      prev.cond = mode === "append" ? `${prev.cond} ${item.condition}` : item.condition;
      prev.visibility = idx;
      return idx + 1;
    }
    if (prev) Object.assign(prev, { cond: item.condition, visibility: idx, file: ctx.file, line: ctx.line });
    else macros.set(name, { name, cond: item.condition, index: idx, visibility: idx, ...ctx });
    return idx + 1;
  }

  function tagsOf(v: unknown): string[] {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((t) => typeof t !== "string"))
      throw new RuntimeError("rules-schema", "Rule tags must be a sequence of strings");
    return v as string[];
  }

  function collectRule(name: string, item: Obj, ctx: Ctx, idx: number, append: boolean, ov?: Obj): number {
    for (const k of Object.keys(item))
      if (!RULE_KEYS.has(k)) warn("unknown-key", `Unknown key '${k}' in rule`, ctx, name);
    const prev = rules.get(name);
    if (ov || append) {
      if (!prev) {
        throw new RuntimeError(
          "rules-no-previous",
          ov
            ? "Rule has 'override' key but no rule by that name already exists"
            : "Rule has 'append' key but no rule by that name already exists",
        );
      }
      const how = (k: string): string | undefined =>
        ov ? (ov[k] as string | undefined) : append && k in item ? "append" : undefined;
      if (append && !ov && !("condition" in item) && !("exceptions" in item)) {
        throw new RuntimeError("rules-schema", "Appended rule must have exceptions or condition property");
      }
      for (const k of ["condition", "output", "desc"] as const) {
        const m = how(k);
        if (!m) continue;
        const v = item[k];
        if (typeof v !== "string") throw new RuntimeError("rules-schema", `Key '${k}' must be a string`);
        const field = k === "condition" ? "cond" : k;
        prev[field] = m === "append" ? (v === "" ? prev[field] : `${prev[field]} ${v}`) : v;
      }
      const mt = how("tags");
      if (mt)
        prev.tags = mt === "append" ? [...new Set([...prev.tags, ...tagsOf(item.tags)])] : tagsOf(item.tags);
      const me = how("exceptions");
      if (me) {
        const exs = (Array.isArray(item.exceptions) ? item.exceptions : []).map((e) =>
          parseException(e, true),
        );
        if (me === "replace") prev.exceptions = exs;
        else {
          for (const ex of exs) {
            const old = prev.exceptions.find((p) => p.name === ex.name);
            if (!old) {
              if (!ex.fields)
                throw new RuntimeError(
                  "rules-schema",
                  "Rule exception must have fields property with a list of fields",
                );
              if (ex.values.length === 0)
                throw new RuntimeError(
                  "rules-schema",
                  "Rule exception must have values property with a list of values",
                );
              prev.exceptions.push(ex);
            } else {
              if (ex.fields)
                throw new RuntimeError(
                  "rules-schema",
                  "Can not append exception fields to existing exception, only values",
                );
              if (ex.comps)
                throw new RuntimeError(
                  "rules-schema",
                  "Can not append exception comps to existing exception, only values",
                );
              old.values.push(...ex.values);
            }
          }
        }
      }
      const mp = how("priority");
      if (mp) {
        const p = parsePriority(String(item.priority));
        if (!p) throw new RuntimeError("rules-schema", `Invalid priority '${String(item.priority)}'`);
        prev.priority = p;
      }
      const men = how("enabled");
      if (men) prev.enabled = asBool(item.enabled) ?? prev.enabled;
      const ms = how("skip-if-unknown-filter");
      if (ms) prev.skipIfUnknownFilter = asBool(item["skip-if-unknown-filter"]) ?? false;
      return idx + 1;
    }
    // `- rule: X\n  enabled: false` alone switches an existing rule on or off
    const defining = ["condition", "output", "desc", "priority"].some((k) => k in item);
    if (!defining && "enabled" in item) {
      if (!prev)
        throw new RuntimeError(
          "rules-no-previous",
          "Rule has 'enabled' key but no rule by that name already exists",
        );
      prev.enabled = asBool(item.enabled) ?? prev.enabled;
      return idx;
    }
    for (const k of ["condition", "output", "desc", "priority"]) {
      if (typeof item[k] !== "string")
        throw new RuntimeError("rules-schema", `Item has no mapping for key '${k}'`);
    }
    const priority = parsePriority(item.priority as string);
    if (!priority) throw new RuntimeError("rules-schema", `Invalid priority '${String(item.priority)}'`);
    const source = typeof item.source === "string" ? item.source : "syscall";
    if (prev && prev.source !== source)
      throw new RuntimeError("rules-source", "Rule has been re-defined with a different source");
    const info: RuleInfo = {
      name,
      cond: item.condition as string,
      output: (item.output as string).trim(),
      desc: item.desc as string,
      priority,
      source,
      tags: tagsOf(item.tags),
      enabled: asBool(item.enabled) ?? true,
      exceptions: (Array.isArray(item.exceptions) ? item.exceptions : []).map((e) =>
        parseException(e, false),
      ),
      skipIfUnknownFilter: asBool(item["skip-if-unknown-filter"]) ?? false,
      index: prev ? prev.index : idx,
      ...ctx,
    };
    rules.set(name, info);
    return idx + 1;
  }

  // ---- compile lists: items that name a list defined earlier expand into its items
  const compiledLists = new Map<string, string[]>();
  for (const l of lists.values()) {
    const out: string[] = [];
    for (const it of l.items) {
      const ref = lists.get(it);
      if (ref && ref.index < l.visibility && ref !== l) out.push(...(compiledLists.get(it) ?? ref.items));
      else out.push(it);
    }
    compiledLists.set(l.name, out);
  }
  const listNames = [...compiledLists.keys()];

  // ---- parse macros (all of them: a syntax error in an unused macro is still an error)
  const parsedMacros = new Map<string, Expr>();
  for (const m of macros.values()) {
    try {
      parsedMacros.set(m.name, parseCondition(substituteLists(m.cond, compiledLists, listNames)));
    } catch (e) {
      if (!(e instanceof RuntimeError)) throw e;
      errors.push(condError(e, m, `macro ${m.name}`));
    }
  }

  // ---- compile rules
  const compiled: CompiledRule[] = [];
  const inactive: InactiveRule[] = [];
  const disabled: string[] = [];
  const slots = new Map<string, SlotRegistry>();
  const macroCaches = new Map<string, Map<string, CompiledMacro<never>>>();
  const sharedConjuncts = new Map<string, Evaluator<never>>();
  const ordered = [...rules.values()].sort((a, b) => a.index - b.index);
  for (const r of ordered) {
    if (!r.enabled) {
      disabled.push(r.name);
      continue;
    }
    const table = opts.tables[r.source];
    if (!table) {
      warnings.push({
        code: "unknown-source",
        message: `Unknown source ${r.source}, skipping`,
        file: r.file,
        line: r.line,
        item: r.name,
      });
      inactive.push({ name: r.name, source: r.source, reason: `unknown source ${r.source}` });
      continue;
    }
    let reg = slots.get(r.source);
    if (!reg) {
      reg = new SlotRegistry();
      slots.set(r.source, reg);
    }
    const cond = r.exceptions.length > 0 ? buildExceptionCondition(r.cond, r.exceptions) : r.cond;
    let expr: Expr;
    try {
      expr = parseCondition(substituteLists(cond, compiledLists, listNames));
    } catch (e) {
      if (!(e instanceof RuntimeError)) throw e;
      errors.push(condError(e, r, r.name));
      continue;
    }
    const warns: CompileWarning[] = [];
    const env: CompileEnv<never> = {
      table: table as FieldTable<never>,
      slots: reg,
      usedFields: new Set(),
      unavailable: new Map(),
      warnings: warns,
      macro: (name) => parsedMacros.get(name),
      macroCache: macroCaches.get(r.source) ?? macroCaches.set(r.source, new Map()).get(r.source),
    };
    let evaluate: Evaluator<never>;
    let conjuncts: { key: string; ev: Evaluator<never> }[] = [];
    let output: OutputFormat<never>;
    try {
      checkMacroVisibility(expr);
      evaluate = compileExpr(expr, env);
      conjuncts = topConjuncts(expr, parsedMacros).map((cj) => {
        const key = `${r.source}|${exprKey(cj)}`;
        let ev = sharedConjuncts.get(key);
        if (!ev) {
          ev = compileExpr(cj, env);
          sharedConjuncts.set(key, ev);
        }
        return { key, ev };
      });
      output = compileOutput(r.output, table as FieldTable<never>, reg);
    } catch (e) {
      if (!(e instanceof RuntimeError)) throw e;
      if (r.skipIfUnknownFilter && (e.code === "unknown-field" || e.code === "output-format")) {
        warnings.push({
          code: "compile-warning",
          message: e.message,
          file: r.file,
          line: r.line,
          item: r.name,
        });
        continue;
      }
      errors.push(condError(e, r, r.name));
      continue;
    }
    for (const w of warns) {
      warnings.push({
        code: "compile-warning",
        message: w.message,
        file: r.file,
        line: r.line,
        item: r.name,
        condLine: w.pos.line,
        condCol: w.pos.col,
      });
    }
    if (env.unavailable.size > 0) {
      const [f, why] = [...env.unavailable.entries()][0]!;
      const all = [...env.unavailable.keys()].join(", ");
      inactive.push({ name: r.name, source: r.source, reason: `uses ${all}; ${f}: ${why}` });
      continue;
    }
    compiled.push({
      name: r.name,
      desc: r.desc,
      priority: r.priority,
      source: r.source,
      tags: r.tags,
      output: output as OutputFormat<unknown>,
      evaluate: evaluate as Evaluator<unknown>,
      conjuncts: conjuncts as { key: string; ev: Evaluator<unknown> }[],
      file: r.file,
      line: r.line,
    });
  }

  /** A macro may only use macros defined before it (by first definition), like Falco. */
  function checkMacroVisibility(expr: Expr): void {
    const seen = new Set<string>();
    const walk = (e: Expr, from: MacroInfo | undefined): void => {
      switch (e.kind) {
        case "and":
        case "or":
          for (const ch of e.children) walk(ch, from);
          return;
        case "not":
          walk(e.child, from);
          return;
        case "ident": {
          const m = macros.get(e.name);
          if (!m) return; // reported by the compiler
          if (from && !(m.index < from.visibility)) {
            throw new RuntimeError("undefined-macro", `Undefined macro '${e.name}' used in filter.`, e.pos);
          }
          const key = `${from?.name ?? ""}>${e.name}`;
          if (seen.has(key)) return;
          seen.add(key);
          const body = parsedMacros.get(e.name);
          if (body) walk(body, m);
          return;
        }
        default:
          return;
      }
    };
    walk(expr, undefined);
  }

  return {
    ok: errors.length === 0,
    errors,
    warnings,
    rules: compiled,
    inactive,
    disabled,
    slots,
    requiredEngineVersion: engineVersion,
    requiredPluginVersions: plugins,
  };
}

/** A key that is equal for structurally identical expressions (positions ignored). */
function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => (k === "pos" ? undefined : v));
}

/** `a and (b and m)` where macro m = `c and d` gives [a, b, c, d]; macros that are not and-chains stay whole. */
function topConjuncts(e: Expr, macros: Map<string, Expr>, stack: string[] = []): Expr[] {
  if (e.kind === "and") return e.children.flatMap((ch) => topConjuncts(ch, macros, stack));
  if (e.kind === "ident" && !stack.includes(e.name)) {
    const body = macros.get(e.name);
    if (body && body.kind === "and") return topConjuncts(body, macros, [...stack, e.name]);
  }
  return [e];
}

function condError(e: RuntimeError, ctx: Ctx, item: string): LoadMessage {
  return {
    code: e.code,
    message: e.message,
    file: ctx.file,
    line: ctx.line,
    item,
    condLine: e.pos?.line,
    condCol: e.pos?.col,
  };
}

/** One line per message: `file:line: rule 'X': message (condition 1:23) [code]`. */
export function formatLoadMessage(m: LoadMessage): string {
  const where = m.line ? `${m.file}:${m.line}` : m.file;
  const item = m.item ? ` ${m.item.startsWith("macro ") ? m.item : `rule '${m.item}'`}:` : "";
  const pos = m.condLine !== undefined ? ` (condition ${m.condLine}:${m.condCol})` : "";
  return `${where}:${item} ${m.message}${pos} [${m.code}]`;
}
