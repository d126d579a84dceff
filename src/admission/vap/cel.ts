// CEL for ValidatingAdmissionPolicies on @bufbuild/cel, with the libraries of the Kubernetes CEL
// environment: the standard library and `strings` extension (from @bufbuild/cel), regex (find,
// findAll), lists (isSorted, sum, min, max, indexOf, lastIndexOf), sets, quantity, url, ip, cidr,
// format, optional values and the `authorizer` builders (checks fail: see lib/authorizer.ts).
// The environment is built once, at module load; JSON integers become CEL ints.
import {
  CelScalar,
  type CelValue,
  celEnv,
  celFunc,
  celMethod,
  isCelError,
  listType,
  parse,
  plan,
} from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { parseQuantity } from "../quantity.js";
import { authorizerFuncs } from "./lib/authorizer.js";
import { formatFuncs } from "./lib/format.js";
import { netFuncs } from "./lib/net.js";
import { equalityKey, optionalFuncs } from "./lib/optional.js";
import { celTypeRegistry, fieldsOf, newValue, QUANTITY_DESC, QUANTITY_TYPE } from "./lib/types.js";
import { urlFuncs } from "./lib/url.js";

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

function findAll(s: string, pattern: string, limit: bigint): string[] {
  if (limit === 0n) return [];
  const all = [...s.matchAll(re(pattern, "g"))].map((m) => m[0]);
  return limit < 0n ? all : all.slice(0, Number(limit));
}

const regexFuncs = [
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
      return findAll(this as string, pattern, -1n);
    },
  ),
  celMethod(
    "findAll",
    CelScalar.STRING,
    [CelScalar.STRING, CelScalar.INT],
    listType(CelScalar.STRING),
    function (pattern: string, limit: bigint) {
      return findAll(this as string, pattern, limit);
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

const DYN = CelScalar.DYN;
const DYN_LIST = listType(DYN);
const items = (l: unknown) => [...(l as Iterable<unknown>)];
const extreme = (name: string, sign: number) =>
  celMethod(name, DYN_LIST, [], DYN, function () {
    const xs = items(this);
    if (xs.length === 0) throw new Error(`${name} called on empty list`);
    return xs.reduce((m, x) => (compare(x, m) * sign > 0 ? x : m)) as never;
  });

// Element equality is CEL equality (1 == 1.0, lists and maps by contents).
const indexIn = (xs: unknown[], v: unknown, fromEnd: boolean) => {
  const key = equalityKey(v);
  const match = (x: unknown) => equalityKey(x) === key;
  return BigInt(fromEnd ? xs.findLastIndex(match) : xs.findIndex(match));
};

const listFuncs = [
  celMethod("isSorted", DYN_LIST, [], CelScalar.BOOL, function () {
    const xs = items(this);
    for (let i = 1; i < xs.length; i++) if (compare(xs[i - 1], xs[i]) > 0) return false;
    return true;
  }),
  celMethod("sum", DYN_LIST, [], DYN, function () {
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
  celMethod("indexOf", DYN_LIST, [DYN], CelScalar.INT, function (v: unknown) {
    return indexIn(items(this), v, false);
  }),
  celMethod("lastIndexOf", DYN_LIST, [DYN], CelScalar.INT, function (v: unknown) {
    return indexIn(items(this), v, true);
  }),
];

// The cel-go `sets` extension (Kubernetes 1.29+), with CEL equality between elements.
const keysOf = (l: unknown) => new Set(items(l).map(equalityKey));
const setFuncs = [
  celFunc("sets.contains", [DYN_LIST, DYN_LIST], CelScalar.BOOL, (list: unknown, sub: unknown) => {
    const have = keysOf(list);
    return items(sub).every((x) => have.has(equalityKey(x)));
  }),
  celFunc("sets.equivalent", [DYN_LIST, DYN_LIST], CelScalar.BOOL, (a: unknown, b: unknown) => {
    const ka = keysOf(a);
    const kb = keysOf(b);
    return [...ka].every((k) => kb.has(k)) && [...kb].every((k) => ka.has(k));
  }),
  celFunc("sets.intersects", [DYN_LIST, DYN_LIST], CelScalar.BOOL, (a: unknown, b: unknown) => {
    const ka = keysOf(a);
    return items(b).some((x) => ka.has(equalityKey(x)));
  }),
];

// Quantities (Kubernetes 1.28+) are kubernetes.Quantity values holding their amount as a double
// (exact to about 15 significant digits), so `==` compares amounts: quantity('1k') == quantity('1000').
const Q = QUANTITY_TYPE;
const makeQ = (value: number) => newValue(QUANTITY_DESC, { value });
const qv = (x: unknown) => fieldsOf<{ value: number }>(x).value;
function parseQ(s: string): number {
  const v = parseQuantity(s);
  if (v === undefined) throw new Error(`invalid quantity ${JSON.stringify(s)}`);
  return v;
}
type QResult = typeof CelScalar.BOOL | typeof CelScalar.INT | typeof CelScalar.DOUBLE | typeof Q;
const qMethod = (name: string, result: QResult, fn: (a: number) => unknown) =>
  celMethod(name, Q, [], result, function () {
    return fn(qv(this)) as never;
  });
const qBinary = (name: string, result: QResult, fn: (a: number, b: number) => unknown) =>
  celMethod(name, Q, [Q], result, function (o: unknown) {
    return fn(qv(this), qv(o)) as never;
  });
const quantityFuncs = [
  celFunc("quantity", [CelScalar.STRING], Q, (s: string) => makeQ(parseQ(s))),
  celFunc("isQuantity", [CelScalar.STRING], CelScalar.BOOL, (s: string) => parseQuantity(s) !== undefined),
  qBinary("compareTo", CelScalar.INT, (a, b) => BigInt(Math.sign(a - b))),
  qBinary("isGreaterThan", CelScalar.BOOL, (a, b) => a > b),
  qBinary("isLessThan", CelScalar.BOOL, (a, b) => a < b),
  qBinary("add", Q, (a, b) => makeQ(a + b)),
  qBinary("sub", Q, (a, b) => makeQ(a - b)),
  celMethod("add", Q, [CelScalar.INT], Q, function (n: bigint) {
    return makeQ(qv(this) + Number(n));
  }),
  celMethod("sub", Q, [CelScalar.INT], Q, function (n: bigint) {
    return makeQ(qv(this) - Number(n));
  }),
  qMethod("asApproximateFloat", CelScalar.DOUBLE, (a) => a),
  qMethod("isInteger", CelScalar.BOOL, (a) => Number.isInteger(a)),
  qMethod("sign", CelScalar.INT, (a) => BigInt(Math.sign(a))),
  qMethod("asInteger", CelScalar.INT, (a) => {
    if (!Number.isSafeInteger(a)) throw new Error("quantity is not an integer or overflows");
    return BigInt(a);
  }),
];

const ENV = celEnv({
  registry: celTypeRegistry,
  funcs: [
    ...strings,
    ...regexFuncs,
    ...listFuncs,
    ...setFuncs,
    ...quantityFuncs,
    ...urlFuncs,
    ...netFuncs,
    ...optionalFuncs,
    ...formatFuncs,
    ...authorizerFuncs,
  ],
});

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
