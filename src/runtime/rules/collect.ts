/**
 * First stage of the Falco rules loader: reads rules files in load order and collects their `list`,
 * `macro` and `rule` items (later definitions replace earlier ones in place, `append: true` and
 * `override:` extend or replace them), plus the engine and plugin version requirements.
 * Problems are collected, never thrown: each names file, item and position.
 */
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import { RuntimeError } from "../errors.js";
import { type Priority, parsePriority } from "../output.js";
import { type ExceptionInfo, parseException } from "./exceptions.js";
import type { LoadMessage, RuleSet, RulesFile } from "./loader.js";

/** Falco engine version whose rules language this loader implements. */
export const ENGINE_VERSION = "0.57.0";

export interface Ctx {
  file: string;
  line: number;
}
export interface ListInfo extends Ctx {
  name: string;
  items: string[];
  index: number;
  visibility: number;
}
export interface MacroInfo extends Ctx {
  name: string;
  cond: string;
  index: number;
  visibility: number;
}
export interface RuleInfo extends Ctx {
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

/** What the files define, before anything is compiled. */
export interface Collected {
  lists: Map<string, ListInfo>;
  macros: Map<string, MacroInfo>;
  rules: Map<string, RuleInfo>;
  plugins: RuleSet["requiredPluginVersions"];
  engineVersion?: string;
}

/** Collect the items of rules files in order; problems go to `errors` and `warnings`. */
export function collectItems(files: RulesFile[], errors: LoadMessage[], warnings: LoadMessage[]): Collected {
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

  return { lists, macros, rules, plugins, engineVersion };
}
