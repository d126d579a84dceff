/**
 * `kubeward runtime run`: load rules, start the sources, evaluate until the sources end (files without
 * --follow) or SIGTERM/SIGINT, then drain the queue, flush the outputs and print the counters.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { RuleEngine } from "./engine.js";
import { RuntimeError } from "./errors.js";
import { startMetricsServer } from "./metrics.js";
import type { Priority } from "./output.js";
import { type AlertSink, type Counters, Pipeline } from "./pipeline.js";
import { type ResponseConfig, ResponseRunner } from "./responses.js";
import { formatLoadMessage, type LoadMessage, loadRules, type RuleSet } from "./rules/loader.js";
import { defaultTables, makeSource } from "./sources/index.js";
import type { EventSource } from "./sources/types.js";
import type { WebhookOptions } from "./sources/webhook.js";

export interface RunOptions {
  rules: string[];
  sources: string[];
  follow?: boolean;
  sinks: AlertSink[];
  minPriority?: Priority;
  ratePerSec?: number;
  burst?: number;
  dedupWindowMs?: number;
  queueSize?: number;
  metricsPort?: number;
  webhook?: Omit<WebhookOptions, "port">;
  procIntervalMs?: number;
  procExisting?: boolean;
  responses?: ResponseConfig;
  log?: (line: string) => void;
  /** resolves when the run should end (defaults to SIGTERM/SIGINT) */
  stopSignal?: Promise<void>;
  /** called once sources are listening (e.g. the webhook's bound port) */
  onReady?: (info: { sources: EventSource[]; ports: Record<string, number> }) => void;
}

export interface RunResult {
  counters: Counters;
  ruleset: RuleSet;
  malformed: Map<string, number>;
}

export function loadRuleFiles(paths: string[]): RuleSet {
  const files = paths.map((p) => {
    try {
      return { path: p, text: readFileSync(p, "utf8") };
    } catch (e) {
      return { path: p, text: "", error: (e as Error).message };
    }
  });
  const rs = loadRules(
    files.filter((f) => !("error" in f)),
    { tables: defaultTables() },
  );
  // Unreadable files come first, in the order they were named.
  const unreadable = files.flatMap((f): LoadMessage[] =>
    "error" in f ? [{ code: "source-io", message: `cannot read rules file: ${f.error}`, file: f.path }] : [],
  );
  rs.errors.unshift(...unreadable);
  rs.ok = rs.errors.length === 0;
  return rs;
}

export async function runRuntime(o: RunOptions): Promise<RunResult> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const rs = loadRuleFiles(o.rules);
  for (const w of rs.warnings) log(`warning: ${formatLoadMessage(w)}`);
  if (!rs.ok) {
    for (const e of rs.errors) log(`error: ${formatLoadMessage(e)}`);
    throw new RuntimeError("rules-schema", `rules failed to load (${rs.errors.length} error(s))`);
  }
  for (const r of rs.inactive) log(`inactive rule '${r.name}': ${r.reason}`);
  const engine = new RuleEngine(rs, { hostname: hostname(), minPriority: o.minPriority });
  let responder: ResponseRunner | undefined;
  const pipeline = new Pipeline(engine, o.sinks, {
    queueSize: o.queueSize,
    ratePerSec: o.ratePerSec,
    burst: o.burst,
    dedupWindowMs: o.dedupWindowMs,
    onAlert: (a, e) => responder?.handle(a, e),
    onFirstSkip: (reason) => log(`skipped: ${reason} (counted; repeats are not logged)`),
  });
  if (o.responses) responder = new ResponseRunner(o.responses, (a) => pipeline.emitExtra(a), log);
  const sources = o.sources.map((s) =>
    makeSource(s, {
      follow: o.follow,
      webhook: o.webhook,
      procIntervalMs: o.procIntervalMs,
      procExisting: o.procExisting,
      log,
    }),
  );
  const metrics =
    o.metricsPort !== undefined ? await startMetricsServer(o.metricsPort, pipeline, engine) : undefined;

  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(sources.map((s) => s.stop()));
  };
  const onSignal = () => void stopAll();
  if (!o.stopSignal) {
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  } else o.stopSignal.then(onSignal);

  const ports: Record<string, number> = {};
  const runs = sources.map((s) =>
    s.run(pipeline).catch((e: Error) => {
      log(`error: source ${s.name}: ${e.message}`);
    }),
  );
  await Promise.all(sources.map((s) => s.ready?.()));
  for (const s of sources) {
    const port = s.port?.();
    if (port !== undefined) ports[s.name] = port;
  }
  if (metrics) ports.metrics = metrics.port;
  o.onReady?.({ sources, ports });
  await Promise.all(runs);
  await pipeline.flush();
  await responder?.flush();
  await pipeline.flush();
  process.removeListener("SIGTERM", onSignal);
  process.removeListener("SIGINT", onSignal);
  await metrics?.close();
  const c = pipeline.counters;
  log(
    `events: received=${c.received} evaluated=${c.evaluated} dropped=${c.dropped} malformed=${c.malformed}; alerts=${c.alerts} rate-limited=${c.alertsSuppressed} deduplicated=${c.alertsDeduplicated}`,
  );
  for (const [reason, n] of pipeline.malformedReasons) log(`malformed: ${n} x ${reason}`);
  return { counters: c, ruleset: rs, malformed: pipeline.malformedReasons };
}
