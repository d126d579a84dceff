// The namespace dry run's time budget follows the webhook call's own deadline, as upstream's webhook
// does: the API server calls /validate?timeout=5s, and the dry run takes at most half of the time the
// request has left (and never more than 1 s). The timeout is a Go duration; a malformed one is ignored.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionEngine } from "../../src/admission/engine.js";
import { dryRunBudgetMs, LIST_PODS_FAILED } from "../../src/admission/psa.js";
import { type RunningServer, requestDeadline } from "../../src/admission/server.js";
import { parseGoDuration } from "../../src/admission/timebox.js";
import type { TlsMaterial } from "../../src/admission/tls.js";
import { post, serveAdmission } from "./helpers.js";
import { namespaceUpdate, pod, privilegedContainer } from "./suite.js";

describe("parseGoDuration (cases of Go's time.ParseDuration tests)", () => {
  const NS = 1e-6; // one nanosecond in milliseconds
  const valid: Array<[string, number]> = [
    ["0", 0],
    ["5s", 5000],
    ["30s", 30_000],
    ["1478s", 1_478_000],
    ["-5s", -5000],
    ["+5s", 5000],
    ["-0", 0],
    ["+0", 0],
    ["5.0s", 5000],
    ["5.6s", 5600],
    ["5.s", 5000],
    [".5s", 500],
    ["1.004s", 1004],
    ["100.00100s", 100_001],
    ["10ns", 10 * NS],
    ["11us", 0.011],
    ["12\u00b5s", 0.012],
    ["12\u03bcs", 0.012],
    ["13ms", 13],
    ["15m", 900_000],
    ["16h", 57_600_000],
    ["3h30m", 12_600_000],
    ["10.5s4m", 250_500],
    ["-2m3.4s", -123_400],
    ["1h2m3s4ms5us6ns", 3_723_004.005006],
    ["39h9m14.425s", 140_954_425],
    ["52763797000ns", 52_763.797],
    ["9223372036854775807ns", 9_223_372_036_854.775],
    ["-9223372036854775808ns", -9_223_372_036_854.775],
  ];
  for (const [text, ms] of valid)
    it(`${JSON.stringify(text)} is ${ms} ms`, () => {
      const got = parseGoDuration(text);
      expect(got).toBeDefined();
      expect(Math.abs(got! - ms)).toBeLessThanOrEqual(Math.max(1e-9, Math.abs(ms) * 1e-12));
    });
  const invalid = [
    "",
    "3",
    "-",
    "s",
    ".",
    "-.",
    ".s",
    "+.s",
    "1d",
    "5sec",
    "1h-5m",
    "1.5.s",
    "9223372036854775808ns",
    "3000000h",
    " 5s",
    "5s ",
  ];
  for (const text of invalid)
    it(`${JSON.stringify(text)} is not a duration`, () => expect(parseGoDuration(text)).toBeUndefined());
});

describe("the deadline of a webhook call", () => {
  it("comes from ?timeout=, counted from arrival; absent, empty or malformed means none", () => {
    expect(requestDeadline("timeout=5s", 1000)).toBe(6000);
    expect(requestDeadline("a=1&timeout=250ms&timeout=9s", 0)).toBe(250);
    expect(requestDeadline("", 0)).toBeUndefined();
    expect(requestDeadline("timeout=", 0)).toBeUndefined();
    expect(requestDeadline("timeout=5", 0)).toBeUndefined();
    expect(requestDeadline("timeout=soon", 0)).toBeUndefined();
  });

  it("caps the dry run at half of the time left, never over the configured budget", () => {
    const at = (now: number, deadline?: number) =>
      dryRunBudgetMs({
        podCheckTimeoutMs: 1000,
        now: () => now,
        ...(deadline !== undefined ? { deadline } : {}),
      });
    expect(at(0)).toBe(1000);
    expect(at(0, 5000)).toBe(1000); // 5 s left: half is 2.5 s, the 1 s budget applies
    expect(at(4000, 5000)).toBe(500); // 1 s left: 0.5 s
    expect(at(4900, 5000)).toBe(50);
    expect(at(5000, 5000)).toBe(0);
    expect(at(6000, 5000)).toBeLessThan(0);
  });
});

describe("the dry run under a request deadline, through the HTTPS server", () => {
  let tmp: string;
  let srv: RunningServer;
  let tls: TlsMaterial;
  const LIST_MS = 100;
  const lists: Array<{ aborted: boolean }> = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "kw-adm-deadline-"));
    const config = parseAdmissionConfig(
      "apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\n",
      "c.yaml",
    );
    const engine = new AdmissionEngine(config, {
      // the API answers the pod list after LIST_MS
      namespacePods: async (namespace, signal) => {
        const seen = { aborted: false };
        lists.push(seen);
        signal.addEventListener("abort", () => {
          seen.aborted = true;
        });
        await sleep(LIST_MS);
        return [pod("web-1", namespace, [privilegedContainer])];
      },
    });
    ({ srv, tls } = await serveAdmission(tmp, { engine }));
  });
  afterAll(async () => {
    await srv?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const tighten = () =>
    JSON.stringify(namespaceUpdate("team-a", { "pod-security.kubernetes.io/enforce": "baseline" }));
  const warningsFor = async (query: string) => {
    const r = await post(srv.port, tls.caCert, `/validate${query}`, tighten());
    expect(r.status).toBe(200);
    return (r.json().response as { warnings?: string[] }).warnings;
  };
  const CHECKED = [
    'existing pods in namespace "team-a" violate the new PodSecurity enforce level "baseline:latest"',
    "web-1: privileged",
  ];

  it("with the API server's usual 5 s (or no timeout, or a malformed one) the 1 s budget applies", async () => {
    for (const query of ["?timeout=5s", "", "?timeout=5", "?timeout=10s&x=1"])
      expect(await warningsFor(query), query).toEqual(CHECKED);
  });

  it("a 100 ms call leaves the dry run 50 ms: the 100 ms listing is cut off and the update warned", async () => {
    const before = lists.length;
    expect(await warningsFor("?timeout=100ms")).toEqual([LIST_PODS_FAILED]);
    expect(lists.length).toBe(before + 1);
    expect(lists.at(-1)!.aborted).toBe(true);
  });

  it("a call whose time is already up (0s, negative) does not list at all", async () => {
    const before = lists.length;
    for (const query of ["?timeout=0s", "?timeout=-1s"])
      expect(await warningsFor(query), query).toEqual([LIST_PODS_FAILED]);
    expect(lists.length).toBe(before);
  });

  it("offline review (no deadline) keeps the 1 s budget", async () => {
    const engine = new AdmissionEngine(
      parseAdmissionConfig("apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\n", "c.yaml"),
      { namespacePods: async (ns) => [pod("web-1", ns, [privilegedContainer])] },
    );
    const req = JSON.parse(tighten()).request;
    expect((await engine.validate(req)).response.warnings).toEqual(CHECKED);
  });
});
