/**
 * Compiles a parsed condition into a tree of closures, once. Field values are extracted at most once
 * per event (slot cache), comparisons use pre-parsed right-hand values (numbers, sets, regexes).
 *
 * Semantics follow libsinsp: a field whose value is not available makes every comparison false
 * (also `!=`); list fields support only `exists`, `in` (every value in the set) and `intersects` (any
 * value in the set), other operators on them fail to compile; a non-list field that yields several
 * values (e.g. `proc.aname`) matches when any does.
 */
import { type CondPos, RuntimeError } from "../errors.js";
import type { Extracted, FieldDef, FieldTable, FieldType, Scalar } from "../fields/types.js";
import type { Expr, FieldExpr, ValueExpr } from "./parser.js";

export interface EvalCtx<E = unknown> {
  evt: E;
  /** generation stamp per slot; equals `gen` when `vals[slot]` is current */
  stamps: Int32Array;
  vals: Extracted[];
  gen: number;
}

export type Evaluator<E = unknown> = (c: EvalCtx<E>) => boolean;
export type Getter<E = unknown> = (c: EvalCtx<E>) => Extracted;

export interface CompileWarning {
  message: string;
  pos: CondPos;
}

/** Slot allocator shared by all rules of one source so that each field is extracted once per event. */
export class SlotRegistry {
  private readonly ids = new Map<string, number>();
  get size(): number {
    return this.ids.size;
  }
  slot(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }
}

export function newEvalCtx<E>(slots: number, evt: E): EvalCtx<E> {
  return { evt, stamps: new Int32Array(Math.max(slots, 1)).fill(-1), vals: new Array(slots), gen: 0 };
}

export interface CompiledMacro<E> {
  ev: Evaluator<E>;
  used: Set<string>;
  unavailable: Map<string, string>;
  warnings: CompileWarning[];
}

export interface CompileEnv<E> {
  table: FieldTable<E>;
  slots: SlotRegistry;
  /** macro bodies (already parsed) visible to this condition */
  macro(name: string): Expr | undefined;
  /** compiled macros, shared by all rules of a source: each macro is evaluated at most once per event */
  macroCache?: Map<string, CompiledMacro<E>>;
  /** fields referenced; filled during compilation */
  usedFields: Set<string>;
  /** fields referenced that no source provides, with the reason */
  unavailable: Map<string, string>;
  warnings: CompileWarning[];
}

interface TypedGetter<E> {
  get: Getter<E>;
  type: FieldType;
  list: boolean;
  name: string;
}

/**
 * Reads a field at most once per event: the value is kept in the context slot named `display`, shared by
 * conditions and outputs. Uses the field's `bind` (prepared for `arg` once) when it has one.
 */
export function cachedGetter<E>(
  def: FieldDef<E>,
  extract: NonNullable<FieldDef<E>["extract"]>,
  arg: string | undefined,
  slots: SlotRegistry,
  display: string,
): Getter<E> {
  const slot = slots.slot(display);
  const bound = def.bind ? def.bind(arg) : (evt: E) => extract(evt, arg);
  return (c) => {
    if (c.stamps[slot] === c.gen) return c.vals[slot];
    const v = bound(c.evt);
    c.stamps[slot] = c.gen;
    c.vals[slot] = v;
    return v;
  };
}

function compileField<E>(fe: FieldExpr, env: CompileEnv<E>): TypedGetter<E> {
  if (fe.kind === "transform") {
    const inner = compileField(fe.child, env);
    return applyTransformer(fe.fn, inner, fe.pos);
  }
  const found = env.table.lookup(fe.name);
  if (!found) {
    throw new RuntimeError("unknown-field", `filter_check called with nonexistent field ${fe.name}`, fe.pos);
  }
  const def: FieldDef<E> = found.def;
  const arg = fe.arg ?? found.arg;
  checkArg(def, fe.name, arg, fe.pos);
  const display = fe.arg !== undefined ? `${fe.name}[${fe.arg}]` : fe.name;
  env.usedFields.add(display);
  const extract = def.extract;
  if (!extract) {
    env.unavailable.set(display, def.unavailable ?? "no kubeward event source provides this field");
    return { get: () => undefined, type: def.type, list: !!def.list, name: display };
  }
  return {
    get: cachedGetter(def, extract, arg, env.slots, display),
    type: def.type,
    list: !!def.list,
    name: display,
  };
}

