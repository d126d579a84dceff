import { PassThrough, type Readable, Transform, type TransformCallback } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";
import { ImageError } from "./errors.js";

/** zstd as a Node transform over fzstd's streaming decoder. */
function zstdStream(what: string): Transform {
  let t!: Transform;
  const dec = new Decompress((chunk) => {
    t.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  t = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        dec.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        cb();
      } catch (err) {
        cb(new ImageError("decompress-failed", `zstd: ${(err as Error).message}`, what));
      }
    },
    flush(cb) {
      try {
        dec.push(new Uint8Array(0), true);
        cb();
      } catch (err) {
        cb(new ImageError("decompress-failed", `zstd: ${(err as Error).message}`, what));
      }
    },
  });
  return t;
}

/**
 * Detects the compression of a layer from its first bytes (gzip, zstd, or a plain tar), whatever the
 * media type claims, and returns the uncompressed stream.
 */
export function decompress(input: Readable, what: string): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let decided = false;
  let head: Buffer[] = [];
  let headLen = 0;
  let sink: Transform | PassThrough | undefined;
  const choose = () => {
    decided = true;
    const first = Buffer.concat(head);
    head = [];
    if (first[0] === 0x1f && first[1] === 0x8b) {
      sink = createGunzip({ chunkSize: 1 << 17 });
      sink.on("error", (err) =>
        out.destroy(new ImageError("decompress-failed", `gzip: ${(err as Error).message}`, what)),
      );
    } else if (first[0] === 0x28 && first[1] === 0xb5 && first[2] === 0x2f && first[3] === 0xfd) {
      sink = zstdStream(what);
      sink.on("error", (err) => out.destroy(err));
    } else {
      sink = new PassThrough();
    }
    sink.pipe(out);
    if (first.length) sink.write(first);
  };
  input.on("data", (chunk: Buffer) => {
    if (!decided) {
      head.push(chunk);
      headLen += chunk.length;
      if (headLen < 4) return;
      choose();
      return;
    }
    if (!sink!.write(chunk)) {
      input.pause();
      sink!.once("drain", () => input.resume());
    }
  });
  input.on("end", () => {
    if (!decided) choose();
    sink!.end();
  });
  input.on("error", (err) => out.destroy(err));
  out.on("close", () => input.destroy());
  return out;
}
