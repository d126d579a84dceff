// CEL for ValidatingAdmissionPolicies on @bufbuild/cel: the standard library, the strings
// extension, the Kubernetes regex helpers (find, findAll) and list helpers (isSorted, sum, min,
// max, indexOf, lastIndexOf) and quantity library (quantity, isQuantity, compareTo, isGreaterThan,
// isLessThan, add, sub, asInteger, asApproximateFloat, isInteger, sign; values are compared as
// doubles). JSON integers become CEL ints.
import {
  CelScalar,
  type CelValue,
  celEnv,
  celFunc,
  celMethod,
  isCelError,
  isCelMap,
  listType,
  parse,
  plan,
} from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { parseQuantity } from "../quantity.js";

const regexCache = new Map<string, RegExp>();
function re(pattern: string, flags = ""): RegExp {
  const key = `${flags}/${pattern}`;
  let r = regexCache.get(key);
  if (!r) {
    r = new RegExp(pattern, flags);
    if (regexCache.size < 512) regexCache.set(key, r);
  }
  return r;
}

const k8sFuncs = [
  celMethod("find", CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern: string) {
    const m = re(pattern).exec(this as string);
    return m ? m[0] : "";
  }),
  celMethod(
    "findAll",
    CelScalar.STRING,
    [CelScalar.STRING],
    listType(CelScalar.STRING),
    function (pattern: string) {
      return [...(this as string).matchAll(re(pattern, "g"))].map((m) => m[0]);
    },
  ),
];

type Scalar = bigint | number | string | boolean;

function compare(a: unknown, b: unknown): number {
  if (typeof a === "bigint" && typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === "bigint" || typeof a === "number") && (typeof b === "bigint" || typeof b === "number")) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === typeof b && (typeof a === "string" || typeof a === "boolean")) {
    const x = a as Scalar;
    const y = b as Scalar;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  throw new Error(`no ordering between ${typeof a} and ${typeof b}`);
}

const equalish = (a: unknown, b: unknown) => {
  try {
    return compare(a, b) === 0;
  } catch {
    return false;
  }
};

const DYN_LIST = listType(CelScalar.DYN);
const items = (l: unknown) => [...(l as Iterable<unknown>)];
const extreme = (name: string, sign: number) =>
  celMethod(name, DYN_LIST, [], CelScalar.DYN, function () {
    const xs = items(this);
    if (xs.length === 0) throw new Error(`${name}() called on an empty list`);
    return xs.reduce((m, x) => (compare(x, m) * sign > 0 ? x : m)) as never;
  });

const listFuncs = [
  celMethod("isSorted", DYN_LIST, [], CelScalar.BOOL, function () {
    const xs = items(this);
    for (let i = 1; i < xs.length; i++) if (compare(xs[i - 1], xs[i]) > 0) return false;
    return true;
  }),
  celMethod("sum", DYN_LIST, [], CelScalar.DYN, function () {
    const xs = items(this);
    if (xs.length === 0) return 0n as never;
    return xs.reduce((t, x) => {
      if (typeof t === "bigint" && typeof x === "bigint") return t + x;
      if (typeof t === "number" && typeof x === "number") return t + x;
      throw new Error("sum() needs a list of ints or of doubles");
    }) as never;
  }),
  extreme("min", -1),
  extreme("max", 1),
  celMethod("indexOf", DYN_LIST, [CelScalar.DYN], CelScalar.INT, function (v: unknown) {
    return BigInt(items(this).findIndex((x) => equalish(x, v)));
  }),
  celMethod("lastIndexOf", DYN_LIST, [CelScalar.DYN], CelScalar.INT, function (v: unknown) {
    return BigInt(items(this).findLastIndex((x) => equalish(x, v)));
  }),
];

// A quantity travels as a one-entry map under a private key, so CEL equality and methods work on it.
const QKEY = "__kubeward_quantity";
const DYN = CelScalar.DYN;
const makeQ = (v: number) => new Map([[QKEY, v]]) as never;
function qv(x: unknown): number {
  if (isCelMap(x) && x.has(QKEY)) return x.get(QKEY) as number;
  if (typeof x === "bigint") return Number(x);
  throw new Error("not a quantity");
}
function parseQ(s: string): number {
  const v = parseQuantity(s);
  if (v === undefined) throw new Error(`invalid quantity ${JSON.stringify(s)}`);
  return v;
}
const qMethod = <
  R extends typeof CelScalar.BOOL | typeof CelScalar.INT | typeof CelScalar.DOUBLE | typeof DYN,
>(
  name: string,
  args: number,
  result: R,
  fn: (a: number, b: number) => unknown,
) =>
  celMethod(name, DYN, args === 1 ? [DYN] : [], result, function (this: unknown, o?: unknown) {
    return fn(qv(this), args === 1 ? qv(o) : 0) as never;
  });
const quantityFuncs = [
  celFunc("quantity", [CelScalar.STRING], DYN, (s: string) => makeQ(parseQ(s))),
  celFunc("isQuantity", [CelScalar.STRING], CelScalar.BOOL, (s: string) => parseQuantity(s) !== undefined),
  qMethod("compareTo", 1, CelScalar.INT, (a, b) => BigInt(Math.sign(a - b))),
  qMethod("isGreaterThan", 1, CelScalar.BOOL, (a, b) => a > b),
  qMethod("isLessThan", 1, CelScalar.BOOL, (a, b) => a < b),
  qMethod("add", 1, DYN, (a, b) => makeQ(a + b)),
  qMethod("sub", 1, DYN, (a, b) => makeQ(a - b)),
  qMethod("asApproximateFloat", 0, CelScalar.DOUBLE, (a) => a),
  qMethod("isInteger", 0, CelScalar.BOOL, (a) => Number.isInteger(a)),
  qMethod("sign", 0, CelScalar.INT, (a) => BigInt(Math.sign(a))),
  qMethod("asInteger", 0, CelScalar.INT, (a) => {
    if (!Number.isSafeInteger(a)) throw new Error("quantity is not an integer or overflows");
    return BigInt(a);
  }),
];

const ENV = celEnv({ funcs: [...strings, ...k8sFuncs, ...listFuncs, ...quantityFuncs] });

export type CelProgram = (
  bindings: Record<string, unknown>,
) => { ok: true; value: CelValue } | { ok: false; error: string };

/** Compiles an expression; throws Error with the parser's message on a syntax error. */
export function compileCel(expr: string): CelProgram {
  const fn = plan(ENV, parse(expr)) as (ctx: Record<string, unknown>) => CelValue;
  return (bindings) => {
    try {
      const v = fn(bindings);
      if (isCelError(v)) return { ok: false, error: v.message };
      return { ok: true, value: v };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  };
}

/** JSON data as CEL input: whole numbers become ints (bigint), like Kubernetes' CEL does for integer fields. */
export function toCel(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x);
    return out;
  }
  return v;
}