function checkArg(
  def: FieldDef<never> | FieldDef<unknown>,
  name: string,
  arg: string | undefined,
  pos: CondPos,
): void {
  const mode = def.arg ?? "none";
  if (arg === undefined) {
    if (mode === "required-key" || mode === "required-index") {
      throw new RuntimeError("field-arg", `filter ${name} requires an argument`, pos);
    }
    return;
  }
  if (mode === "none")
    throw new RuntimeError("field-arg", `filter ${name} does not support an argument`, pos);
  // libsinsp: digits only, and no leading zero ("0" itself is fine)
  if ((mode === "index" || mode === "required-index") && !/^(0|[1-9][0-9]*)$/.test(arg)) {
    throw new RuntimeError("field-arg", `filter ${name} argument must be a numeric index, got '${arg}'`, pos);
  }
}

function mapStrings(v: Extracted, fn: (s: string) => string): Extracted {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((x) => fn(String(x)));
  return fn(String(v));
}

function applyTransformer<E>(fn: string, inner: TypedGetter<E>, pos: CondPos): TypedGetter<E> {
  const g = inner.get;
  const name = `${fn}(${inner.name})`;
  const strOnly = () => {
    if (inner.type !== "string") {
      throw new RuntimeError(
        "bad-operator",
        `transformer '${fn}' is not supported by field type ${inner.type}`,
        pos,
      );
    }
  };
  switch (fn) {
    case "val":
      return { ...inner, name };
    case "tolower":
      strOnly();
      return { ...inner, name, get: (c) => mapStrings(g(c), (s) => s.toLowerCase()) };
    case "toupper":
      strOnly();
      return { ...inner, name, get: (c) => mapStrings(g(c), (s) => s.toUpperCase()) };
    case "b64":
      strOnly();
      return {
        ...inner,
        name,
        get: (c) => mapStrings(g(c), (s) => Buffer.from(s, "base64").toString("latin1")),
      };
    case "basename":
      strOnly();
      return { ...inner, name, get: (c) => mapStrings(g(c), (s) => s.slice(s.lastIndexOf("/") + 1)) };
    case "len":
      return {
        name,
        type: "number",
        list: false,
        get: (c) => {
          const v = g(c);
          if (v === undefined) return inner.list ? 0 : undefined;
          return Array.isArray(v) ? v.length : String(v).length;
        },
      };
    default:
      throw new RuntimeError("condition-syntax", `unknown transformer '${fn}'`, pos);
  }
}

/** Parse a right-hand value for a field type; throws bad-value when it does not fit. */
function parseValue(type: FieldType, raw: string, pos: CondPos, field: string): Scalar {
  switch (type) {
    case "number":
    case "abstime":
    case "reltime": {
      const n = /^0[xX][0-9a-fA-F]+$/.test(raw) ? Number.parseInt(raw, 16) : Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) {
        throw new RuntimeError("bad-value", `could not convert '${raw}' to a number for field ${field}`, pos);
      }
      return n;
    }
    case "bool":
      if (raw === "true") return "true";
      if (raw === "false") return "false";
      if (/^[0-9]+$/.test(raw)) return Number(raw) !== 0 ? "true" : "false";
      throw new RuntimeError("bad-value", `could not convert '${raw}' to a boolean for field ${field}`, pos);
    default:
      return raw;
  }
}

function globToRegExp(glob: string, flags: string): RegExp {
  let re = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`${re}$`, `s${flags}`);
}

function hexBytes(raw: string, pos: CondPos): Buffer {
  if (!/^([0-9a-fA-F]{2})*$/.test(raw))
    throw new RuntimeError("bad-value", `bcontains/bstartswith needs hex bytes, got '${raw}'`, pos);
  return Buffer.from(raw, "hex");
}

function ipToNum(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  return ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
}

/** `10.0.0.0/8` matcher for ipnet fields and values. */
function cidrMatcher(cidr: string): (ip: string) => boolean {
  const [addr, bits] = cidr.split("/");
  const base = ipToNum(addr ?? "");
  const n = bits === undefined ? 32 : Number(bits);
  if (base === undefined || !(n >= 0 && n <= 32))
    return (ip) => ip === cidr || ip.startsWith(cidr.replace(/\/.*/, ""));
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return (ip) => {
    const v = ipToNum(ip);
    return v !== undefined && (v & mask) >>> 0 === (base & mask) >>> 0;
  };
}

