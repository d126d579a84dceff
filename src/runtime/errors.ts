/** Errors of the runtime layer. Every error carries a stable `code` that tests and callers match on. */

export type RuntimeErrorCode =
  | "condition-syntax"
  | "condition-escape"
  | "unknown-field"
  | "field-arg"
  | "bad-value"
  | "undefined-macro"
  | "macro-cycle"
  | "bad-operator"
  | "bad-regex"
  | "rules-yaml"
  | "rules-schema"
  | "rules-no-previous"
  | "rules-source"
  | "rules-engine-version"
  | "output-format"
  | "source-spec"
  | "source-io"
  | "webhook-config";

/** Position inside a condition string: 0-based index, 1-based line and column. */
export interface CondPos {
  idx: number;
  line: number;
  col: number;
}

export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    readonly pos?: CondPos,
  ) {
    super(message);
    this.name = "RuntimeError";
  }
}
