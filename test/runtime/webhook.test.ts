import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../src/runtime/output.js";
import { runRuntime } from "../../src/runtime/run.js";
import { K8SAUDIT } from "./helpers.js";

let dir: string;
let cert: string;
let key: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-webhook-"));
  cert = join(dir, "tls.crt");
  key = join(dir, "tls.key");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
});

function post(
  port: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/k8s-audit",
        method: "POST",
        ca: readFileSync(cert),
        servername: "localhost",
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** An audit.k8s.io/v1 EventList the way the API server's webhook backend sends it. */
function eventList(traces: string[]): string {
  const items = traces.flatMap((t) =>
    readFileSync(join(K8SAUDIT, "traces", t), "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l)),
  );
  return JSON.stringify({ kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items });
}

describe("k8saudit-webhook source over HTTPS", () => {
  it("accepts real EventList bodies, enforces the token and the size limit, counts malformed input", async () => {
    const alerts: Alert[] = [];
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => (stop = r));
    let port = 0;
    const ready = new Promise<void>((r) => {
      void runRuntime({
        rules: [join(K8SAUDIT, "rules/k8s_audit_rules.yaml")],
        sources: ["k8saudit-webhook:0"],
        sinks: [{ write: (a) => void alerts.push(a), flush: async () => {} }],
        webhook: { tlsCert: cert, tlsKey: key, token: "s3cret", maxBytes: 200_000, host: "127.0.0.1" },
        stopSignal,
        log: () => {},
        onReady: ({ ports }) => {
          port = ports["k8saudit-webhook:0"]!;
          r();
        },
      }).then((res) => (result = res));
    });
    let result: Awaited<ReturnType<typeof runRuntime>> | undefined;
    await ready;
    const auth = { authorization: "Bearer s3cret" };

    const ok = await post(
      port,
      eventList(["create_nginx_pod_privileged.json", "create_configmap_sensitive_values.json"]),
      auth,
    );
    expect(ok.status).toBe(200);
    expect((await post(port, eventList(["create_service.json"]))).status).toBe(401);
    expect(
      (await post(port, eventList(["create_service.json"]), { authorization: "Bearer wrong!" })).status,
    ).toBe(401);
    expect((await post(port, "{not json", auth)).status).toBe(400);
    expect((await post(port, JSON.stringify({ kind: 0 }), auth)).status).toBe(400);
    // an item without stageTimestamp is skipped and counted; the rest of the batch is taken (200)
    const mixed = eventList(["create_service.json"]).replace(
      '"items":[',
      '"items":[{"kind":"Event","auditID":"no-time","stage":"ResponseComplete"},',
    );
    expect((await post(port, mixed, auth)).status).toBe(200);
    expect((await post(port, Buffer.alloc(300_000, 32), auth)).status).toBe(413);

    await new Promise((r) => setTimeout(r, 100));
    stop();
    await new Promise<void>((r) => {
      const t = setInterval(() => {
        if (result) {
          clearInterval(t);
          r();
        }
      }, 10);
    });
    const counts: Record<string, number> = {};
    for (const a of alerts) counts[a.rule] = (counts[a.rule] ?? 0) + 1;
    expect(counts["Create Privileged Pod"]).toBe(1);
    expect(counts["Create/Modify Configmap With Private Credentials"]).toBe(6);
    expect(counts["K8s Service Created"]).toBe(1);
    expect(result!.counters.received).toBe(7 + 3 + 2);
    expect(result!.counters.evaluated).toBe(8);
    expect(result!.counters.malformed).toBe(4);
    expect(result!.malformed.get("webhook: event skipped: can't read stageTimestamp")).toBe(1);
    expect(result!.counters.dropped).toBe(0);
  }, 30_000);

  it("refuses to start without TLS material unless plain HTTP is asked for", async () => {
    await expect(
      runRuntime({
        rules: [join(K8SAUDIT, "rules/k8s_audit_rules.yaml")],
        sources: ["k8saudit-webhook:0"],
        sinks: [],
        log: () => {},
      }),
    ).rejects.toMatchObject({ code: "webhook-config" });
  });
});
