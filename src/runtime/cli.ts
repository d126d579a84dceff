/** `kubeward runtime ...` commands: rules validation and the detection loop. */
import { readFileSync } from "node:fs";
import { Option } from "commander";
import { parse as parseYaml } from "yaml";
import { UsageError } from "../cli/errors.js";
import type { CommandRoots } from "../cli/layers.js";
import { RuntimeError } from "./errors.js";
import { PRIORITIES, parsePriority } from "./output.js";
import { type AlertFormat, fileOutput, HttpOutput, StreamOutput } from "./outputs.js";
import type { AlertSink } from "./pipeline.js";
import { RESPONSE_ACTIONS, type ResponseAction, type ResponseConfig } from "./responses.js";
import { formatLoadMessage } from "./rules/loader.js";
import { loadRuleFiles, runRuntime } from "./run.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

function intOpt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} needs a non-negative number, got '${v}'`);
  return n;
}

/** `--response tag:k8s=isolate,label` or `--response "rule:Terminal shell in container=kill"` */
export function parseResponseSpecs(specs: string[], cfg: ResponseConfig): ResponseConfig {
  for (const spec of specs) {
    const eq = spec.lastIndexOf("=");
    const m = /^(rule|tag):(.+)$/.exec(eq > 0 ? spec.slice(0, eq) : "");
    if (!m) throw new UsageError(`--response '${spec}': expected rule:NAME=ACTIONS or tag:TAG=ACTIONS`);
    const actions = spec
      .slice(eq + 1)
      .split(",")
      .map((s) => s.trim());
    for (const a of actions) {
      if (!RESPONSE_ACTIONS.includes(a as ResponseAction)) {
        throw new UsageError(
          `--response '${spec}': unknown action '${a}' (expected ${RESPONSE_ACTIONS.join(", ")})`,
        );
      }
    }
    const key = m[1] === "rule" ? "rules" : "tags";
    cfg[key] = { ...cfg[key], [m[2]!]: actions as ResponseAction[] };
  }
  return cfg;
}

interface RunCliOptions {
  rules: string[];
  source: string[];
  follow?: boolean;
  format: AlertFormat;
  output?: string;
  httpUrl?: string;
  httpTimeout?: string;
  httpRetries?: string;
  minPriority?: string;
  rate?: string;
  burst?: string;
  dedupWindow?: string;
  queueSize?: string;
  metricsPort?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  webhookToken?: string;
  webhookMaxBytes?: string;
  webhookHost?: string;
  procInterval?: string;
  procExisting?: boolean;
  response: string[];
  responseLive?: boolean;
  responseDir?: string;
  responsesConfig?: string;
}

export function registerRuntimeCommands({ program }: CommandRoots): void {
  const runtime = program
    .command("runtime")
    .description("runtime threat detection with Falco-compatible rules");
  const rules = runtime.command("rules").description("work with Falco rules files");
  rules
    .command("validate")
    .description(
      "load rules files in order (later files override earlier ones); exit 0 when all load, 1 otherwise",
    )
    .argument("<files...>", "Falco rules YAML files, in load order")
    .addOption(new Option("--format <format>", "report format").choices(["text", "json"]).default("text"))
    .action((files: string[], opts: { format: string }) => {
      const rs = loadRuleFiles(files);
      if (opts.format === "json") {
        process.stdout.write(
          `${JSON.stringify(
            {
              ok: rs.ok,
              files,
              errors: rs.errors,
              warnings: rs.warnings,
              rules: rs.rules.map((r) => ({
                name: r.name,
                source: r.source,
                priority: r.priority,
                tags: r.tags,
              })),
              inactive: rs.inactive,
              disabled: rs.disabled,
              required_engine_version: rs.requiredEngineVersion ?? null,
              required_plugin_versions: rs.requiredPluginVersions,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        for (const e of rs.errors) process.stderr.write(`error: ${formatLoadMessage(e)}\n`);
        for (const w of rs.warnings) process.stderr.write(`warning: ${formatLoadMessage(w)}\n`);
        for (const r of rs.inactive) process.stdout.write(`inactive: ${r.name} (${r.source}): ${r.reason}\n`);
        const req = rs.requiredPluginVersions.map((p) => `${p.name}>=${p.version}`).join(", ");
        process.stdout.write(
          `${rs.ok ? "ok" : "FAILED"}: ${files.length} file(s), ${rs.rules.length} active rule(s), ${rs.inactive.length} inactive, ${rs.disabled.length} disabled, ${rs.errors.length} error(s), ${rs.warnings.length} warning(s)` +
            `${rs.requiredEngineVersion ? `; required_engine_version ${rs.requiredEngineVersion}` : ""}${req ? `; required plugins ${req} (accepted; kubeward extracts these fields itself)` : ""}\n`,
        );
      }
      process.exitCode = rs.ok ? 0 : 1;
    });

  runtime
    .command("run")
    .description("evaluate events from sources against rules and print alerts as Falco JSON lines")
    .requiredOption("--rules <file>", "rules file (repeat; load order = override order)", collect, [])
    .requiredOption(
      "--source <spec>",
      "k8saudit:FILE | k8saudit-webhook:PORT | proc | tetragon:FILE (- for stdin); repeatable",
      collect,
      [],
    )
    .option("--follow", "keep reading file sources as they grow (survives log rotation)")
    .addOption(new Option("--format <format>", "alert format").choices(["json", "text"]).default("json"))
    .option("-o, --output <file>", "append alerts to FILE instead of stdout")
    .option("--http-url <url>", "also POST each alert as JSON to URL")
    .option("--http-timeout <ms>", "HTTP output timeout", "5000")
    .option("--http-retries <n>", "HTTP output retries (exponential backoff)", "3")
    .option("--min-priority <priority>", `drop alerts below this priority (${PRIORITIES.join(", ")})`)
    .option("--rate <n>", "per-rule alert rate limit, alerts per second (0 = off)")
    .option("--burst <n>", "per-rule burst for --rate")
    .option("--dedup-window <ms>", "suppress identical alerts within this window")
    .option("--queue-size <n>", "event queue bound; live sources drop (and count) past it", "10000")
    .option("--metrics-port <port>", "serve Prometheus counters on 127.0.0.1:PORT/metrics")
    .option("--tls-cert <file>", "webhook TLS certificate (PEM)")
    .option("--tls-key <file>", "webhook TLS key (PEM)")
    .option("--insecure-http", "serve the webhook over plain HTTP")
    .option("--webhook-token <token>", "require 'Authorization: Bearer TOKEN' on webhook requests")
    .option("--webhook-max-bytes <n>", "webhook request size limit", String(10 * 1024 * 1024))
    .option("--webhook-host <addr>", "webhook listen address", "0.0.0.0")
    .option("--proc-interval <ms>", "proc source polling interval", "100")
    .option("--proc-existing", "proc source: also report processes and sockets that exist at start")
    .option(
      "--response <spec>",
      "opt-in response: rule:NAME=ACTIONS or tag:TAG=ACTIONS (kill,isolate,delete-pod,label)",
      collect,
      [],
    )
    .option("--response-live", "really perform responses (default: dry-run, logged as alerts)")
    .option("--response-dir <dir>", "where isolate writes NetworkPolicies", ".")
    .option("--responses-config <file>", "YAML with rules:/tags: maps of actions, dryRun, outDir, labels")
    .action(async (o: RunCliOptions) => {
      const minPriority = o.minPriority ? parsePriority(o.minPriority) : undefined;
      if (o.minPriority && !minPriority)
        throw new UsageError(`--min-priority: unknown priority '${o.minPriority}'`);
      const sinks: AlertSink[] = [
        o.output ? fileOutput(o.output, o.format) : new StreamOutput(process.stdout, o.format),
      ];
      if (o.httpUrl) {
        sinks.push(
          new HttpOutput({
            url: o.httpUrl,
            timeoutMs: intOpt("http-timeout", o.httpTimeout),
            retries: intOpt("http-retries", o.httpRetries),
            onError: (m) => process.stderr.write(`${m}\n`),
          }),
        );
      }
      let responses: ResponseConfig | undefined;
      if (o.responsesConfig) {
        try {
          responses = parseYaml(readFileSync(o.responsesConfig, "utf8")) as ResponseConfig;
        } catch (e) {
          throw new UsageError(`--responses-config ${o.responsesConfig}: ${(e as Error).message}`);
        }
      }
      if (o.response.length > 0) responses = parseResponseSpecs(o.response, responses ?? {});
      if (responses) {
        responses.dryRun = o.responseLive ? false : (responses.dryRun ?? true);
        responses.outDir ??= o.responseDir;
      }
      try {
        const res = await runRuntime({
          rules: o.rules,
          sources: o.source,
          follow: o.follow,
          sinks,
          minPriority,
          ratePerSec: intOpt("rate", o.rate),
          burst: intOpt("burst", o.burst),
          dedupWindowMs: intOpt("dedup-window", o.dedupWindow),
          queueSize: intOpt("queue-size", o.queueSize),
          metricsPort: intOpt("metrics-port", o.metricsPort),
          webhook: {
            tlsCert: o.tlsCert,
            tlsKey: o.tlsKey,
            insecureHttp: o.insecureHttp,
            token: o.webhookToken,
            maxBytes: intOpt("webhook-max-bytes", o.webhookMaxBytes),
            host: o.webhookHost,
          },
          procIntervalMs: intOpt("proc-interval", o.procInterval),
          procExisting: o.procExisting,
          responses,
        });
        process.exitCode = 0;
        void res;
      } catch (e) {
        if (e instanceof RuntimeError) {
          process.stderr.write(`kubeward runtime: ${e.message} [${e.code}]\n`);
          process.exitCode = 1;
          return;
        }
        throw e;
      }
    });
}
