// Parsed documents -> K8sObjects, or skipped entries for what is not a Kubernetes object.
import type { FieldPath, ScanError } from "../model.js";
import { isRecord, type K8sObject, type ObjectMeta } from "../object.js";
import { isKnownKind, isListKind, isToolConfig } from "./kinds.js";
import { buildLineTree, type LineNode, lookupLine } from "./lines.js";

export interface SkippedDoc {
  file: string;
  line?: number;
  apiVersion?: string;
  kind?: string;
  name?: string;
  /** Stable code: "not-kubernetes", "unknown-kind", "tool-config", "symlink-outside", "empty-list",
   * "not-regular-file". */
  code: string;
  reason: string;
}

export interface ParseSink {
  objects: K8sObject[];
  errors: ScanError[];
  skipped: SkippedDoc[];
}

/** Lazily built field-line map of one document; `offset` turns its 0-based lines into 1-based file lines. */
export class LineSource {
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

export interface DocPlace {
  file: string;
  /** 1-based line of the document's first content line; undefined for rendered output. */
  line?: number;
  lines?: LineSource;
}

export function addDocument(
  value: unknown,
  place: DocPlace,
  sink: ParseSink,
  index: number,
  prefix: FieldPath = [],
): number {
  const line = prefix.length > 0 && place.lines ? place.lines.line(prefix) : place.line;
  // Where and what, built only for skipped documents (kept objects are the hot path).
  const at = () => ({ file: place.file, ...(line !== undefined ? { line } : {}) });
  if (!isRecord(value)) {
    const what = Array.isArray(value) ? "a list" : `a ${typeof value}`;
    sink.skipped.push({
      ...at(),
      code: "not-kubernetes",
      reason: `not a Kubernetes object: the document is ${what}, not a mapping`,
    });
    return index;
  }
  const apiVersion = value.apiVersion;
  const kind = value.kind;
  const ids = () => {
    const meta = value.metadata;
    const name = isRecord(meta) && typeof meta.name === "string" ? meta.name : undefined;
    return {
      ...at(),
      ...(typeof apiVersion === "string" ? { apiVersion } : {}),
      ...(typeof kind === "string" ? { kind } : {}),
      ...(name !== undefined ? { name } : {}),
    };
  };
  if (typeof apiVersion !== "string" || apiVersion === "" || typeof kind !== "string" || kind === "") {
    const missing = [
      typeof apiVersion === "string" && apiVersion ? "" : "apiVersion",
      typeof kind === "string" && kind ? "" : "kind",
    ]
      .filter(Boolean)
      .join(" and ");
    sink.skipped.push({
      ...ids(),
      code: "not-kubernetes",
      reason: `not a Kubernetes object: no ${missing}`,
    });
    return index;
  }
  if (isListKind(kind) && Array.isArray(value.items)) {
    if (value.items.length === 0) {
      sink.skipped.push({ ...ids(), code: "empty-list", reason: `${kind} has no items` });
    }
    value.items.forEach((item, i) => {
      index = addDocument(item, place, sink, index, [...prefix, "items", i]);
    });
    return index;
  }
  if (isToolConfig(apiVersion)) {
    sink.skipped.push({
      ...ids(),
      code: "tool-config",
      reason: `${kind} (${apiVersion}) configures a tool; it is not a cluster object`,
    });
    return index;
  }
  if (!isKnownKind(apiVersion, kind)) {
    sink.skipped.push({
      ...ids(),
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
