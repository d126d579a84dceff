// Runtime detection throughput: the shared Falco k8saudit traces, repeated to >= 200,000 events, through
// the full k8s audit ruleset (decode + evaluate + alert rendering), against merely JSON.parse-ing the lines.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { RuleEngine } from "../src/runtime/engine.js";
import type { Alert } from "../src/runtime/output.js";
import { Pipeline } from "../src/runtime/pipeline.js";
import { loadRuleFiles } from "../src/runtime/run.js";
import { decodeAuditLine } from "../src/runtime/sources/k8saudit-parse.js";

const K8SAUDIT = resolve(process.cwd(), "../shared/conformance/falco-k8saudit");
const TARGET = 200_000;

export async function run(): Promise<Record<string, number | string>> {
  const traces = join(K8SAUDIT, "traces");
  const base: string[] = [];
  for (const f of readdirSync(traces).sort()) {
    for (const l of readFileSync(join(traces, f), "utf8").split("\n")) if (l.trim()) base.push(l);
  }
  const lines: string[] = [];
  while (lines.length < TARGET) lines.push(...base);
  const rs = loadRuleFiles([join(K8SAUDIT, "rules/k8s_audit_rules.yaml")]);
  if (!rs.ok) throw new Error("rules failed to load");
  let alerts = 0;
  const sink = { write: (_a: Alert) => void alerts++, flush: async () => {} };

  // CPU time of this process (user + system), in ms: other work on a shared machine does not inflate it
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const parseOnly = () => {
    const t = cpuMs();
    let n = 0;
    for (const l of lines) {
      try {
        if (JSON.parse(l)) n++;
      } catch {
        // the one malformed trace line
      }
    }
    return { ms: cpuMs() - t, n };
  };
  const full = () => {
    const engine = new RuleEngine(rs, { hostname: "bench" });
    const p = new Pipeline(engine, [sink]);
    alerts = 0;
    const t = cpuMs();
    for (const l of lines) {
      const d = decodeAuditLine(l);
      if (d.skipped) for (const r of d.skipped) p.malformed(r.message, 1, r.kind);
      for (const e of d.events) p.evaluate({ source: "k8s_audit", evt: e, tsNs: e.tsNs });
    }
    return { ms: cpuMs() - t, evaluated: p.counters.evaluated, malformed: p.counters.malformed };
  };
  // warm up both paths, then take the best of 7 interleaved runs each (CPU time)
  parseOnly();
  full();
  let bestParse = Number.POSITIVE_INFINITY;
  let bestFull = Number.POSITIVE_INFINITY;
  let last = full();
  for (let i = 0; i < 7; i++) {
    bestParse = Math.min(bestParse, parseOnly().ms);
    last = full();
    bestFull = Math.min(bestFull, last.ms);
  }
  return {
    "events (lines)": lines.length,
    "rules (active)": rs.rules.length,
    "alerts per pass": alerts,
    "malformed per pass": last.malformed,
    timing: "best of 7, process CPU time",
    "JSON.parse only, lines/s": Math.round(lines.length / (bestParse / 1000)),
    "full pipeline, events/s": Math.round(lines.length / (bestFull / 1000)),
    "ratio full / JSON.parse": Number((bestFull / bestParse).toFixed(2)),
  };
}
