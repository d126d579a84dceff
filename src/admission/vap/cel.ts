// CEL for ValidatingAdmissionPolicies on @bufbuild/cel: the standard library, the strings
// extension, and the Kubernetes regex helpers find/findAll. JSON integers become CEL ints.
import {
  CelScalar,
  type CelValue,
  celEnv,
  celMethod,
  isCelError,
  listType,
  parse,
  plan,
} from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

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

const ENV = celEnv({ funcs: [...strings, ...k8sFuncs] });

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
