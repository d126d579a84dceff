import { appendFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RuleEngine } from "../../src/runtime/engine.js";
import { metricsText } from "../../src/runtime/metrics.js";
import type { Alert } from "../../src/runtime/output.js";
import { fileOutput, HttpOutput } from "../../src/runtime/outputs.js";
import { Pipeline } from "../../src/runtime/pipeline.js";
import { loadRuleFiles, runRuntime } from "../../src/runtime/run.js";
import { decodeAuditLine } from "../../src/runtime/sources/k8saudit-parse.js";
import { K8SAUDIT } from "./helpers.js";

const RULES = join(K8SAUDIT, "rules/k8s_audit_rules.yaml");
const trace = (name: string) => readFileSync(join(K8SAUDIT, "traces", name), "utf8");

function collector() {
  const alerts: Alert[] = [];
  return { alerts, sink: { write: (a: Alert) => void alerts.push(a), flush: async () => {} } };
}

function events(name: string) {
  return trace(name)
    .split("\n")
    .flatMap((l) => decodeAuditLine(l).events);
}

describe("pipeline", () => {
  const rs = loadRuleFiles([RULES]);

  it("counts drops when the bounded queue is full, never loses one silently", async () => {
    const { sink } = collector();
    const p = new Pipeline(new RuleEngine(rs, { hostname: "h" }), [sink], { queueSize: 2 });
    const e = events("create_configmap_sensitive_values.json");
    expect(e).toHaveLength(6);
    const accepted = e.map((x) => p.offer({ source: "k8s_audit", evt: x, tsNs: x.tsNs }));
    expect(accepted).toEqual([true, true, false, false, false, false]);
    await p.flush();
    expect(p.counters).toMatchObject({ received: 6, evaluated: 2, dropped: 4, malformed: 0 });
  });

  it("rate-limits per rule with a token bucket and de-duplicates identical alerts (injected clock)", async () => {
    let now = 0;
    const { alerts, sink } = collector();
    const p = new Pipeline(new RuleEngine(rs, { hostname: "h" }), [sink], {
      ratePerSec: 1,
      burst: 2,
      now: () => now,
    });
    const e = events("create_configmap_sensitive_values.json");
    for (const x of e) p.evaluate({ source: "k8s_audit", evt: x, tsNs: x.tsNs });
    const creds = () =>
      alerts.filter((a) => a.rule === "Create/Modify Configmap With Private Credentials").length;
    expect(creds()).toBe(2);
    now = 1000;
    p.evaluate({ source: "k8s_audit", evt: e[0], tsNs: e[0]!.tsNs });
    expect(creds()).toBe(3);
    expect(p.counters.alertsSuppressed).toBeGreaterThanOrEqual(4);

    const d = collector();
    const q = new Pipeline(new RuleEngine(rs, { hostname: "h" }), [d.sink], {
      dedupWindowMs: 60_000,
      now: () => now,
    });
    for (let i = 0; i < 3; i++) q.evaluate({ source: "k8s_audit", evt: e[0], tsNs: e[0]!.tsNs });
    const first = d.alerts.length;
    expect(first).toBeGreaterThan(0);
    expect(q.counters.alertsDeduplicated).toBe(first * 2);
  });

  it("the shared-prefix evaluation matches evaluating every rule on its own, on every trace", async () => {
    const { readdirSync } = await import("node:fs");
    const { newEvalCtx } = await import("../../src/runtime/condition/compile.js");
    const eng = new RuleEngine(rs, { hostname: "h" });
    const rules = eng.rulesFor("k8s_audit");
    let compared = 0;
    for (const f of readdirSync(join(K8SAUDIT, "traces"))) {
      for (const e of events(f)) {
        const viaEngine = eng.process("k8s_audit", e, e.tsNs).map((a) => a.rule);
        const c = newEvalCtx(rs.slots.get("k8s_audit")!.size, e);
        c.gen = 1;
        const oneByOne = rules.filter((r) => r.evaluate(c)).map((r) => r.name);
        expect(viaEngine).toEqual(oneByOne);
        compared++;
      }
    }
    expect(compared).toBe(51);
  });

  it("applies a priority threshold", () => {
    const all = new RuleEngine(rs, { hostname: "h" });
    const warnOnly = new RuleEngine(rs, { hostname: "h", minPriority: "Warning" });
    const e = events("create_configmap.json")[0]!;
    const a = all.process("k8s_audit", e, e.tsNs).map((x) => x.priority);
    const b = warnOnly.process("k8s_audit", e, e.tsNs).map((x) => x.priority);
    expect(a).toContain("Informational");
    expect(b).not.toContain("Informational");
  });

  it("emits Falco's JSON alert shape", () => {
    const eng = new RuleEngine(rs, { hostname: "node-1" });
    const e = events("create_nginx_pod_privileged.json")[0]!;
    const a = eng.process("k8s_audit", e, e.tsNs).find((x) => x.rule === "Create Privileged Pod")!;
    expect(Object.keys(a)).toEqual([
      "time",
      "rule",
      "priority",
      "output",
      "output_fields",
      "source",
      "tags",
      "hostname",
    ]);
    expect(a.time).toBe("2018-10-25T14:09:12.581541000Z");
    expect(a.output).toBe(
      "14:09:12.581541000: Warning Pod started with privileged container (user=system:serviceaccount:kube-system:replicaset-controller pod=nginx-deployment-5cdcc99dbf-rgw6z resource=pods ns=default images=(nginx) init_images=<NA> ephemeral_images=<NA>)",
    );
    expect(a.output_fields["ka.req.pod.containers.image"]).toEqual(["nginx"]);
    expect(a.output_fields["ka.req.pod.initContainers.image"]).toBeNull();
    expect(a).toMatchObject({ source: "k8s_audit", tags: ["k8s"], hostname: "node-1", priority: "Warning" });
  });

  it("prints Prometheus counters", async () => {
    const { sink } = collector();
    const eng = new RuleEngine(rs, { hostname: "h" });
    const p = new Pipeline(eng, [sink]);
    p.malformed("x");
    const txt = metricsText(p, eng);
    expect(txt).toMatch(/^kubeward_runtime_events_malformed_total 1$/m);
    expect(txt).toMatch(/# TYPE kubeward_runtime_events_dropped_total counter/);
  });
});

describe("outputs", () => {
  it("HTTP output retries with backoff until the server accepts", async () => {
    let calls = 0;
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let b = "";
      req.on("data", (c) => (b += c));
      req.on("end", () => {
        calls++;
        if (calls < 3) res.writeHead(503).end();
        else {
          bodies.push(b);
          res.writeHead(200).end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
    const sleeps: number[] = [];
    const out = new HttpOutput({ url, retries: 3, backoffMs: 10, sleep: async (ms) => void sleeps.push(ms) });
    const eng = new RuleEngine(loadRuleFiles([RULES]), { hostname: "h" });
    const e = events("create_nginx_pod_privileged.json")[0]!;
    for (const a of eng.process("k8s_audit", e, e.tsNs)) out.write(a);
    await out.flush();
    server.close();
    expect(out.failures).toBe(0);
    expect(sleeps.slice(0, 2)).toEqual([10, 20]);
    expect(JSON.parse(bodies[0]!).rule).toBeDefined();
  });

  it("HTTP output gives up after its retries and counts the failure", async () => {
    const errors: string[] = [];
    const out = new HttpOutput({
      url: "http://127.0.0.1:9/none",
      retries: 1,
      backoffMs: 1,
      timeoutMs: 500,
      onError: (m) => errors.push(m),
    });
    out.write({
      time: "t",
      rule: "r",
      priority: "Notice",
      output: "o",
      output_fields: {},
      source: "s",
      tags: [],
      hostname: "h",
    });
    await out.flush();
    expect(out.failures).toBe(1);
    expect(errors[0]).toMatch(/giving up after 2 attempt/);
  });
});

describe("runRuntime with files", () => {
  it("replays a trace to a file in Falco JSON lines, counts malformed lines and keeps going", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-rt-"));
    const log = join(dir, "audit.log");
    writeFileSync(
      log,
      `${trace("fal_01_003.json")}\nnot json at all\n${trace("create_nginx_pod_privileged.json")}`,
    );
    const outFile = join(dir, "alerts.jsonl");
    const lines: string[] = [];
    const res = await runRuntime({
      rules: [RULES],
      sources: [`k8saudit:${log}`],
      sinks: [fileOutput(outFile, "json")],
      log: (l) => lines.push(l),
    });
    expect(res.counters).toMatchObject({ received: 3, evaluated: 1, malformed: 2, dropped: 0 });
    const alerts = readFileSync(outFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(alerts.map((a) => a.rule)).toContain("Create Privileged Pod");
    expect(lines.join("\n")).toMatch(/events: received=3 evaluated=1 dropped=0 malformed=2/);
    expect(lines.join("\n")).toMatch(/data not recognized as a k8s audit event/);
  });

  it("--follow picks up appended lines and survives rotation; stopping drains and flushes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-follow-"));
    const log = join(dir, "audit.log");
    writeFileSync(log, "");
    const { alerts, sink } = collector();
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => (stop = r));
    const done = runRuntime({
      rules: [RULES],
      sources: [`k8saudit:${log}`],
      follow: true,
      sinks: [sink],
      stopSignal,
      log: () => {},
    });
    const wait = async (n: number) => {
      for (let i = 0; i < 100 && alerts.filter((a) => a.rule === "Create Privileged Pod").length < n; i++)
        await new Promise((r) => setTimeout(r, 50));
    };
    appendFileSync(log, trace("create_nginx_pod_privileged.json"));
    await wait(1);
    renameSync(log, `${log}.1`);
    writeFileSync(log, trace("create_nginx_pod_privileged.json"));
    await wait(2);
    stop();
    const res = await done;
    expect(alerts.filter((a) => a.rule === "Create Privileged Pod")).toHaveLength(2);
    expect(res.counters.evaluated).toBe(2);
  });

  it("serves the counters on /metrics while running", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-metrics-"));
    const log = join(dir, "audit.log");
    writeFileSync(log, `${trace("create_nginx_pod_privileged.json")}\nnot json\n`);
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => (stop = r));
    let port = 0;
    const done = runRuntime({
      rules: [RULES],
      sources: [`k8saudit:${log}`],
      follow: true,
      sinks: [],
      metricsPort: 0,
      stopSignal,
      log: () => {},
      onReady: ({ ports }) => {
        port = ports.metrics!;
      },
    });
    for (let i = 0; i < 100 && port === 0; i++) await new Promise((r) => setTimeout(r, 20));
    let text = "";
    for (let i = 0; i < 50; i++) {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      if (/events_malformed_total 1/.test(text)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    stop();
    await done;
    expect(text).toMatch(/^kubeward_runtime_events_received_total 2$/m);
    expect(text).toMatch(/^kubeward_runtime_events_evaluated_total 1$/m);
    expect(text).toMatch(/^kubeward_runtime_events_malformed_total 1$/m);
    expect(text).toMatch(/^kubeward_runtime_events_dropped_total 0$/m);
  });

  it("SIGTERM stops the sources, drains the queue and flushes the outputs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-sigterm-"));
    const log = join(dir, "audit.log");
    writeFileSync(log, trace("create_nginx_pod_privileged.json"));
    const outFile = join(dir, "alerts.jsonl");
    const lines: string[] = [];
    const done = runRuntime({
      rules: [RULES],
      sources: [`k8saudit:${log}`],
      follow: true,
      sinks: [fileOutput(outFile, "json")],
      log: (l) => lines.push(l),
    });
    // let the source read the file and reach the follow loop
    await new Promise((r) => setTimeout(r, 300));
    expect(process.listenerCount("SIGTERM")).toBeGreaterThan(0);
    process.kill(process.pid, "SIGTERM");
    const res = await done;
    expect(res.counters.evaluated).toBe(1);
    expect(readFileSync(outFile, "utf8")).toMatch(/"rule":"Create Privileged Pod"/);
    expect(lines.at(-1)).toMatch(/^events: received=1 evaluated=1 dropped=0 malformed=0/);
    expect(process.listenerCount("SIGTERM")).toBe(0);
  });

  it("reports unreadable rules files and unknown sources with codes", async () => {
    const rs = loadRuleFiles(["/nonexistent/rules.yaml"]);
    expect(rs.ok).toBe(false);
    expect(rs.errors[0]!.code).toBe("source-io");
    await expect(
      runRuntime({ rules: [RULES], sources: ["bogus:1"], sinks: [], log: () => {} }),
    ).rejects.toMatchObject({ code: "source-spec" });
    await expect(
      runRuntime({ rules: [RULES], sources: ["k8saudit-webhook:notaport"], sinks: [], log: () => {} }),
    ).rejects.toMatchObject({
      code: "source-spec",
    });
  });
});
