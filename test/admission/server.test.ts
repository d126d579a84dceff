import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleReview, loadEngine } from "../../src/admission/handler.js";
import type { RunningServer } from "../../src/admission/server.js";
import { generateTls, type TlsMaterial } from "../../src/admission/tls.js";
import { ensureAdmissionBuilt, kubeward, peerFingerprint, post, serveAdmission } from "./helpers.js";
import { CONFIG, checkCase, goodContainer, pod, review, suite } from "./suite.js";

let tmp: string;
let tls: TlsMaterial;
let srv: RunningServer;
let certFile: string;
let keyFile: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kw-adm-"));
  ({ srv, tls, certFile, keyFile } = await serveAdmission(tmp, {
    engine: await loadEngine(CONFIG),
    bodyTimeoutMs: 400,
    headersTimeoutMs: 1000,
  }));
});
afterAll(async () => {
  await srv?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("live server and offline review agree", () => {
  it("answers every case of the suite exactly as the offline review (in process and through the CLI)", async () => {
    ensureAdmissionBuilt();
    const engine = await loadEngine(CONFIG);
    const cases = suite();
    const live: Record<string, unknown>[] = [];
    for (const c of cases) {
      const body = JSON.stringify(c.body);
      const answer = await post(srv.port, tls.caCert, `/${c.endpoint}`, body);
      expect(answer.status, c.name).toBe(200);
      checkCase(c, answer.json(), c.body.apiVersion as string);
      live.push(answer.json());
      const offline = await handleReview(engine, c.endpoint, body);
      expect(answer.json(), c.name).toEqual(offline.payload);
    }
    // `kubeward admission review` on the same requests, one process per endpoint
    for (const endpoint of ["validate", "mutate"] as const) {
      const idx = cases.flatMap((c, i) => (c.endpoint === endpoint ? [i] : []));
      const files = idx.map((i) => {
        const f = join(tmp, `req-${i}.json`);
        writeFileSync(f, JSON.stringify(cases[i]!.body));
        return f;
      });
      const cli = kubeward(["admission", "review", ...files, "--config", CONFIG, "--endpoint", endpoint]);
      expect(cli.code, cli.stderr).toBe(0);
      const parsed = JSON.parse(cli.stdout) as unknown;
      const list = (files.length === 1 ? [parsed] : parsed) as unknown[];
      expect(list).toEqual(idx.map((i) => live[i]));
    }
  }, 120_000);
});

describe("bad requests get a 4xx answer and the server keeps serving", () => {
  const ok = () => JSON.stringify(review(pod("ok", "team-a", [goodContainer])));
  const cases: Array<[string, string, number, string]> = [
    ["not JSON", "{not json", 400, "review-not-json"],
    ["a JSON array", "[1,2]", 400, "review-not-json"],
    [
      "wrong kind",
      JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "Pod", request: { uid: "x" } }),
      400,
      "review-kind",
    ],
    [
      "wrong version",
      JSON.stringify({ apiVersion: "admission.k8s.io/v2", kind: "AdmissionReview", request: { uid: "x" } }),
      400,
      "review-version",
    ],
    [
      "missing request",
      JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }),
      400,
      "review-no-request",
    ],
    [
      "missing uid",
      JSON.stringify({
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        request: { operation: "CREATE" },
      }),
      400,
      "review-no-uid",
    ],
    [
      "malformed request",
      JSON.stringify({
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        request: { uid: "x", kind: "Pod" },
      }),
      400,
      "review-invalid",
    ],
  ];
  for (const [name, body, status, code] of cases) {
    it(name, async () => {
      const r = await post(srv.port, tls.caCert, "/validate", body);
      expect(r.status).toBe(status);
      const j = r.json();
      expect(j.kind).toBe("Status");
      expect((j.details as { causes: Array<{ reason: string }> }).causes[0]!.reason).toBe(code);
      expect(String(j.message).length).toBeGreaterThan(10);
      expect((await post(srv.port, tls.caCert, "/validate", ok())).status).toBe(200);
    });
  }

  it("an object nested absurdly deep is refused before evaluation", async () => {
    const body = review(pod("x", "team-a", [goodContainer]));
    const depth = 200_000;
    const text = JSON.stringify(body).replace(
      '"spec":{',
      `"deep":${"[".repeat(depth)}${"]".repeat(depth)},"spec":{`,
    );
    const r = await post(srv.port, tls.caCert, "/validate", text);
    expect(r.status).toBe(400);
    expect((r.json().details as { causes: Array<{ reason: string }> }).causes[0]!.reason).toBe(
      "review-invalid",
    );
    expect(String(r.json().message)).toContain("nested more than 512 levels");
    expect((await post(srv.port, tls.caCert, "/validate", ok())).status).toBe(200);
  });

  it("a CREATE without an object is answered in kind with a 400 status", async () => {
    const body = review(pod("x", "team-a", [goodContainer]));
    (body.request as Record<string, unknown>).object = null;
    const r = await post(srv.port, tls.caCert, "/validate", JSON.stringify(body));
    expect(r.status).toBe(200);
    const resp = r.json().response as { allowed: boolean; status: { code: number } };
    expect(resp.allowed).toBe(false);
    expect(resp.status.code).toBe(400);
  });

  it("a body over 3 MB is refused with 413 (declared length)", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
    const r = await post(srv.port, tls.caCert, "/validate", big).catch((e: Error) => ({
      status: -1,
      body: e.message,
      json: () => ({}),
    }));
    // the server answers 413 before reading the body, then closes the connection
    expect(r.status).toBe(413);
    expect((r.json() as { code?: number }).code).toBe(413);
    expect((await post(srv.port, tls.caCert, "/validate", ok())).status).toBe(200);
  });

  it("a chunked body that grows over 3 MB is refused with 413", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 10, 0x20);
    const r = await post(srv.port, tls.caCert, "/validate", big, "POST", {
      "transfer-encoding": "chunked",
    }).catch((e: Error) => ({ status: -1, body: e.message, json: () => ({}) }));
    expect(r.status).toBe(413);
    expect((await post(srv.port, tls.caCert, "/validate", ok())).status).toBe(200);
  });

  it("a slow client gets 408 and does not stall others", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(
        { host: "127.0.0.1", port: srv.port, servername: "localhost", ca: tls.caCert },
        () => {
          s.write(
            'POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"apiVersion":',
          );
        },
      );
      let got = "";
      s.on("data", (d: Buffer) => {
        got += d.toString();
      });
      s.on("close", () => resolve(got));
      s.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain("body-timeout");
    expect((await post(srv.port, tls.caCert, "/validate", ok())).status).toBe(200);
  });

  it("wrong method and unknown path", async () => {
    expect((await post(srv.port, tls.caCert, "/validate", "", "GET")).status).toBe(405);
    expect((await post(srv.port, tls.caCert, "/nope", ok())).status).toBe(404);
  });

  it("keeps answering under concurrent load", async () => {
    const body = ok();
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => post(srv.port, tls.caCert, "/validate", body)),
    );
    expect(
      answers.every((a) => a.status === 200 && (a.json().response as { allowed: boolean }).allowed),
    ).toBe(true);
  });
});

