/**
 * Parser for the Falco condition language (the libsinsp filter grammar):
 *
 *   expr      := or
 *   or        := and ('or' and)*
 *   and       := not ('and' not)*
 *   not       := ('not' blank)* check | 'not(' expr ')'
 *   check     := '(' expr ')' | field cond | transformer cond | identifier
 *   cond      := 'exists' | numop number | strop string | listop list
 *   field     := name ('[' (quoted | bare) ']')?
 *
 * Operators are matched as plain prefixes, like upstream does (string operators that are words need a
 * trailing blank, e.g. "contains "). Precedence: not > and > or.
 */
import { type CondPos, RuntimeError } from "../errors.js";

export type FieldExpr =
  | { kind: "field"; name: string; arg?: string; pos: CondPos }
  | { kind: "transform"; fn: string; child: FieldExpr; pos: CondPos };

export type ValueExpr =
  | { kind: "value"; value: string; pos: CondPos }
  | { kind: "list"; values: string[]; pos: CondPos };

export type Expr =
  | { kind: "and"; children: Expr[]; pos: CondPos }
  | { kind: "or"; children: Expr[]; pos: CondPos }
  | { kind: "not"; child: Expr; pos: CondPos }
  | { kind: "ident"; name: string; pos: CondPos }
  | { kind: "unary"; left: FieldExpr; op: "exists"; pos: CondPos }
  | { kind: "binary"; left: FieldExpr; op: string; right: ValueExpr | FieldExpr; pos: CondPos };

