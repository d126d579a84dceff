/**
 * Rule `exceptions:` (name, fields, comps, values) and their translation into condition text, the way
 * Falco appends `and not (...)` for each exception to the rule's condition.
 */

import { ALL_OPS, LIST_OPS } from "../condition/parser.js";
import { RuntimeError } from "../errors.js";

export interface ExceptionInfo {
  name: string;
  /** one field (string form) or several (list form) */
  fields?: string | string[];
  comps?: string | string[];
  /** each value: a string (single-field form) or a tuple whose entries are strings or lists */
  values: (string | (string | string[])[])[];
}

type Obj = Record<string, unknown>;

function strOrList(v: unknown, what: string): string | string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  throw new RuntimeError("rules-schema", `Rule exception ${what} must be a string or a list of strings`);
}

/** Validate one exception item. `partial` allows the shape used when appending values to an exception. */
export function parseException(raw: unknown, partial: boolean): ExceptionInfo {
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new RuntimeError("rules-schema", "Rule exception must be a mapping");
  const e = raw as Obj;
  if (typeof e.name !== "string" || e.name === "")
    throw new RuntimeError("rules-schema", "Rule exception item must have a name property");
  const fields = strOrList(e.fields, "fields");
  let comps = strOrList(e.comps, "comps");
  const values = e.values === undefined ? [] : e.values;
  if (!Array.isArray(values)) throw new RuntimeError("rules-schema", "Rule exception values must be a list");
  if (!partial && fields === undefined) {
    throw new RuntimeError(
      "rules-schema",
      "Rule exception item must have fields property with a list of fields",
    );
  }
  if (fields !== undefined) {
    if (Array.isArray(fields)) {
      if (comps === undefined) comps = fields.map(() => "=");
      if (!Array.isArray(comps))
        throw new RuntimeError("rules-schema", "Fields and comps must both be lists");
      if (comps.length !== fields.length)
        throw new RuntimeError("rules-schema", "Fields and comps lists must have equal length");
      for (const c of comps) {
        if (!ALL_OPS.includes(c))
          throw new RuntimeError("rules-schema", `'${c}' is not a supported comparison operator`);
      }
      for (const v of values) {
        if (!Array.isArray(v))
          throw new RuntimeError("rules-schema", "Expected values array to contain a list of lists");
        if (v.length !== fields.length)
          throw new RuntimeError("rules-schema", "Fields and values lists must have equal length");
      }
    } else {
      if (comps === undefined) comps = "in";
      if (Array.isArray(comps))
        throw new RuntimeError("rules-schema", "Fields and comps must both be strings");
      if (comps !== "in" && comps !== "pmatch" && comps !== "intersects") {
        throw new RuntimeError(
          "rules-schema",
          "When fields is a single value, comps must be one of (in, pmatch, intersects)",
        );
      }
      for (const v of values) {
        if (typeof v !== "string")
          throw new RuntimeError("rules-schema", "Expected values array to contain a list of strings");
      }
    }
  }
  return { name: e.name, fields, comps, values: values as ExceptionInfo["values"] };
}

const quote = (s: string) => (s.includes(" ") && s[0] !== '"' && s[0] !== "'" ? `"${s}"` : s);

/** `(cond) and not (...) and not (...)`, one `and not` per non-empty exception. */
export function buildExceptionCondition(cond: string, exceptions: ExceptionInfo[]): string {
  let out = `(${cond})`;
  for (const ex of exceptions) {
    let icond = "";
    if (typeof ex.fields === "string") {
      const vals = ex.values as string[];
      if (vals.length > 0) icond = `(${ex.fields} ${ex.comps as string} (${vals.map(quote).join(", ")}))`;
    } else if (Array.isArray(ex.fields)) {
      const fields = ex.fields;
      const comps = ex.comps as string[];
      const tuples = (ex.values as (string | string[])[][]).map((tuple) => {
        const parts = fields.map((f, k) => {
          const v = tuple[k]!;
          let istr: string;
          if (Array.isArray(v)) istr = `(${v.map(quote).join(", ")})`;
          else if (LIST_OPS.includes(comps[k]!)) istr = v.startsWith("(") ? v : `(${v})`;
          else istr = quote(v);
          return ` ${f} ${comps[k]} ${istr}`;
        });
        return `(${parts.join(" and ")})`;
      });
      if (tuples.length > 0) icond = `(${tuples.join(" or ")})`;
    }
    if (icond) out += ` and not ${icond}`;
  }
  return out;
}
