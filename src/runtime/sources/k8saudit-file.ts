/**
 * `--source k8saudit:FILE`: an audit log written by the API server's log backend (one JSON Event per
 * line). Reads to the end and stops, or with `follow` keeps polling for new lines and survives rotation
 * (the path now names another file, or the file got shorter): it then reads the new file from its start.
 */
import { type FileHandle, open, stat } from "node:fs/promises";
import { RuntimeError } from "../errors.js";
import type { Pipeline } from "../pipeline.js";
import { decodeAuditLine } from "./k8saudit-parse.js";
import type { EventSource } from "./types.js";

export interface AuditFileOptions {
  path: string;
  follow?: boolean;
  pollMs?: number;
  cluster?: string;
  /** wall clock in ns, for events without a timestamp */
  nowNs?: () => number;
}

export function auditFileSource(o: AuditFileOptions): EventSource {
  let stopped = false;
  let wake: (() => void) | undefined;
  const nowNs = o.nowNs ?? (() => Date.now() * 1e6);
  return {
    name: `k8saudit:${o.path}`,
    async run(p: Pipeline): Promise<void> {
      let fh: FileHandle;
      try {
        fh = await open(o.path, "r");
      } catch (e) {
        throw new RuntimeError(
          "source-io",
          `k8saudit source: cannot open ${o.path}: ${(e as Error).message}`,
        );
      }
      let ino = (await fh.stat()).ino;
      let offset = 0;
      let rest = "";
      const buf = Buffer.alloc(1 << 20);
      const handleLine = async (line: string) => {
        const d = decodeAuditLine(line, nowNs(), o.cluster);
        if (d.error) p.malformed(`${o.path}: ${d.error}`);
        for (const e of d.events) await p.put({ source: "k8s_audit", evt: e, tsNs: e.tsNs });
      };
      try {
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          if (bytesRead > 0) {
            offset += bytesRead;
            const chunk = rest + buf.toString("utf8", 0, bytesRead);
            const lines = chunk.split("\n");
            rest = lines.pop() ?? "";
            for (const l of lines) await handleLine(l);
            continue;
          }
          if (!o.follow || stopped) break;
          // at the end: wait, then look for rotation or truncation
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, o.pollMs ?? 250);
          });
          if (stopped) break;
          const st = await stat(o.path).catch(() => undefined);
          if (st && (st.ino !== ino || st.size < offset)) {
            // finish what the old file still holds, then switch
            if (rest.trim()) await handleLine(rest);
            rest = "";
            await fh.close();
            fh = await open(o.path, "r");
            ino = (await fh.stat()).ino;
            offset = 0;
          }
        }
        if (rest.trim()) await handleLine(rest);
      } finally {
        await fh.close().catch(() => undefined);
      }
    },
    async stop(): Promise<void> {
      stopped = true;
      wake?.();
    },
  };
}
