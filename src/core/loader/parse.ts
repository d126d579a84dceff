// Turns the text of one manifest file (or rendered tool output) into objects,
// errors and skipped entries. No I/O: the caller reads the bytes.
import yaml from "js-yaml";
import type { FieldPath, ScanError } from "../model.js";
import { isRecord, type K8sObject, type ObjectMeta } from "../object.js";
import { isKnownKind, isListKind, isToolConfig } from "./kinds.js";
import { buildLineTree, type LineNode, lookupLine, parseWithLines } from "./lines.js";
import { KUBE_YAML_SCHEMA } from "./yaml-schema.js";

export interface SkippedDoc {
  file: string;
  line?: number;
  apiVersion?: string;
  kind?: string;
  name?: string;
  /** Stable code: "not-kubernetes", "unknown-kind", "tool-config", "symlink-outside", "empty-list". */
  code: string;
  reason: string;
}

export interface ParseSink {
  objects: K8sObject[];
  errors: ScanError[];
  skipped: SkippedDoc[];
}

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

/** Lazily built field-line map of one document; `offset` turns its 0-based lines into 1-based file lines. */
class LineSource {
  constructor(
    private readonly text: string,
    private readonly offset: number,
    private readonly json: boolean,
    /** Already built (YAML parses build it on the way); null when the text does not parse. */
    private tree?: LineNode | null,
  ) {}
  line(path: FieldPath): number | undefined {
    if (this.tree === undefined) this.tree = buildLineTree(this.text, this.json) ?? null;
    if (this.tree === null) return undefined;
    return lookupLine(this.tree, path) + this.offset + 1;
  }
}

interface DocPlace {
  file: string;
  /** 1-based line of the document's first content line; undefined for rendered output. */
  line?: number;
  lines?: LineSource;
}

// ---------------------------------------------------------------------------------------------
// YAML

interface Chunk {
  text: string;
  /** 0-based line of the chunk's first line in the file. */
  start: number;
  /** 0-based line of the first content line inside the chunk, relative to `start`. */
  firstContent: number;
}

/**
 * Splits a YAML stream into one text per document. `---` and `...` at column 0 can only be
 * document markers (the spec forbids them as content there), so this matches the parser's view;
 * directives (`%YAML`) stay with the document that follows them.
 */
export function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let chunkStartPos = 0;
  let chunkStartLine = 0;
  let firstContent = -1;
  let hasMarker = false;
  let lineNo = 0;
  let pos = 0;
  const close = (endPos: number) => {
    if (endPos > chunkStartPos) {
      chunks.push({
        text: text.slice(chunkStartPos, endPos),
        start: chunkStartLine,
        firstContent: Math.max(0, firstContent),
      });
    }
  };
  while (pos <= text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const c0 = text.charCodeAt(pos);
    const kind = classifyLine(text, pos, end, c0);
    if (kind === "marker" || kind === "directive") {
      const opensNew = firstContent >= 0 || hasMarker;
      if (opensNew) {
        close(pos);
        chunkStartPos = pos;
        chunkStartLine = lineNo;
        firstContent = -1;
        hasMarker = false;
      }
      if (kind === "marker") {
        hasMarker = true;
        // Content on the marker line itself (`--- |`, `--- {a: 1}`).
        if (firstContent < 0 && hasInlineContent(text, pos + 3, end)) firstContent = lineNo - chunkStartLine;
      }
    } else if (kind === "content") {
      if (firstContent < 0) firstContent = lineNo - chunkStartLine;
    } else if (kind === "end") {
      close(end + 1);
      chunkStartPos = end + 1;
      chunkStartLine = lineNo + 1;
      firstContent = -1;
      hasMarker = false;
    }
    pos = end + 1;
    lineNo++;
  }
  close(text.length);
  return chunks;
}

type LineKind = "blank" | "comment" | "marker" | "end" | "directive" | "content";

function classifyLine(text: string, start: number, end: number, c0: number): LineKind {
  if (c0 === 45 /* - */ && isMarker(text, start, end, "---")) return "marker";
  if (c0 === 46 /* . */ && isMarker(text, start, end, "...")) return "end";
  if (c0 === 37 /* % */) return "directive";
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c === 35 /* # */ ? "comment" : "content";
  }
  return "blank";
}