type ScalarTest = (v: Scalar) => boolean;

function scalarTest(op: string, type: FieldType, raw: string, pos: CondPos, field: string): ScalarTest {
  const numeric = type === "number" || type === "abstime" || type === "reltime";
  if (type === "ipnet" || (type === "ipaddr" && raw.includes("/"))) {
    const m = cidrMatcher(raw);
    if (op === "=" || op === "==") return (v) => m(String(v));
    if (op === "!=") return (v) => !m(String(v));
  }
  if (numeric) {
    const n = parseValue(type, raw, pos, field) as number;
    switch (op) {
      case "=":
      case "==":
        return (v) => v === n;
      case "!=":
        return (v) => v !== n;
      case "<":
        return (v) => (v as number) < n;
      case "<=":
        return (v) => (v as number) <= n;
      case ">":
        return (v) => (v as number) > n;
      case ">=":
        return (v) => (v as number) >= n;
      default:
        throw new RuntimeError(
          "bad-operator",
          `operator '${op}' is not supported by numeric field ${field}`,
          pos,
        );
    }
  }
  const s = type === "bool" ? (parseValue(type, raw, pos, field) as string) : raw;
  switch (op) {
    case "=":
    case "==":
      return (v) => v === s;
    case "!=":
      return (v) => v !== s;
    case "<":
      return (v) => String(v) < s;
    case "<=":
      return (v) => String(v) <= s;
    case ">":
      return (v) => String(v) > s;
    case ">=":
      return (v) => String(v) >= s;
    case "contains":
      return (v) => String(v).includes(s);
    case "icontains": {
      const low = s.toLowerCase();
      return (v) => String(v).toLowerCase().includes(low);
    }
    case "startswith":
      return (v) => String(v).startsWith(s);
    case "endswith":
      return (v) => String(v).endsWith(s);
    case "bcontains": {
      const b = hexBytes(s, pos);
      return (v) => Buffer.from(String(v), "latin1").includes(b);
    }
    case "bstartswith": {
      const b = hexBytes(s, pos);
      return (v) => Buffer.from(String(v), "latin1").subarray(0, b.length).equals(b);
    }
    case "glob": {
      const re = globToRegExp(s, "");
      return (v) => re.test(String(v));
    }
    case "iglob": {
      const re = globToRegExp(s, "i");
      return (v) => re.test(String(v));
    }
    case "regex": {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${s})$`, "s");
      } catch (e) {
        throw new RuntimeError("bad-regex", `invalid regex pattern: ${(e as Error).message}`, pos);
      }
      return (v) => re.test(String(v));
    }
    default:
      throw new RuntimeError("bad-operator", `operator '${op}' is not supported by field ${field}`, pos);
  }
}

function pathPrefixTest(prefixes: string[]): ScalarTest {
  const norm = prefixes.map((p) => (p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p));
  return (v) => {
    const s = String(v);
    for (const p of norm) {
      if (p.includes("*") || p.includes("?")) {
        if (globToRegExp(p, "").test(s) || globToRegExp(`${p}/*`, "").test(s)) return true;
      } else if (s === p || s.startsWith(p === "/" ? "/" : `${p}/`)) return true;
    }
    return false;
  };
}

/** Build an `any value passes` evaluator from a getter and a scalar test. */
function anyOf<E>(get: Getter<E>, test: ScalarTest): Evaluator<E> {
  return (c) => {
    const v = get(c);
    if (v === undefined) return false;
    if (typeof v !== "object") return test(v);
    for (const x of v) if (test(x)) return true;
    return false;
  };
}

function compileSetOp<E>(op: string, left: TypedGetter<E>, values: string[], pos: CondPos): Evaluator<E> {
  const numeric = left.type === "number" || left.type === "abstime" || left.type === "reltime";
  if (left.type === "ipnet" || left.type === "ipaddr") {
    const matchers = values.map((v) => (v.includes("/") ? cidrMatcher(v) : (ip: string) => ip === v));
    const has = (x: Scalar) => matchers.some((m) => m(String(x)));
    return setEval(op, left, has);
  }
  const set = new Set<Scalar>(values.map((v) => parseValue(left.type, v, pos, left.name)));
  if (op !== "pmatch" && !(left.list && op === "in")) {
    // fast path: one set lookup for the common scalar case
    const get = left.get;
    return (c) => {
      const v = get(c);
      if (v === undefined) return false;
      if (typeof v !== "object") return set.has(v);
      for (let i = 0; i < v.length; i++) if (set.has(v[i]!)) return true;
      return false;
    };
  }
  if (numeric && op === "pmatch")
    throw new RuntimeError("bad-operator", `operator 'pmatch' is not supported by ${left.name}`, pos);
  if (op === "pmatch") {
    const t = pathPrefixTest(values);
    return anyOf(left.get, t);
  }
  return setEval(op, left, (x) => set.has(x));
}

function setEval<E>(op: string, left: TypedGetter<E>, has: (x: Scalar) => boolean): Evaluator<E> {
  const get = left.get;
  if (left.list && op === "in") {
    return (c) => {
      const v = get(c);
      if (v === undefined) return false;
      if (typeof v !== "object") return has(v);
      for (const x of v) if (!has(x)) return false;
      return true;
    };
  }
  return anyOf(get, has);
}

function compileFieldCompare<E>(
  op: string,
  left: TypedGetter<E>,
  right: TypedGetter<E>,
  pos: CondPos,
): Evaluator<E> {
  if (op === "pmatch" || op === "regex") {
    throw new RuntimeError("bad-operator", `operator '${op}' doesn't support right-hand side fields`, pos);
  }
  const lg = left.get;
  const rg = right.get;
  const numeric = left.type === "number";
  return (c) => {
    const a = lg(c);
    const b = rg(c);
    if (a === undefined || b === undefined) return false;
    const as = Array.isArray(a) ? a : [a];
    const bs = Array.isArray(b) ? b : [b];
    if (op === "in" || op === "intersects") {
      const set = new Set(bs.map((x) => (numeric ? Number(x) : String(x))));
      return op === "in" && left.list ? as.every((x) => set.has(x)) : as.some((x) => set.has(x));
    }
    for (const x of as) {
      for (const y of bs) {
        const t = scalarTest(op, left.type, String(y), pos, left.name);
        if (t(numeric ? Number(x) : x)) return true;
      }
    }
    return false;
  };
}

const LIST_FIELD_OPS = new Set(["exists", "in", "intersects"]);

/**
 * A condition that holds exactly when a scalar string field has one of a few values: `f = v`, `f in (...)`,
 * an `or` of those on the same field, or a macro that is one of these. The engine uses it to pick, with
 * one lookup, which of many sibling checks can hold (as Falco indexes rules by event type).
 */
export interface ValueProbe<E = unknown> {
  /** the field as written, with its argument: probes on the same field share one lookup */
  field: string;
  values: Set<string>;
  get: Getter<E>;
}

export function valueProbe<E>(
  expr: Expr,
  env: CompileEnv<E>,
  stack: string[] = [],
): ValueProbe<E> | undefined {
  switch (expr.kind) {
    case "ident": {
      const body = stack.includes(expr.name) ? undefined : env.macro(expr.name);
      return body ? valueProbe(body, env, [...stack, expr.name]) : undefined;
    }
    case "or": {
      let merged: ValueProbe<E> | undefined;
      for (const ch of expr.children) {
        const p = valueProbe(ch, env, stack);
        if (!p || (merged && merged.field !== p.field)) return undefined;
        if (!merged) merged = { ...p, values: new Set(p.values) };
        else for (const v of p.values) merged.values.add(v);
      }
      return merged;
    }
    case "binary": {
      const { left, right, op } = expr;
      if (left.kind !== "field" || (right.kind !== "value" && right.kind !== "list")) return undefined;
      if (op !== "=" && op !== "==" && op !== "in" && op !== "intersects") return undefined;
      const f = compileField(left, env);
      if (f.type !== "string" || f.list) return undefined;
      return {
        field: f.name,
        values: new Set(right.kind === "list" ? right.values : [right.value]),
        get: f.get,
      };
    }
    default:
      return undefined;
  }
}

/** libsinsp's operator/type table: the operators each field type accepts, and how it names the type. */
const EQUALITY_OPS = ["=", "==", "!=", "in", "intersects"];
const ORDER_OPS = ["<", "<=", ">", ">="];
const OPS_BY_TYPE: Record<FieldType, { ops: Set<string>; label: string }> = (() => {
  const numeric = { ops: new Set([...EQUALITY_OPS, ...ORDER_OPS]), label: "numeric" };
  const ip = { ops: new Set(EQUALITY_OPS), label: "ip address and network" };
  return {
    string: {
      ops: new Set([
        ...EQUALITY_OPS,
        ...ORDER_OPS,
        ...["contains", "icontains", "startswith", "endswith", "glob", "iglob", "pmatch", "regex"],
      ]),
      label: "string",
    },
    bytebuf: {
      ops: new Set([...EQUALITY_OPS, "contains", "startswith", "endswith", "bcontains", "bstartswith"]),
      label: "buffer",
    },
    number: numeric,
    abstime: numeric,
    reltime: numeric,
    // libsinsp names booleans numeric in this message too
    bool: { ops: new Set(EQUALITY_OPS), label: "numeric" },
    ipaddr: ip,
    ipnet: ip,
  };
})();

/** Refuse an operator the field's type does not support, when the rule is loaded (as libsinsp does). */
function checkOperatorType(op: string, type: FieldType, pos: CondPos): void {
  const t = OPS_BY_TYPE[type];
  if (!t.ops.has(op))
    throw new RuntimeError(
      "bad-operator",
      `filter error: '${op}' operator not supported for ${t.label} filters`,
      pos,
    );
}

export function compileExpr<E>(expr: Expr, env: CompileEnv<E>, stack: string[] = []): Evaluator<E> {
  switch (expr.kind) {
    case "and": {
      const parts = expr.children.map((ch) => compileExpr(ch, env, stack));
      if (parts.length === 2) {
        const [a, b] = parts as [Evaluator<E>, Evaluator<E>];
        return (c) => a(c) && b(c);
      }
      const n = parts.length;
      return (c) => {
        for (let i = 0; i < n; i++) if (!parts[i]!(c)) return false;
        return true;
      };
    }
    case "or": {
      const parts = expr.children.map((ch) => compileExpr(ch, env, stack));
      const n = parts.length;
      if (n === 2) {
        const [a, b] = parts as [Evaluator<E>, Evaluator<E>];
        return (c) => a(c) || b(c);
      }
      return (c) => {
        for (let i = 0; i < n; i++) if (parts[i]!(c)) return true;
        return false;
      };
    }
    case "not": {
      const inner = compileExpr(expr.child, env, stack);
      return (c) => !inner(c);
    }
    case "ident": {
      if (stack.includes(expr.name)) {
        throw new RuntimeError(
          "macro-cycle",
          `macro '${expr.name}' refers to itself (${[...stack, expr.name].join(" -> ")})`,
          expr.pos,
        );
      }
      const body = env.macro(expr.name);
      if (!body)
        throw new RuntimeError("undefined-macro", `Undefined macro '${expr.name}' used in filter.`, expr.pos);
      return compileExpr(body, env, [...stack, expr.name]);
    }
    case "unary": {
      const left = compileField(expr.left, env);
      const g = left.get;
      return (c) => {
        const v = g(c);
        return v !== undefined && !(Array.isArray(v) && v.length === 0);
      };
    }
    case "binary":
      return compileBinary(expr.op, compileField(expr.left, env), expr.right, env, expr.pos);
  }
}

function compileBinary<E>(
  op: string,
  left: TypedGetter<E>,
  right: ValueExpr | FieldExpr,
  env: CompileEnv<E>,
  pos: CondPos,
): Evaluator<E> {
  if (left.list && !LIST_FIELD_OPS.has(op)) {
    // libsinsp rejects this when it compiles the filter, so Falco fails to load the rule
    throw new RuntimeError(
      "bad-operator",
      `filter error: '${op}' operator not supported list filters (${left.name} is a list field; use 'in', 'intersects' or 'exists')`,
      pos,
    );
  }
  if (!left.list) checkOperatorType(op, left.type, pos);
  if (right.kind === "field" || right.kind === "transform") {
    return compileFieldCompare(op, left, compileField(right, env), pos);
  }
  if (op === "in" || op === "intersects" || op === "pmatch") {
    const values = right.kind === "list" ? right.values : [right.value];
    return compileSetOp(op, left, values, pos);
  }
  if (right.kind === "list")
    throw new RuntimeError("bad-operator", `operator '${op}' does not take a list`, pos);
  return anyOf(left.get, scalarTest(op, left.type, right.value, pos, left.name));
}
