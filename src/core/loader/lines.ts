// Field-to-line maps. While js-yaml parses a document, its node listener tells us
// where every node opens; we keep those records as a light tree (no second pass, no
// copies of the data) and walk it when a finding asks for the line of a field.
import yaml from "js-yaml";
import type { FieldPath } from "../model.js";
import { KUBE_YAML_SCHEMA } from "./yaml-schema.js";

/** One parsed node: where it opened (0-based line of the parsed text) and its child nodes. */
export interface LineNode {
  line: number;
  /** "mapping", "sequence", "scalar"; null for an empty node. */
  kind: string | null;
  /** Scalar text (mapping keys are matched against it). */
  key?: string;
  /** The composed collection, to recognise a node the parser composed twice. */
  value?: unknown;
  /** Mappings: key, value, key, value...; sequences: the items. */
  children?: LineNode[];
}

interface ListenerState {
  line: number;
  kind: string | null;
  result: unknown;
}

/** Parses `text` (one YAML document or one JSON text) and returns its line tree; undefined if it does not parse. */
export function buildLineTree(text: string, json = false): LineNode | undefined {
  try {
    return parseWithLines(text, json).tree;
  } catch {
    return undefined;
  }
}

/**
 * Parses one YAML document (or a JSON text) with the Kubernetes schema and records the line of
 * every node on the way (about 10% slower than parsing alone). Throws js-yaml's errors.
 */
export function parseWithLines(text: string, json = false): { value: unknown; tree: LineNode | undefined } {
  const root: LineNode = { line: 0, kind: null };
  const stack: LineNode[] = [root];
  const value = yaml.load(text, {
    schema: KUBE_YAML_SCHEMA,
    json,
    maxDepth: 500,
    listener(event: "open" | "close", state: ListenerState) {
      if (event === "open") {
        const node: LineNode = { line: state.line, kind: null };
        const parent = stack[stack.length - 1];
        if (parent.children) parent.children.push(node);
        else parent.children = [node];
        stack.push(node);
      } else {
        const node = stack.pop() as LineNode;
        node.kind = state.kind;
        const result = state.result;
        if (result !== null && typeof result === "object") node.value = result;
        else if (state.kind === "scalar" && result !== null && result !== undefined)
          node.key = String(result);
      }
    },
  } as yaml.LoadOptions);
  return { value, tree: root.children?.[0] };
}

/** Skips frames where the parser composed the same node one level deeper (e.g. a flow collection tried as a key). */
function unwrap(node: LineNode): LineNode {
  let n = node;
  while (n.children?.length === 1 && n.value !== undefined && n.children[0].value === n.value)
    n = n.children[0];
  return n;
}

/** Number of key/value children of a mapping; -1 when they do not pair up. */
function pairedLength(children: LineNode[]): number {
  let len = children.length;
  // A block mapping that ends at a document marker first tries to read one more key:
  // the failed attempt leaves an empty trailing node.
  if (len % 2 === 1 && children[len - 1].kind === null) len--;
  return len % 2 === 0 ? len : -1;
}

/** Line (0-based) of the field at `path`, or of its nearest ancestor present in the tree. */
export function lookupLine(tree: LineNode, path: FieldPath): number {
  let node = tree;
  let line = tree.line;
  for (const seg of path) {
    const n = unwrap(node);
    const children = n.children;
    if (!children) break;
    let next: LineNode | undefined;
    let nextLine = 0;
    if (n.kind === "sequence") {
      if (typeof seg === "number" && seg >= 0 && seg < children.length) {
        next = children[seg];
        nextLine = next.line;
      }
    } else if (n.kind === "mapping") {
      const key = String(seg);
      const len = pairedLength(children);
      // The last occurrence wins, as in the data (JSON allows repeated keys).
      for (let i = 0; i < len; i += 2) {
        if (children[i].key === key) {
          next = children[i + 1];
          nextLine = children[i].line;
        }
      }
    }
    if (!next) break;
    node = next;
    line = nextLine;
  }
  return line;
}
