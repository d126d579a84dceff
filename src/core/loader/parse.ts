// Turns the text of one manifest file (or rendered tool output) into objects,
// errors and skipped entries. No I/O: the caller reads the bytes.
import yaml from "js-yaml";
import type { ScanError } from "../model.js";
import { addDocument, type DocPlace, LineSource, type ParseSink } from "./documents.js";
import { type LineNode, parseWithLines } from "./lines.js";
import { type Chunk, splitDocuments } from "./split.js";
import { KUBE_YAML_SCHEMA } from "./yaml-schema.js";

export type { ParseSink, SkippedDoc } from "./documents.js";
export { splitDocuments } from "./split.js";

export interface ParseContext {
  /** File name reported for every object and error. */
  file: string;
  maxAliasCount: number;
  /**
   * Rendered output (helm, kustomize): its lines mean nothing to the user, so objects carry no line.
   * `fileOf` maps a document to the file it came from (helm's `# Source:` comment), when known.
   */
  rendered?: { fileOf(docText: string): string | undefined };
}

const MAY_HAVE_ALIAS = /(?:^|[\s[{,])\*/;

/** Parses a YAML stream; every document is handled on its own so one bad document does not hide the others. */
export function parseYaml(text: string, ctx: ParseContext, sink: ParseSink): void {
  let index = 0;
  for (const chunk of splitDocuments(text)) {
    let value: unknown;
    let tree: LineNode | undefined;
    try {
      // Rendered output has no useful lines: parse it without recording them.
      if (ctx.rendered)
        value = yaml.load(chunk.text, { schema: KUBE_YAML_SCHEMA, maxDepth: 500 } as yaml.LoadOptions);
      else ({ value, tree } = parseWithLines(chunk.text));
    } catch (err) {
      sink.errors.push(yamlError(err, ctx, chunk));
      continue;
    }
    if (value === undefined || value === null) continue; // empty or comment-only document
    const file = ctx.rendered?.fileOf(chunk.text) ?? ctx.file;
    // The document's first content line; rendered output has none worth reporting.
    const line = ctx.rendered ? undefined : chunk.start + chunk.firstContent + 1;
    if (MAY_HAVE_ALIAS.test(chunk.text)) {
      const problem = aliasProblem(value, ctx.maxAliasCount);
      if (problem) {
        sink.errors.push({
          file,
          ...(line !== undefined ? { line } : {}),
          code: "yaml-alias-limit",
          message: `${file}${line !== undefined ? `:${line}` : ""}: ${problem}; document not loaded`,
        });
        continue;
      }
    }
    const place: DocPlace =
      line === undefined
        ? { file }
        : { file, line, lines: new LineSource(chunk.text, chunk.start, false, tree ?? null) };
    index = addDocument(value, place, sink, index);
  }
}

function yamlError(err: unknown, ctx: ParseContext, chunk: Chunk): ScanError {
  const e = err as { reason?: string; message?: string; mark?: { line: number; column: number } };
  const reason = e.reason ?? e.message ?? String(err);
  const code = reason.includes("duplicated mapping key") ? "yaml-duplicate-key" : "yaml-syntax";
  if (ctx.rendered)
    return { file: ctx.file, code, message: `${ctx.file}: rendered output is not valid YAML: ${reason}` };
  const line = e.mark ? chunk.start + e.mark.line + 1 : chunk.start + chunk.firstContent + 1;
  return { file: ctx.file, line, code, message: `${ctx.file}:${line}: ${reason}` };
}

/**
 * js-yaml shares one object for an anchor and all its aliases, so an alias bomb costs nothing to
 * parse but explodes whoever walks the data. Count how many alias expansions a full walk would do
 * (nested ones multiply) and refuse cyclic data (`&a [*a]`).
 */
export function aliasProblem(root: unknown, maxAliasCount: number): string | undefined {
  const parents = new Map<object, number>();
  const pending: object[] = [];
  if (root !== null && typeof root === "object") pending.push(root);
  while (pending.length > 0) {
    const node = pending.pop() as object;
    for (const child of Object.values(node)) {
      if (child === null || typeof child !== "object") continue;
      const n = parents.get(child) ?? 0;
      parents.set(child, n + 1);
      if (n === 0) pending.push(child);
    }
  }
  const expansions = new Map<object, number>();
  const active = new Set<object>();
  let cyclic = false;
  const count = (node: object): number => {
    const known = expansions.get(node);
    if (known !== undefined) return known;
    if (active.has(node)) {
      cyclic = true;
      return 0;
    }
    active.add(node);
    let total = 0;
    for (const child of Object.values(node)) {
      if (child === null || typeof child !== "object") continue;
      total += ((parents.get(child) ?? 0) > 1 ? 1 : 0) + count(child);
    }
    active.delete(node);
    expansions.set(node, total);
    return total;
  };
  const total = root !== null && typeof root === "object" ? count(root) : 0;
  if (cyclic) return "an alias refers to a node that contains it (recursive data)";
  if (total > maxAliasCount) {
    return `aliases would expand ${total === Number.POSITIVE_INFINITY ? "without bound" : `${total} times`} (limit ${maxAliasCount}): resource exhaustion attack or runaway anchors`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// JSON

/** Parses a JSON file with JSON's own rules; field lines are computed on demand. */
export function parseJson(text: string, ctx: ParseContext, sink: ParseSink): void {
  if (text.trim() === "") return; // an empty file holds no object, as an empty YAML file
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    const line = at ? lineAt(text, Number(at[1])) : undefined;
    sink.errors.push({
      file: ctx.file,
      ...(line !== undefined ? { line } : {}),
      code: "json-syntax",
      message: `${ctx.file}${line !== undefined ? `:${line}` : ""}: invalid JSON: ${message}`,
    });
    return;
  }
  const lines = new LineSource(text, 0, true);
  addDocument(value, { file: ctx.file, line: lineAt(text, firstNonSpace(text)), lines }, sink, 0);
}

function firstNonSpace(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index : 0;
}

/** 1-based line of character offset `pos`. */
function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < pos; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
