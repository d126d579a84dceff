import { SPDX } from "@cyclonedx/cyclonedx-library";

/** The SPDX id for a license name when it is one (case fixed up: "mit" → "MIT"), else undefined. */
export function spdxId(name: string): string | undefined {
  const fixed = SPDX.fixupSpdxId(name.trim().replace(/\+$/, ""));
  if (!fixed || !SPDX.isSupportedSpdxId(fixed)) return undefined;
  return name.trim().endsWith("+") ? `${fixed}+` : fixed;
}

/** True when `expr` is a valid SPDX license expression made of known ids, LicenseRefs and operators. */
export function isSpdxExpression(expr: string): boolean {
  const tokens = expr
    .replace(/([()])/g, " $1 ")
    .trim()
    .split(/\s+/);
  if (tokens.length === 0 || tokens[0] === "") return false;
  let depth = 0;
  let expectOperand = true;
  let afterWith = false;
  for (const t of tokens) {
    if (t === "(") {
      if (!expectOperand) return false;
      depth++;
    } else if (t === ")") {
      if (expectOperand || --depth < 0) return false;
    } else if (t === "AND" || t === "OR" || t === "WITH") {
      if (expectOperand) return false;
      expectOperand = true;
      afterWith = t === "WITH";
      continue;
    } else {
      if (!expectOperand) return false;
      const ok = afterWith
        ? /^[A-Za-z0-9.-]+$/.test(t)
        : /^(DocumentRef-[\w.-]+:)?LicenseRef-[\w.-]+$/.test(t) || spdxId(t) === t;
      if (!ok) return false;
      expectOperand = false;
    }
    afterWith = false;
  }
  return !expectOperand && depth === 0;
}

/** Joins a package's license list into one SPDX expression, or undefined when any part is not SPDX. */
export function toSpdxExpression(licenses: readonly string[] | undefined): string | undefined {
  if (!licenses?.length) return undefined;
  const parts: string[] = [];
  for (const l of licenses) {
    const id = spdxId(l);
    if (id) parts.push(id);
    else if (isSpdxExpression(l)) parts.push(licenses.length > 1 ? `(${l})` : l);
    else return undefined;
  }
  return parts.join(" AND ");
}
