/**
 * Line reader shared by the file sources: reads a file (or stdin for `-`) line by line to its end, or
 * with `follow` keeps polling for appended data and survives rotation (the path names another file,
 * or the file got shorter): the rest of the old file is read, then the new file from its start.
 */
import { type FileHandle, open, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { RuntimeError } from "../errors.js";

export interface LineReader {
  run(onLine: (line: string) => Promise<void> | void): Promise<void>;
  stop(): void;
}

export function lineReader(path: string, follow: boolean, pollMs = 250, what = "source"): LineReader {
  let stopped = false;
  let wake: (() => void) | undefined;
  let closeStdin: (() => void) | undefined;
  return {
    stop() {
      stopped = true;
      wake?.();
      closeStdin?.();
    },
    async run(onLine) {
      if (path === "-") {
        const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
        closeStdin = () => rl.close();
        for await (const line of rl) {
          if (stopped) break;
          await onLine(line);
        }
        return;
      }
      let fh: FileHandle;
      try {
        fh = await open(path, "r");
      } catch (e) {
        throw new RuntimeError("source-io", `${what}: cannot open ${path}: ${(e as Error).message}`);
      }
      let ino = (await fh.stat()).ino;
      let offset = 0;
      let rest = "";
      const buf = Buffer.alloc(1 << 20);
      try {
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          if (bytesRead > 0) {
            offset += bytesRead;
            const lines = (rest + buf.toString("utf8", 0, bytesRead)).split("\n");
            rest = lines.pop() ?? "";
            for (const l of lines) await onLine(l);
            continue;
          }
          if (!follow || stopped) break;
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, pollMs);
          });
          if (stopped) break;
          const st = await stat(path).catch(() => undefined);
          if (st && (st.ino !== ino || st.size < offset)) {
            if (rest.trim()) await onLine(rest);
            rest = "";
            await fh.close();
            fh = await open(path, "r");
            ino = (await fh.stat()).ino;
            offset = 0;
          }
        }
        if (rest.trim()) await onLine(rest);
      } finally {
        await fh.close().catch(() => undefined);
      }
    },
  };
}