describe("health, readiness, metrics and certificate reload", () => {
  it("serves /healthz, /readyz and Prometheus metrics", async () => {
    expect((await post(srv.port, tls.caCert, "/healthz", "", "GET")).body).toBe("ok");
    expect((await post(srv.port, tls.caCert, "/readyz", "", "GET")).status).toBe(200);
    await post(
      srv.port,
      tls.caCert,
      "/validate",
      JSON.stringify(
        review(
          pod("priv", "team-a", [{ name: "x", image: "busybox", securityContext: { privileged: true } }]),
        ),
      ),
    );
    const m = (await post(srv.port, tls.caCert, "/metrics", "", "GET")).body;
    expect(m).toMatch(
      /kubeward_admission_requests_total\{endpoint="validate",decision="deny",dry_run="false"\} \d+/,
    );
    expect(m).toMatch(
      /kubeward_admission_request_duration_seconds_bucket\{endpoint="validate",le="0.01"\} \d+/,
    );
    expect(m).toMatch(/kubeward_admission_bad_requests_total\{code="review-not-json"\} \d+/);
    expect(m).toContain("kubeward_admission_policy_errors_total");
  });

  it("reloads the certificate and key when the files change", async () => {
    const before = await peerFingerprint(srv.port, tls.caCert);
    const next = generateTls(["localhost"]);
    writeFileSync(certFile, next.cert);
    writeFileSync(keyFile, next.key);
    expect(await srv.reloadTls()).toBe(true);
    const after = await peerFingerprint(srv.port, next.caCert);
    expect(after).not.toBe(before);
    // a broken pair is refused and the server keeps its certificate
    writeFileSync(keyFile, "not a key");
    expect(await srv.reloadTls()).toBe(false);
    expect(await peerFingerprint(srv.port, next.caCert)).toBe(after);
    tls = next;
  });
});

describe("graceful stop", () => {
  it("fails readiness but keeps answering during the drain delay, then stops listening", async () => {
    const engine = await loadEngine(CONFIG);
    const { srv: own, tls: ownTls } = await serveAdmission(tmp, { engine }, "own");
    const ca = ownTls.caCert;
    const body = JSON.stringify(review(pod("ok", "team-a", [goodContainer])));
    expect((await post(own.port, ca, "/readyz", "", "GET")).status).toBe(200);
    const drained = own.drain(400, 1000);
    expect((await post(own.port, ca, "/readyz", "", "GET")).status).toBe(503);
    expect((await post(own.port, ca, "/healthz", "", "GET")).status).toBe(200);
    expect((await post(own.port, ca, "/validate", body)).status).toBe(200);
    await drained;
    await expect(post(own.port, ca, "/validate", body)).rejects.toMatchObject({
      code: expect.stringMatching(/^(ECONNREFUSED|ECONNRESET)$/),
    });
  });
});
