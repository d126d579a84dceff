/**
 * `--source k8saudit:FILE`: an audit log written by the API server's log backend (one JSON Event per
 * line). Reads to the end and stops, or with `follow` keeps reading as the log grows and is rotated.
 * File sources wait for room in the queue instead of dropping.
 */
import type { Pipeline } from "../pipeline.js";
import { decodeAuditLine } from "./k8saudit-parse.js";
import { lineReader } from "./lines.js";
import type { EventSource } from "./types.js";

export interface AuditFileOptions {
  path: string;
  follow?: boolean;
  pollMs?: number;
}

export function auditFileSource(o: AuditFileOptions): EventSource {
  const reader = lineReader(o.path, !!o.follow, o.pollMs, "k8saudit source");
  return {
    name: `k8saudit:${o.path}`,
    run: (p: Pipeline) =>
      reader.run(async (line) => {
        const d = decodeAuditLine(line);
        if (d.skipped) for (const r of d.skipped) p.malformed(`${o.path}: ${r.message}`, 1, r.kind);
        for (const e of d.events) await p.put({ source: "k8s_audit", evt: e, tsNs: e.tsNs });
      }),
    async stop() {
      reader.stop();
    },
  };
}
