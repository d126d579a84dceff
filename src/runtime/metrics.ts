/** Prometheus text exposition of the pipeline counters, served on /metrics. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { RuleEngine } from "./engine.js";
import type { Pipeline } from "./pipeline.js";

export function metricsText(p: Pipeline, e: RuleEngine): string {
  const c = p.counters;
  const lines: string[] = [];
  const counter = (name: string, help: string, v: number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${v}`);
  };
  counter("kubeward_runtime_events_received_total", "Events received from all sources.", c.received);
  counter("kubeward_runtime_events_evaluated_total", "Events evaluated against the rules.", c.evaluated);
  counter("kubeward_runtime_events_dropped_total", "Events dropped because the queue was full.", c.dropped);
  counter(
    "kubeward_runtime_events_malformed_total",
    "Inputs that could not be decoded (skipped).",
    c.malformed,
  );
  if (p.malformedKinds.size > 0) {
    lines.push(
      "# HELP kubeward_runtime_events_skipped_total Skipped inputs by reason (the malformed total, split).",
      "# TYPE kubeward_runtime_events_skipped_total counter",
    );
    for (const [kind, n] of p.malformedKinds)
      lines.push(`kubeward_runtime_events_skipped_total{reason="${kind}"} ${n}`);
  }
  counter("kubeward_runtime_alerts_total", "Alerts emitted.", c.alerts);
  counter(
    "kubeward_runtime_alerts_rate_limited_total",
    "Alerts suppressed by per-rule rate limiting.",
    c.alertsSuppressed,
  );
  counter(
    "kubeward_runtime_alerts_deduplicated_total",
    "Alerts suppressed as duplicates.",
    c.alertsDeduplicated,
  );
  counter("kubeward_runtime_rule_eval_errors_total", "Rule evaluations that failed.", e.counters.evalErrors);
  lines.push(
    "# HELP kubeward_runtime_queue_depth Events waiting in the queue.",
    "# TYPE kubeward_runtime_queue_depth gauge",
  );
  lines.push(`kubeward_runtime_queue_depth ${p.queued}`);
  return `${lines.join("\n")}\n`;
}

export async function startMetricsServer(
  port: number,
  p: Pipeline,
  e: RuleEngine,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === "/metrics" && req.method === "GET") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(metricsText(p, e));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