function isMarker(text: string, start: number, end: number, marker: string): boolean {
  if (!text.startsWith(marker, start)) return false;
  const next = text.charCodeAt(start + 3);
  return start + 3 >= end || next === 32 || next === 9 || next === 13;
}

function hasInlineContent(text: string, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) continue;
    return c !== 35;
  }
  return false;
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
    if (MAY_HAVE_ALIAS.test(chunk.text)) {
      const problem = aliasProblem(value, ctx.maxAliasCount);
      if (problem) {
        sink.errors.push({
          file,
          ...(ctx.rendered ? {} : { line: chunk.start + chunk.firstContent + 1 }),
          code: "yaml-alias-limit",
          message: `${file}${ctx.rendered ? "" : `:${chunk.start + chunk.firstContent + 1}`}: ${problem}; document not loaded`,
        });
        continue;
      }
    }
    const place: DocPlace = ctx.rendered
      ? { file }
      : {
          file,
          line: chunk.start + chunk.firstContent + 1,
          lines: new LineSource(chunk.text, chunk.start, false, tree ?? null),
        };
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

// ---------------------------------------------------------------------------------------------
// Documents to objects

function addDocument(
  value: unknown,
  place: DocPlace,
  sink: ParseSink,
  index: number,
  prefix: FieldPath = [],
): number {
  const line = prefix.length > 0 && place.lines ? place.lines.line(prefix) : place.line;
  const at = { file: place.file, ...(line !== undefined ? { line } : {}) };
  if (!isRecord(value)) {
    const what = Array.isArray(value) ? "a list" : `a ${typeof value}`;
    sink.skipped.push({
      ...at,
      code: "not-kubernetes",
      reason: `not a Kubernetes object: the document is ${what}, not a mapping`,
    });
    return index;
  }
  const apiVersion = value.apiVersion;
  const kind = value.kind;
  const name =
    isRecord(value.metadata) && typeof value.metadata.name === "string" ? value.metadata.name : undefined;
  const ids = {
    ...(typeof apiVersion === "string" ? { apiVersion } : {}),
    ...(typeof kind === "string" ? { kind } : {}),
    ...(name !== undefined ? { name } : {}),
  };
  if (typeof apiVersion !== "string" || apiVersion === "" || typeof kind !== "string" || kind === "") {
    const missing = [
      typeof apiVersion === "string" && apiVersion ? "" : "apiVersion",
      typeof kind === "string" && kind ? "" : "kind",
    ]
      .filter(Boolean)
      .join(" and ");
    sink.skipped.push({
      ...at,
      ...ids,
      code: "not-kubernetes",
      reason: `not a Kubernetes object: no ${missing}`,
    });
    return index;
  }
  if (isListKind(kind) && Array.isArray(value.items)) {
    if (value.items.length === 0) {
      sink.skipped.push({ ...at, ...ids, code: "empty-list", reason: `${kind} has no items` });
    }
    value.items.forEach((item, i) => {
      index = addDocument(item, place, sink, index, [...prefix, "items", i]);
    });
    return index;
  }
  if (isToolConfig(apiVersion)) {
    sink.skipped.push({
      ...at,
      ...ids,
      code: "tool-config",
      reason: `${kind} (${apiVersion}) configures a tool; it is not a cluster object`,
    });
    return index;
  }
  if (!isKnownKind(apiVersion, kind)) {
    sink.skipped.push({
      ...at,
      ...ids,
      code: "unknown-kind",
      reason: `unknown kind ${kind} in ${apiVersion}: not a built-in kind nor a custom resource group`,
    });
    return index;
  }
  sink.objects.push(makeObject(value, apiVersion, kind, place, line, index, prefix));
  return index + 1;
}

function makeObject(
  raw: Record<string, unknown>,
  apiVersion: string,
  kind: string,
  place: DocPlace,
  line: number | undefined,
  index: number,
  prefix: FieldPath,
): K8sObject {
  const metadata = (isRecord(raw.metadata) ? raw.metadata : {}) as ObjectMeta;
  const lines = place.lines;
  return {
    apiVersion,
    kind,
    metadata,
    raw,
    source: { file: place.file, ...(line !== undefined ? { line } : {}), index },
    lineOf: lines ? (path) => lines.line(prefix.length > 0 ? [...prefix, ...path] : path) : () => undefined,
  };
}
