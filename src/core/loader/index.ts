// The manifest loader: files, directories, multi-document YAML, JSON, List kinds,
// stdin, Helm charts and Kustomize directories -> K8sObjects with file and line.
// Bad input never throws: each problem becomes one entry in `errors` (with a stable
// code) or `skipped`, and everything else is still loaded.
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import type { ScanError } from "../model.js";
import type { K8sObject } from "../object.js";
import { type ParseContext, type ParseSink, parseJson, parseYaml, type SkippedDoc } from "./parse.js";
import { helmSourceFile, renderHelm, renderKustomize, systemToolRunner, type ToolRunner } from "./render.js";
import { describe, expandTargets, type Unit } from "./walk.js";

export { BUILTIN_KINDS, isKnownKind, isListKind } from "./kinds.js";
export { aliasProblem, type SkippedDoc, splitDocuments } from "./parse.js";
export {
  findExecutable,
  helmSourceFile,
  systemToolRunner,
  type ToolResult,
  type ToolRunner,
} from "./render.js";
export { MANIFEST_EXTENSIONS, SKIPPED_DIRS, SKIPPED_FILES } from "./walk.js";

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_ALIAS_COUNT = 100;
/** File name given to objects read from standard input. */
export const STDIN_NAME = "<stdin>";

export interface LoadOptions {
  /** Files (and stdin) larger than this are refused with "file-too-large". Default 10 MiB. */
  maxFileBytes?: number;
  /** Alias expansions allowed per YAML document (nested expansions multiply). Default 100. */
  maxAliasCount?: number;
  /** Reads standard input for the target "-". Default: reads process.stdin. */
  readStdin?: () => Promise<string>;
  /** Runs helm/kustomize/kubectl; returns undefined when the tool is not installed. Default: found on $PATH. */
  runTool?: ToolRunner;
}

export interface LoadResult {
  objects: K8sObject[];
  errors: ScanError[];
  skipped: SkippedDoc[];
}

/** Loads every target; never throws for bad input. Objects keep the order of targets, files and documents. */
export async function loadManifests(targets: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const unitOptions: UnitOptions = {
    maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    maxAliasCount: opts.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT,
    runTool: opts.runTool ?? systemToolRunner(),
    readStdin: opts.readStdin ?? readProcessStdin,
  };
  const walked = await expandTargets(targets);
  const sink: ParseSink = { objects: [], errors: walked.errors, skipped: walked.skipped };
  for (const unit of walked.units) await loadUnit(unit, sink, unitOptions);
  return sink;
}

interface UnitOptions {
  maxFileBytes: number;
  maxAliasCount: number;
  runTool: ToolRunner;
  readStdin: () => Promise<string>;
}

async function loadUnit(unit: Unit, sink: ParseSink, o: UnitOptions): Promise<void> {
  if (unit.type === "stdin") {
    let text: string;
    try {
      text = await o.readStdin();
    } catch (err) {
      sink.errors.push({ file: STDIN_NAME, code: "unreadable", message: `${STDIN_NAME}: ${describe(err)}` });
      return;
    }
    const bytes = Buffer.byteLength(text);
    if (bytes > o.maxFileBytes) {
      sink.errors.push(tooLarge(STDIN_NAME, bytes, o.maxFileBytes));
      return;
    }
    if (text.includes("\u0000")) {
      sink.errors.push({
        file: STDIN_NAME,
        code: "binary-file",
        message: `${STDIN_NAME}: contains NUL bytes: not a text manifest`,
      });
      return;
    }
    const ctx: ParseContext = { file: STDIN_NAME, maxAliasCount: o.maxAliasCount };
    const body = stripBom(text);
    if (/^\s*[{[]/.test(body) && isJson(body)) parseJson(body, ctx, sink);
    else parseYaml(body, ctx, sink);
    return;
  }
  if (unit.type === "helm" || unit.type === "kustomize") {
    const outcome =
      unit.type === "helm"
        ? await renderHelm(unit.path, unit.display, o.runTool)
        : await renderKustomize(unit.path, unit.display, o.runTool);
    if ("error" in outcome) {
      sink.errors.push(outcome.error);
      return;
    }
    const fileOf =
      unit.type === "helm" ? (doc: string) => helmSourceFile(doc, unit.display) : () => undefined;
    parseYaml(
      outcome.text,
      { file: unit.display, maxAliasCount: o.maxAliasCount, rendered: { fileOf } },
      sink,
    );
    return;
  }
  const text = readManifestFile(unit.path, unit.display, o.maxFileBytes, sink);
  if (text === undefined) return;
  const ctx: ParseContext = { file: unit.display, maxAliasCount: o.maxAliasCount };
  if (unit.path.toLowerCase().endsWith(".json")) parseJson(text, ctx, sink);
  else parseYaml(text, ctx, sink);
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a file as UTF-8 text, or records why it cannot be read. Synchronous reads: for many
 * small files they cost a fraction of the thread-pool round trips of the async API.
 */
function readManifestFile(
  path: string,
  display: string,
  maxBytes: number,
  sink: ParseSink,
): string | undefined {
  let buf: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const size = fstatSync(fd).size;
    if (size > maxBytes) {
      sink.errors.push(tooLarge(display, size, maxBytes));
      return undefined;
    }
    buf = readFileSync(fd);
  } catch (err) {
    sink.errors.push({ file: display, code: "unreadable", message: `${display}: ${describe(err)}` });
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (buf.length > maxBytes) {
    sink.errors.push(tooLarge(display, buf.length, maxBytes));
    return undefined;
  }
  if (buf.includes(0)) {
    sink.errors.push({
      file: display,
      code: "binary-file",
      message: `${display}: contains NUL bytes: not a text manifest`,
    });
    return undefined;
  }
  try {
    return stripBom(UTF8.decode(buf));
  } catch {
    sink.errors.push({
      file: display,
      code: "binary-file",
      message: `${display}: not valid UTF-8: not a text manifest`,
    });
    return undefined;
  }
}

function tooLarge(file: string, size: number, max: number): ScanError {
  return {
    file,
    code: "file-too-large",
    message: `${file}: ${size} bytes is over the ${max}-byte limit; not read`,
  };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
