import { isRecord } from "../../../core/object.js";

/** Result of evaluating a metav1.LabelSelector: a verdict, or why the selector is invalid. */
export type SelectorResult = { ok: true; matches: boolean } | { ok: false; error: string };

/**
 * Evaluates a Kubernetes LabelSelector (matchLabels AND every matchExpression) against labels,
 * with the API server's rules: an empty or absent selector matches everything; In/NotIn need at
 * least one value; Exists/DoesNotExist take none; NotIn also matches when the key is absent.
 */
export function matchSelector(selector: unknown, labels: Readonly<Record<string, string>>): SelectorResult {
  if (selector === undefined || selector === null) return { ok: true, matches: true };
  if (!isRecord(selector)) return { ok: false, error: "selector is not an object" };
  const has = (k: string) => Object.hasOwn(labels, k);
  let matches = true;
  const ml = selector.matchLabels;
  if (ml !== undefined && ml !== null) {
    if (!isRecord(ml)) return { ok: false, error: "matchLabels is not a map" };
    for (const [k, v] of Object.entries(ml)) {
      if (typeof v !== "string")
        return { ok: false, error: `matchLabels[${JSON.stringify(k)}] is not a string` };
      if (!has(k) || labels[k] !== v) matches = false;
    }
  }
  const me = selector.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) return { ok: false, error: "matchExpressions is not a list" };
    for (const [i, expr] of me.entries()) {
      if (!isRecord(expr)) return { ok: false, error: `matchExpressions[${i}] is not an object` };
      const { key, operator } = expr;
      if (typeof key !== "string" || key === "")
        return { ok: false, error: `matchExpressions[${i}] has no key` };
      const values = expr.values ?? [];
      if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) {
        return { ok: false, error: `matchExpressions[${i}].values is not a list of strings` };
      }
      switch (operator) {
        case "In":
        case "NotIn": {
          if (values.length === 0)
            return { ok: false, error: `matchExpressions[${i}]: ${operator} needs values` };
          const inSet = has(key) && values.includes(labels[key]);
          if (operator === "In" ? !inSet : inSet) matches = false;
          break;
        }
        case "Exists":
        case "DoesNotExist": {
          if (values.length > 0)
            return { ok: false, error: `matchExpressions[${i}]: ${operator} takes no values` };
          if (operator === "Exists" ? !has(key) : has(key)) matches = false;
          break;
        }
        default:
          return { ok: false, error: `matchExpressions[${i}]: unknown operator ${JSON.stringify(operator)}` };
      }
    }
  }
  return { ok: true, matches };
}

/** Labels as a plain string map; non-string values in a malformed manifest are dropped. */
export function labelsOf(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === "string") out[k] = val;
  return out;
}
