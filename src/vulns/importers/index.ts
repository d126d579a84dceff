import {
  closeSync,
  createReadStream,
  type Dirent,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from "node:fs";
import { basename, join } from "node:path";
import type { ScanError } from "../../core/model.js";
import type { VulnDb } from "../db/store.js";
import { normalizeOsv, parseOsvRecord } from "../osv/normalize.js";
import type { OsvRecord } from "../osv/types.js";
import { secdbPackageToOsv } from "./alpine-secdb.js";
import { trackerPackageToOsv } from "./debian-tracker.js";
import { type JsonPath, JsonSplitter } from "./json-split.js";
import { zipMembers } from "./zip.js";

export type FeedKind = "osv" | "debian-tracker" | "alpine-secdb";
export const FEED_KINDS: readonly FeedKind[] = ["osv", "debian-tracker", "alpine-secdb"];

export interface ImportOptions {
  /** Import time (recorded as the source's update time and as `modified` of converted distro records). */
  now: Date;
  /** Feed format; guessed from the content when absent. */
  kind?: FeedKind;
  /** For secdb feeds: "Alpine" (default) or "Wolfi". */
  distro?: string;
  onProgress?: (records: number) => void;
}

export interface ImportResult {
  source: string;
  kind: FeedKind;
  location: string;
  records: number;
  skipped: number;
  /** Problems, each naming the file (and member) it came from; at most MAX_ERRORS are kept. */
  errors: ScanError[];
}

export class ImportError extends Error {
  constructor(
    readonly code: "import-unreadable" | "import-format",
    message: string,
  ) {
    super(message);
  }
}

const MAX_ERRORS = 200;

/** Guesses a JSON feed's format from its first bytes. */
export function sniffKind(head: string): FeedKind {
  if (/"(distroversion|reponame|apkurl|urlprefix)"\s*:/.test(head)) return "alpine-secdb";
  if (/^\s*\{\s*"[^"]+"\s*:\s*\{\s*"(CVE-|TEMP-|DSA-|DLA-)/.test(head)) return "debian-tracker";
  return "osv";
}

function readHead(path: string, n = 4096): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Imports one path (an OSV record, a directory of them, an OSV all.zip, a Debian tracker or secdb JSON). */
export async function importPath(db: VulnDb, path: string, opts: ImportOptions): Promise<ImportResult> {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    throw new ImportError("import-unreadable", `cannot read ${path}: ${(e as Error).message}`);
  }
  // A zip by its name or by its first bytes (downloads are saved under temporary names).
  const isZip = st.isFile() && (/\.zip$/i.test(path) || readHead(path, 4) === "PK\u0003\u0004");
  const kind: FeedKind = opts.kind ?? (st.isDirectory() || isZip ? "osv" : sniffKind(readHead(path)));
  const result: ImportResult = {
    source: `${kind}:${basename(path)}`,
    kind,
    location: path,
    records: 0,
    skipped: 0,
    errors: [],
  };
  const writer = db.writer(result.source);
  const fail = (file: string, message: string, code: string) => {
    result.skipped++;
    if (result.errors.length < MAX_ERRORS) result.errors.push({ file, message, code });
  };
  const add = (r: OsvRecord) => {
    writer.add(r);
    result.records++;
    if (opts.onProgress && result.records % 500 === 0) opts.onProgress(result.records);
  };
  const addOsvText = (file: string, data: Buffer | string) => {
    try {
      add(parseOsvRecord(data));
    } catch (e) {
      fail(file, (e as Error).message, (e as { code?: string }).code ?? "record-invalid");
    }
  };
  const addOsvValue = (file: string, value: unknown) => {
    try {
      add(normalizeOsv(value));
    } catch (e) {
      fail(file, (e as Error).message, (e as { code?: string }).code ?? "record-invalid");
    }
  };

  if (kind === "osv") {
    if (st.isDirectory()) {
      for (const file of walkJson(path, fail)) {
        try {
          addOsvText(file, readFileUtf8(file));
        } catch (e) {
          fail(file, (e as Error).message, "import-unreadable");
        }
      }
    } else if (isZip) {
      try {
        for await (const m of zipMembers(path)) {
          const where = `${path}!${m.name}`;
          if ("error" in m) fail(where, m.error, "zip-member");
          else if (/\.json$/i.test(m.name)) addOsvText(where, m.data);
        }
      } catch (e) {
        throw new ImportError("import-format", `${path} is not a readable zip: ${(e as Error).message}`);
      }
    } else if (startsWithObject(path)) {
      // One record, or {"vulns": [...]} as the OSV API answers: small enough to read whole (one
      // entry of a feed, or one query's answer), and each is parsed once.
      let text: string | undefined;
      try {
        text = readFileUtf8(path);
      } catch (e) {
        // e.g. a file over V8's largest string (~512 MiB): this file is lost, the other paths are not.
        fail(path, `cannot read: ${(e as Error).message}`, "import-unreadable");
      }
      if (text === undefined) {
        // reported above
      } else if (/^\s*\{\s*"vulns"\s*:/.test(text)) addOsvList(path, text, addOsvValue, fail);
      else addOsvText(path, text);
    } else {
      // An array of records, streamed.
      await streamJson(
        path,
        1,
        (p, raw) => {
          if (p.length === 0) addOsvText(path, raw);
          else if (typeof p[0] === "number") addOsvText(`${path}[${p[0]}]`, raw);
        },
        fail,
      );
    }
  } else if (kind === "debian-tracker") {
    const modified = opts.now.toISOString();
    await streamJson(
      path,
      1,
      (p, raw) => {
        const pkg = String(p[0]);
        try {
          const r = trackerPackageToOsv(pkg, JSON.parse(raw), modified);
          for (const rec of r.records) add(rec);
        } catch (e) {
          fail(`${path}#${pkg}`, (e as Error).message, "record-invalid");
        }
      },
      fail,
    );
  } else {
    let release = "";
    const distro = opts.distro ?? "Alpine";
    const modified = opts.now.toISOString();
    await streamJson(
      path,
      2,
      (p, raw) => {
        if (p.length === 1 && p[0] === "distroversion") release = JSON.parse(raw) as string;
        if (p.length !== 2 || p[0] !== "packages") return;
        try {
          const r = secdbPackageToOsv(JSON.parse(raw), { distro, release, modified });
          for (const rec of r.records) add(rec);
        } catch (e) {
          fail(`${path}#packages[${p[1]}]`, (e as Error).message, "record-invalid");
        }
      },
      fail,
    );
  }
  writer.flush();
  db.recordSource({
    name: result.source,
    kind,
    location: path,
    importedAt: opts.now.toISOString(),
    records: result.records,
    skipped: result.skipped,
  });
  opts.onProgress?.(result.records);
  return result;
}

/** The records of an OSV API answer, {"vulns": [...]}, each named by its index. */
function addOsvList(
  file: string,
  text: string,
  addOsvValue: (f: string, v: unknown) => void,
  fail: (f: string, m: string, c: string) => void,
): void {
  let doc: { vulns?: unknown };
  try {
    doc = JSON.parse(text) as { vulns?: unknown };
  } catch (e) {
    fail(file, `not JSON: ${(e as Error).message}`, "record-json");
    return;
  }
  if (!Array.isArray(doc.vulns)) {
    fail(file, "vulns must be an array", "record-invalid");
    return;
  }
  for (const [i, v] of doc.vulns.entries()) addOsvValue(`${file}#vulns[${i}]`, v);
}

/** Whether a JSON file is an object (or blank), judged by its first byte as before. */
function startsWithObject(path: string): boolean {
  const head = readHead(path, 1).trim();
  return head === "{" || head === "";
}

/** Streams a JSON file through JsonSplitter. */
async function streamJson(
  path: string,
  depth: number,
  onValue: (p: JsonPath, raw: string) => void,
  fail: (f: string, m: string, c: string) => void,
): Promise<void> {
  const splitter = new JsonSplitter(depth, onValue);
  try {
    const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
    for await (const chunk of stream) splitter.write(chunk as string);
    splitter.end();
  } catch (e) {
    fail(
      path,
      (e as Error).message,
      (e as { code?: string }).code === "json-stream" ? "json-stream" : "import-unreadable",
    );
  }
}

function readFileUtf8(path: string): string {
  return readFileSync(path, "utf8");
}

function isFileBehindLink(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The .json files under a directory, in name order. Links to files are read, links to directories
 * are not followed (no loops); an unreadable directory, a dangling link and a FIFO or socket named
 * .json (never read: a FIFO would block) are reported.
 */
function* walkJson(dir: string, fail: (f: string, m: string, c: string) => void): Generator<string> {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch (e) {
    fail(dir, `cannot list directory: ${(e as Error).message}`, "import-unreadable");
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walkJson(p, fail);
    else if (!e.name.endsWith(".json")) continue;
    else if (e.isFile() || (e.isSymbolicLink() && isFileBehindLink(p))) yield p;
    else if (e.isSymbolicLink()) fail(p, "a link to no regular file: not read", "import-unreadable");
    else fail(p, "not a regular file (FIFO, socket or device): not read", "import-unreadable");
  }
}
