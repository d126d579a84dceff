// Field-to-line maps, built on demand by re-reading one document with js-yaml's
// node listener. Loading never pays for this: a map is built the first time a
// finding asks for the line of a field, and only for that document.
import yaml from "js-yaml";
import type { FieldPath } from "../model.js";
import { KUBE_YAML_SCHEMA } from "./yaml-schema.js";

/** Line (0-based, relative to the parsed text) of a field, with the structure of its value. */
export interface LineNode {
  line: number;
  keys?: Map<string, LineNode>;
  items?: LineNode[];
}

interface Frame {
  line: number;
  kind: string | null;
  key?: string;
  value?: unknown;
  children: Frame[];
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
  const root: Frame = { line: 0, kind: null, children: [] };
  const stack: Frame[] = [root];
  const value = yaml.load(text, {
    schema: KUBE_YAML_SCHEMA,
    json,
    maxDepth: 500,
    listener(event: "open" | "close", state: ListenerState) {
      if (event === "open") {
        const frame: Frame = { line: state.line, kind: null, children: [] };
        stack[stack.length - 1].children.push(frame);
        stack.push(frame);
      } else {
        const frame = stack.pop() as Frame;
        frame.kind = state.kind;
        if (state.result !== null && typeof state.result === "object") frame.value = state.result;
        else if (state.kind === "scalar" && state.result !== null) frame.key = String(state.result);
      }
    },
  } as yaml.LoadOptions);
  const top = root.children[0];
  return { value, tree: top ? toNode(top, top.line) : undefined };
}

function toNode(frame: Frame, line: number): LineNode {
  const node: LineNode = { line };
  const children = frame.children;
  if (children.length === 1 && frame.value !== undefined && children[0].value === frame.value) {
    // The parser composed this node's content one level deeper (e.g. a flow collection
    // first tried as a block mapping key): the inner frame is the same node.
    const inner = toNode(children[0], line);
    if (inner.keys) node.keys = inner.keys;
    if (inner.items) node.items = inner.items;
  } else if (frame.kind === "mapping" && children.length % 2 === 0) {
    node.keys = new Map();
    for (let i = 0; i < children.length; i += 2) {
      const key = children[i];
      if (key.key === undefined) continue;
      node.keys.set(key.key, toNode(children[i + 1], key.line));
    }
  } else if (frame.kind === "sequence") {
    node.items = children.map((c) => toNode(c, c.line));
  }
  return node;
}

/** Line of the field at `path`, or of its nearest ancestor present in the tree. */
export function lookupLine(tree: LineNode, path: FieldPath): number {
  let node = tree;
  for (const seg of path) {
    let next: LineNode | undefined;
    if (typeof seg === "number" && node.items) next = node.items[seg];
    else if (node.keys) next = node.keys.get(String(seg));
    if (!next) break;
    node = next;
  }
  return node.line;
}
