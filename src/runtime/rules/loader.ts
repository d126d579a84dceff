/**
 * Falco rules YAML loader: collects `list`, `macro` and `rule` items from files in load order
 * (collect.ts: later definitions replace earlier ones in place, `append: true` and `override:` extend or
 * replace them), then compiles every enabled rule once. Lists are substituted into condition text, macros are
 * resolved on the parsed tree with Falco's visibility order (a macro sees the macros defined before it;
 * a rule sees all of them). Problems are collected, never thrown: each names file, item and position.
 */
import {
  type CompiledMacro,
  type CompileEnv,
  type CompileWarning,
  compileExpr,
  type Evaluator,
  SlotRegistry,
  type ValueProbe,
  valueProbe,
} from "../condition/compile.js";
import { type Expr, parseCondition } from "../condition/parser.js";
import { RuntimeError, type RuntimeErrorCode } from "../errors.js";
import type { FieldTable } from "../fields/types.js";
import { compileOutput, type OutputFormat, type Priority } from "../output.js";
import { type Ctx, collectItems, type MacroInfo } from "./collect.js";
import { buildExceptionCondition } from "./exceptions.js";

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
  conjuncts: Conjunct<E>[];
  file: string;
  line: number;
}

/** One top-level check of a rule's condition; `probe` when it is a value test the engine can index. */
export interface Conjunct<E = unknown> {
  key: string;
  ev: Evaluator<E>;
  probe?: ValueProbe<E>;
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
  const { lists, macros, rules, plugins, engineVersion } = collectItems(files, errors, warnings);

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
  const sharedConjuncts = new Map<string, Conjunct<never>>();
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
    let conjuncts: Conjunct<never>[] = [];
    let output: OutputFormat<never>;
    try {
      checkMacroVisibility(expr);
      evaluate = compileExpr(expr, env);
      conjuncts = topConjuncts(expr, parsedMacros).map((cj) => {
        const key = `${r.source}|${exprKey(cj)}`;
        let shared = sharedConjuncts.get(key);
        if (!shared) {
          shared = { key, ev: compileExpr(cj, env), probe: valueProbe(cj, env) };
          sharedConjuncts.set(key, shared);
        }
        return shared;
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
      conjuncts: conjuncts as Conjunct<unknown>[],
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