const RGX_NOTBLANK = /^not[ \t\r\n\f\v]+/y;
const RGX_IDENTIFIER = /[a-zA-Z]+[a-zA-Z0-9_]*/y;
const RGX_FIELDNAME = /[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+/y;
const RGX_FIELDARG_BARE = /[^\]["'\s]+/y;
const RGX_HEXNUM = /0[xX][0-9a-zA-Z]+/y;
const RGX_NUMBER = /[+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?/y;
const RGX_BARESTR = /[^()"'\s=,]+/y;

export const UNARY_OPS = ["exists"];
export const NUM_OPS = ["<=", "<", ">=", ">"];
const STR_OPS = [
  "==",
  "=",
  "!=",
  "glob ",
  "iglob ",
  "contains ",
  "icontains ",
  "bcontains ",
  "startswith ",
  "bstartswith ",
  "endswith ",
  "regex ",
];
export const LIST_OPS = ["intersects", "in", "pmatch"];
export const ALL_OPS = [...UNARY_OPS, ...NUM_OPS, ...STR_OPS.map((s) => s.trim()), ...LIST_OPS];
const TRANSFORMERS = ["tolower(", "toupper(", "b64(", "basename(", "len("];
const MAX_DEPTH = 1000;

/** Undo the escapes a quoted string may contain (quotes included in `raw`). */
export function unescapeQuoted(raw: string, pos?: CondPos): string {
  const quote = raw[0];
  let out = "";
  let escaped = false;
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i]!;
    if (!escaped) {
      if (c === "\\") escaped = true;
      else out += c;
      continue;
    }
    escaped = false;
    switch (c) {
      case "b":
        out += "\b";
        break;
      case "f":
        out += "\f";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "t":
        out += "\t";
        break;
      case " ": // upstream keeps this for old, wrongly escaped rules: the pair reads as a backslash
      case "\\":
        out += "\\";
        break;
      case "/":
        out += "/";
        break;
      case '"':
      case "'":
        if (c !== quote) {
          throw new RuntimeError("condition-escape", `invalid \\${c} escape in ${quote}-quoted string`, pos);
        }
        out += c;
        break;
      default:
        throw new RuntimeError("condition-escape", `unsupported string escape sequence: \\${c}`, pos);
    }
  }
  return out;
}

class Parser {
  private idx = 0;
  private line = 1;
  private col = 1;
  private depth = 0;
  private last = "";

  constructor(private readonly input: string) {}

  parse(): Expr {
    if (this.input.length === 0) throw this.err("filter input string is empty");
    const res = this.parseOr();
    if (this.idx !== this.input.length) {
      throw this.err(`unexpected token after '${this.last}', expecting 'or', 'and'`);
    }
    return res;
  }

  private pos(): CondPos {
    return { idx: this.idx, line: this.line, col: this.col };
  }

  private err(msg: string): RuntimeError {
    return new RuntimeError("condition-syntax", msg, this.pos());
  }

  private advance(n: number): void {
    for (let i = 0; i < n; i++) {
      const c = this.input[this.idx];
      this.col++;
      if (c === "\n" || c === "\r") {
        this.col = 1;
        this.line++;
      }
      this.idx++;
    }
  }

  private enter(): void {
    if (++this.depth >= MAX_DEPTH) throw this.err(`exceeded max depth limit of ${MAX_DEPTH}`);
  }

  private blank(): boolean {
    let found = false;
    for (;;) {
      const c = this.input[this.idx];
      if (c === " " || c === "\t" || c === "\b" || c === "\r" || c === "\n") {
        found = true;
        this.advance(1);
      } else return found;
    }
  }

  private str(s: string): boolean {
    if (this.input.startsWith(s, this.idx)) {
      this.last = s;
      this.advance(s.length);
      return true;
    }
    return false;
  }

  private strList(list: readonly string[]): boolean {
    for (const s of list) if (this.str(s)) return true;
    return false;
  }

  private rgx(re: RegExp): boolean {
    re.lastIndex = this.idx;
    const m = re.exec(this.input);
    if (!m || m.index !== this.idx || m[0].length === 0) return false;
    this.last = m[0];
    this.advance(m[0].length);
    return true;
  }

  private quoted(): boolean {
    const start = this.input[this.idx];
    if (start !== "'" && start !== '"') return false;
    const p = this.pos();
    let prev = "\\";
    let j = this.idx;
    while (j < this.input.length) {
      const c = this.input[j]!;
      if (c === start && prev !== "\\" && j > this.idx) {
        const raw = this.input.slice(this.idx, j + 1);
        this.advance(j + 1 - this.idx);
        this.last = unescapeQuoted(raw, p);
        return true;
      }
      // like upstream, only the previous raw character is looked at
      prev = c;
      j++;
    }
    return false;
  }

  private parseOr(): Expr {
    this.enter();
    const pos = this.pos();
    const children: Expr[] = [];
    this.blank();
    children.push(this.parseAnd());
    this.blank();
    while (this.str("or")) {
      if (!this.blank()) {
        if (this.str("(")) children.push(this.parseEmbedded());
        else throw this.err("expected blank or '(' after 'or'");
      } else children.push(this.parseAnd());
      this.blank();
    }
    this.depth--;
    return children.length > 1 ? { kind: "or", children, pos } : children[0]!;
  }

  private parseAnd(): Expr {
    this.enter();
    const pos = this.pos();
    const children: Expr[] = [];
    this.blank();
    children.push(this.parseNot());
    this.blank();
    while (this.str("and")) {
      if (!this.blank()) {
        if (this.str("(")) children.push(this.parseEmbedded());
        else throw this.err("expected blank or '(' after 'and'");
      } else children.push(this.parseNot());
      this.blank();
    }
    this.depth--;
    return children.length > 1 ? { kind: "and", children, pos } : children[0]!;
  }

  private parseNot(): Expr {
    this.enter();
    const pos = this.pos();
    let negate = false;
    this.blank();
    while (this.rgxNot()) negate = !negate;
    let child: Expr;
    if (this.str("not(")) {
      negate = !negate;
      child = this.parseEmbedded();
    } else child = this.parseCheck();
    this.depth--;
    return negate ? { kind: "not", child, pos } : child;
  }

  private rgxNot(): boolean {
    RGX_NOTBLANK.lastIndex = 0;
    const m = RGX_NOTBLANK.exec(this.input.slice(this.idx, this.idx + 64));
    if (!m) return false;
    this.last = m[0];
    this.advance(m[0].length);
    return true;
  }

  private parseEmbedded(): Expr {
    this.enter();
    this.blank();
    const child = this.parseOr();
    this.blank();
    if (!this.str(")")) throw this.err("expected a ')' token");
    this.depth--;
    return child;
  }

  private parseCheck(): Expr {
    this.enter();
    const pos = this.pos();
    this.blank();
    let res: Expr;
    if (this.str("(")) res = this.parseEmbedded();
    else if (this.rgx(RGX_FIELDNAME))
      res = this.parseCondition(this.parseFieldRemainder(this.last, pos), pos);
    else if (this.strList(TRANSFORMERS)) {
      this.blank();
      const fn = this.last.slice(0, -1);
      res = this.parseCondition(this.parseTransformerRemainder(fn, pos), pos);
    } else if (this.rgx(RGX_IDENTIFIER)) res = { kind: "ident", name: this.last, pos };
    else throw this.err("expected a '(' token, a field check, or an identifier");
    this.depth--;
    return res;
  }

  private parseFieldRemainder(name: string, pos: CondPos): FieldExpr {
    const field: FieldExpr = { kind: "field", name, pos };
    if (this.str("[")) {
      if (!this.quoted() && !this.rgx(RGX_FIELDARG_BARE)) {
        throw this.err("expected a valid field argument: a quoted string or a bare string");
      }
      field.arg = this.last;
      if (!this.str("]")) throw this.err("expected a ']' token");
    }
    return field;
  }

  private parseTransformerRemainder(fn: string, pos: CondPos): FieldExpr {
    this.enter();
    this.blank();
    const argPos = this.pos();
    let child: FieldExpr | undefined;
    if (this.strList(TRANSFORMERS)) {
      this.blank();
      child = this.parseTransformerRemainder(this.last.slice(0, -1), argPos);
    } else if (this.rgx(RGX_FIELDNAME)) child = this.parseFieldRemainder(this.last, argPos);
    if (!child) throw this.err("expected a field or a nested valid transformer");
    this.blank();
    if (!this.str(")")) throw this.err("expected a ')' token closing the transformer");
    this.depth--;
    return { kind: "transform", fn, child, pos };
  }

  private parseCondition(left: FieldExpr, pos: CondPos): Expr {
    this.blank();
    if (this.strList(UNARY_OPS)) return { kind: "unary", left, op: "exists", pos };
    this.blank();
    let right: ValueExpr | FieldExpr;
    let op: string;
    if (this.strList(NUM_OPS)) {
      op = this.last;
      right = this.parseNumValue();
    } else if (this.strList(STR_OPS)) {
      op = this.last.trim();
      right = this.parseStrValue(false);
    } else if (this.strList(LIST_OPS)) {
      op = this.last;
      right = this.parseListValue();
    } else {
      throw this.err(`expected a valid check operator: one of ${ALL_OPS.map((o) => `'${o}'`).join(", ")}`);
    }
    return { kind: "binary", left, op, right, pos };
  }

  private tryTransformerOrVal(): FieldExpr | undefined {
    this.blank();
    const pos = this.pos();
    if (this.str("val(")) {
      this.blank();
      const fpos = this.pos();
      if (!this.rgx(RGX_FIELDNAME)) throw this.err("expected a field within 'val' transformer");
      const child = this.parseFieldRemainder(this.last, fpos);
      this.blank();
      if (!this.str(")")) throw this.err("expected a ')' token closing the transformer");
      return { kind: "transform", fn: "val", child, pos };
    }
    if (this.strList(TRANSFORMERS)) {
      this.blank();
      return this.parseTransformerRemainder(this.last.slice(0, -1), pos);
    }
    return undefined;
  }

  private parseNumValue(): ValueExpr | FieldExpr {
    this.blank();
    const pos = this.pos();
    const t = this.tryTransformerOrVal();
    if (t) return t;
    if (this.rgx(RGX_HEXNUM) || this.rgx(RGX_NUMBER)) return { kind: "value", value: this.last, pos };
    throw this.err("expected a number value or a field with a valid transformer");
  }

  private parseStrValue(noTransformer: boolean): ValueExpr | FieldExpr {
    this.blank();
    const pos = this.pos();
    if (!noTransformer) {
      const t = this.tryTransformerOrVal();
      if (t) return t;
    }
    if (this.quoted() || this.rgx(RGX_BARESTR)) return { kind: "value", value: this.last, pos };
    throw this.err(
      noTransformer
        ? "expected a string value"
        : "expected a string value or a field with a valid transformer",
    );
  }

  private parseListValue(): ValueExpr | FieldExpr {
    this.blank();
    const pos = this.pos();
    if (this.str("(")) {
      const values: string[] = [];
      this.blank();
      if (this.quoted() || this.rgx(RGX_BARESTR)) {
        values.push(this.last);
        this.blank();
        while (this.str(",")) {
          this.blank();
          if (!(this.quoted() || this.rgx(RGX_BARESTR))) throw this.err("expected a string value");
          values.push(this.last);
          this.blank();
        }
      }
      if (!this.str(")")) throw this.err("expected a ')' token");
      return { kind: "list", values, pos };
    }
    const t = this.tryTransformerOrVal();
    if (t) return t;
    if (this.rgx(RGX_IDENTIFIER)) return { kind: "value", value: this.last, pos };
    throw this.err("expected a list, an identifier, or a field with a valid transformer");
  }
}

/** Parse one condition; throws RuntimeError (code condition-syntax / condition-escape) with the position. */
export function parseCondition(input: string): Expr {
  return new Parser(input).parse();
}
