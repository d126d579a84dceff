import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { SPDX } from "@cyclonedx/cyclonedx-library";

// The SPDX License List as @cyclonedx/cyclonedx-library ships it (res/schema, next to its package.json):
// one enum holding the license ids (sorted) followed by the license exception ids (sorted again from
// the start). SPDX expressions must not use an exception as a license, nor a license after WITH, so
// the two are told apart here.
const cdxRoot = dirname(createRequire(import.meta.url).resolve("@cyclonedx/cyclonedx-library/package.json"));
const listed = (
  JSON.parse(readFileSync(join(cdxRoot, "res", "schema", "spdx.SNAPSHOT.schema.json"), "utf8")) as {
    enum: string[];
  }
).enum;
const exceptionsStart = listed.findIndex((id, i) => i > 0 && id.toLowerCase() < listed[i - 1]!.toLowerCase());
if (exceptionsStart < 0) throw new Error("SPDX license list: cannot find where the exception ids start");
const EXCEPTIONS = new Map(listed.slice(exceptionsStart).map((id) => [id.toLowerCase(), id]));

/** The SPDX license exception id for a name (case fixed up), else undefined. */
export function spdxExceptionId(name: string): string | undefined {
  return EXCEPTIONS.get(name.trim().toLowerCase());
}

/** The SPDX license id for a license name when it is one (case fixed up: "mit" → "MIT"), else undefined. */
export function spdxId(name: string): string | undefined {
  const trimmed = name.trim();
  const plus = trimmed.endsWith("+");
  const fixed = SPDX.fixupSpdxId(plus ? trimmed.slice(0, -1) : trimmed);
  if (!fixed || !SPDX.isSupportedSpdxId(fixed) || EXCEPTIONS.has(fixed.toLowerCase())) return undefined;
  return plus ? `${fixed}+` : fixed;
}

// SPDX 2.3 Annex D: a user-defined reference is LicenseRef- followed by letters, digits, '.' and '-',
// optionally qualified by the DocumentRef- of an external document.
const LICENSE_REF = /^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/;
const OPERATORS: Record<string, string> = {
  AND: "AND",
  and: "AND",
  OR: "OR",
  or: "OR",
  WITH: "WITH",
  with: "WITH",
};

/**
 * Checks an SPDX 2.3 license expression and returns it in canonical form (list ids in their listed
 * case, operators upper case, single spaces), or undefined when it is not one. Operators may be all
 * upper or all lower case, ids match case-insensitively (Annex D); the operand of WITH must be a
 * single license (optionally "+") or LicenseRef, and its right side a listed exception.
 */
export function normalizeSpdxExpression(expr: string): string | undefined {
  const tokens = expr
    .replace(/([()])/g, " $1 ")
    .trim()
    .split(/\s+/);
  if (tokens[0] === "") return undefined;
  const out: string[] = [];
  let depth = 0;
  let expectOperand = true;
  let lastWasSimple = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const op = OPERATORS[t];
    if (t === "(") {
      if (!expectOperand) return undefined;
      depth++;
      out.push("(");
      lastWasSimple = false;
    } else if (t === ")") {
      if (expectOperand || --depth < 0) return undefined;
      out.push(")");
      lastWasSimple = false;
    } else if (op === "WITH") {
      const exception = spdxExceptionId(tokens[i + 1] ?? "");
      if (!lastWasSimple || !exception) return undefined;
      out.push("WITH", exception);
      i++;
      lastWasSimple = false;
    } else if (op) {
      if (expectOperand) return undefined;
      out.push(op);
      expectOperand = true;
    } else {
      if (!expectOperand) return undefined;
      const id = LICENSE_REF.test(t) ? t : spdxId(t);
      if (!id) return undefined;
      out.push(id);
      expectOperand = false;
      lastWasSimple = true;
    }
  }
  if (expectOperand || depth !== 0) return undefined;
  return out.join(" ").replace(/\( /g, "(").replace(/ \)/g, ")");
}

/** True when `expr` is a valid SPDX 2.3 license expression. */
export function isSpdxExpression(expr: string): boolean {
  return normalizeSpdxExpression(expr) !== undefined;
}

/** The LicenseRef-… (and DocumentRef-…:LicenseRef-…) references an SPDX expression uses. */
export function licenseRefsIn(expr: string): string[] {
  return expr
    .replace(/[()]/g, " ")
    .split(/\s+/)
    .filter((t) => LICENSE_REF.test(t));
}

/** Joins a package's license list into one SPDX expression, or undefined when any part is not SPDX. */
export function toSpdxExpression(licenses: readonly string[] | undefined): string | undefined {
  if (!licenses?.length) return undefined;
  const parts: string[] = [];
  for (const l of licenses) {
    const expr = normalizeSpdxExpression(l);
    if (!expr) return undefined;
    parts.push(licenses.length > 1 && /\s/.test(expr) ? `(${expr})` : expr);
  }
  return parts.join(" AND ");
}
