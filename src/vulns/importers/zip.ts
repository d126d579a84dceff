import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Readable } from "node:stream";
import { crc32, inflateRawSync } from "node:zlib";
import yauzl from "yauzl";

export interface ZipMember {
  name: string;
  data: Buffer;
}

/** Largest single member read into memory (an OSV record is a few KB; this guards against zip bombs). */
export const MAX_MEMBER_BYTES = 64 * 1024 * 1024;

const WINDOW = 1 << 20;

/**
 * Feeds yauzl from a 1 MiB window of the file read synchronously, so walking a central directory of
 * thousands of entries costs a few reads instead of two asynchronous reads per entry.
 */
class WindowedReader extends yauzl.RandomAccessReader {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {
    super();
  }

  private slice(position: number, length: number): Buffer {
    if (position < this.windowStart || position + length > this.windowStart + this.window.length) {
      const want = Math.min(Math.max(length, WINDOW), this.size - position);
      const buf = Buffer.alloc(Math.max(0, want));
      const got = readSync(this.fd, buf, 0, buf.length, position);
      this.window = buf.subarray(0, got);
      this.windowStart = position;
    }
    return this.window.subarray(position - this.windowStart, position - this.windowStart + length);
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ): void {
    try {
      const part = this.slice(position, length);
      if (part.length < length) throw new Error("unexpected end of zip file");
      part.copy(buffer, offset);
      queueMicrotask(() => callback(null));
    } catch (e) {
      queueMicrotask(() => callback(e as Error));
    }
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from([Buffer.from(this.slice(start, end - start))]);
  }
}

function openZip(fd: number, size: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromRandomAccessReader(
      new WindowedReader(fd, size),
      size,
      // Names are decoded here, not by yauzl: its check for names like "../x" or "/x" (meant for
      // extracting to disk) stops the whole zip, and members are only ever read into memory here.
      { lazyEntries: true, autoClose: false, decodeStrings: false },
      (err, zip) => (err ? reject(err) : resolve(zip!)),
    ),
  );
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const onEntry = (e: yauzl.Entry) => done(() => resolve(e));
    const onEnd = () => done(() => resolve(null));
    const onError = (err: Error) => done(() => reject(err));
    const done = (f: () => void) => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
      f();
    };
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

/**
 * Reads one member's bytes straight from the file: yauzl walks the central directory, and this reads
 * the local header and the compressed bytes with one positioned read each (far cheaper than a stream
 * per member when a feed has thousands of small records).
 */
function readMember(fd: number, entry: yauzl.Entry): Buffer {
  const header = Buffer.alloc(30);
  if (
    readSync(fd, header, 0, 30, entry.relativeOffsetOfLocalHeader) !== 30 ||
    header.readUInt32LE(0) !== 0x04034b50
  )
    throw new Error("bad local file header");
  if (entry.generalPurposeBitFlag & 1) throw new Error("encrypted member");
  const start = entry.relativeOffsetOfLocalHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = Buffer.alloc(entry.compressedSize);
  if (readSync(fd, raw, 0, raw.length, start) !== raw.length) throw new Error("member data truncated");
  let data: Buffer;
  if (entry.compressionMethod === 0) data = raw;
  else if (entry.compressionMethod === 8) data = inflateRawSync(raw, { maxOutputLength: MAX_MEMBER_BYTES });
  else throw new Error(`unsupported compression method ${entry.compressionMethod}`);
  if (data.length !== entry.uncompressedSize) throw new Error("member size does not match the directory");
  if (crc32(data) >>> 0 !== entry.crc32 >>> 0) throw new Error("member CRC mismatch (corrupt zip)");
  return data;
}

/** A member's name as yauzl would decode it (UTF-8 flag, Info-ZIP Unicode path, else CP437). */
function memberName(entry: yauzl.Entry): string {
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
}

/**
 * Reads a zip one member at a time (only one member is ever held in memory). A member that cannot be
 * read is yielded with `error` set, and reading goes on with the next one.
 */
export async function* zipMembers(path: string): AsyncGenerator<ZipMember | { name: string; error: string }> {
  const fd = openSync(path, "r");
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(fd, fstatSync(fd).size);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) break;
      const name = memberName(entry);
      if (name.endsWith("/")) continue;
      if (entry.uncompressedSize > MAX_MEMBER_BYTES) {
        yield { name, error: `member larger than ${MAX_MEMBER_BYTES} bytes` };
        continue;
      }
      try {
        yield { name, data: readMember(fd, entry) };
      } catch (e) {
        yield { name, error: (e as Error).message };
      }
    }
  } finally {
    zip.close();
    closeSync(fd);
  }
}
