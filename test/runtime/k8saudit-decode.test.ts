/**
 * Decoding audit data the way the k8saudit plugin does: which events are taken, which are skipped (and
 * that every skip is counted, logged once per reason and shown on /metrics), and the exact JSON text each
 * event of a batch keeps for jevt.obj.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RuleEngine } from "../../src/runtime/engine.js";
import { K8S_AUDIT_FIELDS } from "../../src/runtime/fields/k8saudit.js";
import { metricsText } from "../../src/runtime/metrics.js";
import { Pipeline } from "../../src/runtime/pipeline.js";
import { loadRuleFiles, runRuntime } from "../../src/runtime/run.js";
import {
  decodeAuditLine,
  decodeAuditValue,
  goTime,
  readGoRfc3339,
} from "../../src/runtime/sources/k8saudit-parse.js";
import { K8SAUDIT, SHARED } from "./helpers.js";

const RULES = join(K8SAUDIT, "rules/k8s_audit_rules.yaml");
const AUDIT2RBAC = join(SHARED, "conformance/audit-logs/audit2rbac/demo.log");
const traceLine = (name: string) => readFileSync(join(K8SAUDIT, "traces", name), "utf8").split("\n")[0]!;
const kinds = (line: string) => decodeAuditLine(line).skipped?.map((r) => r.kind);
const jevtObj = K8S_AUDIT_FIELDS.lookup("jevt.obj")!.def.extract!;

describe("stageTimestamp as Go's time.Parse(RFC3339Nano) reads it", () => {
  it.each([
    ["2024-05-06T07:08:09Z", 1714979289, 0],
    ["2024-05-06T07:08:09.5Z", 1714979289, 500_000_000],
    ["2024-05-06T07:08:09.123456789Z", 1714979289, 123_456_789],
    ["2024-05-06T07:08:09.1234567899Z", 1714979289, 123_456_789], // digits past the ninth are cut
    ["2024-05-06T07:08:09,25Z", 1714979289, 250_000_000], // Go also takes a comma
    ["2024-05-06T09:08:09+02:00", 1714979289, 0],
    ["2024-05-06T05:08:09-02:00", 1714979289, 0],
    ["2024-02-29T00:00:00Z", 1709164800, 0],
    ["0001-01-01T00:00:00Z", -62135596800, 0],
  ])("%s -> %d s + %d ns", (s, secs, nanos) => {
    expect(readGoRfc3339(s)).toBe(true);
    expect({ ...goTime }).toEqual({ secs, nanos });
  });
  it.each([
    "2023-02-29T00:00:00Z", // not a leap year
    "2024-04-31T00:00:00Z",
    "2024-05-06T24:00:00Z",
    "2024-05-06T07:60:00Z",
    "2024-05-06T07:08:60Z",
    "2024-05-06t07:08:09Z",
    "2024-05-06T07:08:09z",
    "2024-05-06T07:08:09",
    "2024-05-06T07:08:09.Z",
    "2024-05-06 07:08:09Z",
    "2024-5-06T07:08:09Z",
    "2024-05-06T07:08:09+0200",
    "1714979289",
    "",
  ])("refuses %j", (s) => {
    expect(readGoRfc3339(s)).toBe(false);
  });
});

describe("which events the plugin takes", () => {
  it("skips events without a stageTimestamp, or with one that is not a time, each with its reason", () => {
    const base = { kind: "Event", auditID: "a", stage: "ResponseComplete" };
    const d = decodeAuditLine(JSON.stringify(base));
    expect(d.events).toEqual([]);
    expect(d.skipped).toEqual([
      { kind: "no-stage-timestamp", message: "event skipped: can't read stageTimestamp" },
    ]);
    expect(kinds(JSON.stringify({ ...base, stageTimestamp: null }))).toEqual(["bad-stage-timestamp"]);
    expect(kinds(JSON.stringify({ ...base, stageTimestamp: 1714979289 }))).toEqual(["bad-stage-timestamp"]);
    expect(
      decodeAuditLine(JSON.stringify({ ...base, stageTimestamp: "yesterday" })).skipped?.[0]?.message,
    ).toBe('event skipped: stageTimestamp "yesterday" is not an RFC 3339 time');
    // `timestamp` (audit.k8s.io/v1alpha1) does not count
    expect(kinds(JSON.stringify({ ...base, timestamp: "2024-05-06T07:08:09Z" }))).toEqual([
      "no-stage-timestamp",
    ]);
  });

  it("keeps every stage (rules select stages) and times events by stageTimestamp", () => {
    for (const stage of ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"]) {
      const d = decodeAuditLine(
        JSON.stringify({
          kind: "Event",
          stage,
          stageTimestamp: "2024-05-06T07:08:09.5Z",
          timestamp: "1999-01-01T00:00:00Z",
        }),
      );
      expect(d.skipped).toBeUndefined();
      expect(d.events.map((e) => e.tsNs)).toEqual([1714979289.5e9]);
    }
  });

  it("takes EventLists and arrays of events; one unrecognized element refuses the whole array", () => {
    const ev = (id: string) => ({ kind: "Event", auditID: id, stageTimestamp: "2024-05-06T07:08:09Z" });
    const list = { kind: "EventList", items: [ev("1"), { kind: "Event", auditID: "2" }, 7, ev("3")] };
    const d = decodeAuditValue(list);
    expect(d.events.map((e) => e.raw.auditID)).toEqual(["1", "3"]);
    expect(d.skipped?.map((r) => r.kind)).toEqual(["no-stage-timestamp", "no-stage-timestamp"]);
    expect(decodeAuditValue([ev("a"), [ev("b"), list]]).events.map((e) => e.raw.auditID)).toEqual([
      "a",
      "b",
      "1",
      "3",
    ]);
    expect(decodeAuditValue([ev("a"), { kind: "Other" }])).toEqual({
      events: [],
      skipped: [{ kind: "not-audit-event", message: "data not recognized as a k8s audit event" }],
    });
    expect(kinds(JSON.stringify({ kind: "EventList", items: {} }))).toEqual(["not-audit-event"]);
    expect(kinds(JSON.stringify({ kind: "EventList" }))).toEqual(["not-audit-event"]);
    expect(kinds('{"kind": 0}')).toEqual(["not-audit-event"]);
    expect(kinds("[1]")).toEqual(["not-audit-event"]);
    expect(kinds("{nope")).toEqual(["malformed-json"]);
  });

  it("skips events whose compact JSON is over maxEventSize (default 256 KiB, like the plugin)", () => {
    const big = (n: number) =>
      JSON.stringify({ kind: "Event", stageTimestamp: "2024-05-06T07:08:09Z", pad: "x".repeat(n) });
    const overhead = big(0).length;
    expect(decodeAuditLine(big(262_144 - overhead)).events).toHaveLength(1);
    expect(decodeAuditLine(big(262_145 - overhead)).skipped).toEqual([
      { kind: "event-too-large", message: "event skipped: larger than maxEventSize (262145 bytes)" },
    ]);
    // whitespace outside strings does not count (the plugin measures the re-marshalled compact form)
    const spaced = big(262_144 - overhead).replace(/,/g, " ,  ");
    expect(decodeAuditLine(spaced).events).toHaveLength(1);
    expect(kinds(big(100).replace("{", "{ ")) ?? []).toEqual([]);
    expect(decodeAuditLine(big(100), { maxEventSize: 50 }).skipped?.[0]?.kind).toBe("event-too-large");
  });
});

describe("jevt.obj of batched events is the item as the API server wrote it", () => {
  it("slices each EventList item (escapes kept), in a webhook body or an array", () => {
    const item1 =
      '{"kind":"Event","stageTimestamp":"2024-05-06T07:08:09Z","auditID":"i1","s":"a\\u003cb, ]}[{\\"","n":[1, 2 ,{}]}';
    const item2 = '{"stageTimestamp":"2024-05-06T07:08:10Z","kind":"Event","auditID":"i2","e":[]}';
    const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{"x":[{"y":"]"}]},"items":[ ${item1} ,\n${item2}]}`;
    const d = decodeAuditValue(JSON.parse(body), body);
    expect(d.events.map((e) => e.text)).toEqual([item1, item2]);
    const obj = jevtObj(d.events[0]!, undefined) as string;
    expect(obj).toContain('"s": "a\\u003cb, ]}[{\\""');
    expect(obj.split("\n").slice(0, 3)).toEqual([
      "{",
      '  "kind": "Event",',
      '  "stageTimestamp": "2024-05-06T07:08:09Z",',
    ]);
    // an array of an Event and an EventList: each event keeps its own text
    const arr = `[${item2}, ${body}]`;
    expect(decodeAuditLine(arr).events.map((e) => e.text)).toEqual([item2, item1, item2]);
  });

  it("the last `items` member counts (as JSON.parse keeps it), and escaped member names are read", () => {
    const it1 = '{"kind":"Event","stageTimestamp":"2024-05-06T07:08:09Z","auditID":"first"}';
    const it2 = '{"kind":"Event","stageTimestamp":"2024-05-06T07:08:09Z","auditID":"second"}';
    const body = `{"kind":"EventList","items":[${it1}],"it\\u0065ms":[${it2}]}`;
    const d = decodeAuditValue(JSON.parse(body), body);
    expect(d.events.map((e) => [e.raw.auditID, e.text])).toEqual([["second", it2]]);
  });

  it("real traces sent as one webhook batch keep their own text", () => {
    const lines = ["create_nginx_pod_privileged.json", "create_service.json"].map(traceLine);
    const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${lines.join(",")}]}`;
    const d = decodeAuditValue(JSON.parse(body), body);
    expect(d.events.map((e) => e.text)).toEqual(lines);
    expect(jevtObj(d.events[1]!, undefined)).toBe(jevtObj(decodeAuditLine(lines[1]!).events[0]!, undefined));
  });
});

describe("skipped events are counted, logged once per reason and shown on /metrics", () => {
  it("the audit2rbac log (written before stageTimestamp existed) is skipped event by event", async () => {
    const logLines: string[] = [];
    const res = await runRuntime({
      rules: [RULES],
      sources: [`k8saudit:${AUDIT2RBAC}`],
      sinks: [],
      log: (l) => logLines.push(l),
    });
    const n = readFileSync(AUDIT2RBAC, "utf8")
      .split("\n")
      .filter((l) => l.trim()).length;
    expect(n).toBe(37);
    expect(res.counters).toMatchObject({ received: n, evaluated: 0, malformed: n, alerts: 0 });
    const skips = logLines.filter((l) => l.startsWith("skipped: "));
    expect(skips).toEqual([
      `skipped: ${AUDIT2RBAC}: event skipped: can't read stageTimestamp (counted; repeats are not logged)`,
    ]);
    expect(logLines).toContain(`malformed: ${n} x ${AUDIT2RBAC}: event skipped: can't read stageTimestamp`);
  });

  it("/metrics splits skipped inputs by reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-decode-"));
    const file = join(dir, "audit.log");
    const ok = traceLine("create_service.json");
    const noTs = JSON.stringify({ kind: "Event", auditID: "x" });
    writeFileSync(file, [ok, noTs, noTs, "{bad", ok].join("\n"));
    const eng = new RuleEngine(loadRuleFiles([RULES]), { hostname: "h" });
    const p = new Pipeline(eng, []);
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const d = decodeAuditLine(line);
      for (const r of d.skipped ?? []) p.malformed(r.message, 1, r.kind);
      for (const e of d.events) p.evaluate({ source: "k8s_audit", evt: e, tsNs: e.tsNs });
    }
    const txt = metricsText(p, eng);
    expect(txt).toMatch(/^kubeward_runtime_events_malformed_total 3$/m);
    expect(txt).toMatch(/^kubeward_runtime_events_skipped_total\{reason="no-stage-timestamp"\} 2$/m);
    expect(txt).toMatch(/^kubeward_runtime_events_skipped_total\{reason="malformed-json"\} 1$/m);
    expect(txt).toMatch(/^kubeward_runtime_events_evaluated_total 2$/m);
  });
});
