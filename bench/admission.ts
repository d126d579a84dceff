// Admission benchmark: drives /validate over HTTPS with concurrent clients on a mix of
// Pod and Deployment reviews (Pod Security per namespace, checks by id, image and resource rules,
// ValidatingAdmissionPolicies with params; no image scanning), beside the same load against a
// minimal Node HTTPS server that only parses the review and answers an allow. Each server runs in
// its own child process so the load generator does not share its event loop. Latency at 200 req/s
// comes from an open-loop paced client (autocannon's rate limit sends each second's requests in a
// burst); peak throughput from autocannon with 50 connections.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEngine } from "../src/admission/handler.js";
import { startAdmissionServer } from "../src/admission/server.js";
import { generateTls } from "../src/admission/tls.js";

const CONFIG = resolve(process.cwd(), "test/admission/fixtures/config.yaml");
const RATE = 200;
const SECONDS = 20;
const ROUNDS = 10;

type Obj = Record<string, unknown>;

function review(uid: string, object: Obj, namespace: string): Obj {
  const apiVersion = String(object.apiVersion);
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const kind = String(object.kind);
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group, version, kind },
      resource: { group, version, resource: `${kind.toLowerCase()}s` },
      name: (object.metadata as Obj).name,
      namespace,
      operation: "CREATE",
      userInfo: { username: "ci@example.com", groups: ["system:authenticated"] },
      object,
      oldObject: null,
      dryRun: false,
    },
  };
}

const hardened = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};
const container = (name: string, image: string, sc?: Obj): Obj => ({
  name,
  image,
  resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  ...(sc ? { securityContext: sc } : {}),
  env: [{ name: "LOG_LEVEL", value: "info" }],
  ports: [{ containerPort: 8080 }],
});
const podOf = (name: string, ns: string, containers: Obj[]): Obj => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns, labels: { app: name, team: "shop" } },
  spec: { containers, serviceAccountName: "default" },
});
const deploymentOf = (name: string, ns: string, replicas: number, containers: Obj[]): Obj => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns, labels: { app: name, team: "shop" } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers } },
  },
});

/** The request mix: mostly Pods (as ReplicaSets create them), some Deployments; allowed and denied. */
export function mix(): string[] {
  const digest = `@sha256:${"4b7c".repeat(16)}`;
  const bodies = [
    review(
      "p1",
      podOf("web-1", "team-a", [container("app", `ghcr.io/acme/web:1.2${digest}`, hardened)]),
      "team-a",
    ),
    review(
      "p2",
      podOf("web-2", "default", [
        container("app", "ghcr.io/acme/web:1.2"),
        container("sidecar", "ghcr.io/acme/proxy:3"),
      ]),
      "default",
    ),
    review(
      "p3",
      podOf("api-1", "team-b", [container("api", `ghcr.io/acme/api:4${digest}`, hardened)]),
      "team-b",
    ),
    review("p4", podOf("bad-1", "team-a", [container("app", "nginx", { privileged: true })]), "team-a"),
    review(
      "p5",
      podOf("web-3", "team-a", [container("app", `ghcr.io/acme/web:1.2${digest}`, hardened)]),
      "team-a",
    ),
    review("p6", podOf("job-1", "team-b", [container("job", "docker.io/library/busybox:1.36")]), "team-b"),
    review(
      "d1",
      deploymentOf("web", "team-b", 2, [container("app", `ghcr.io/acme/web:1.2${digest}`, hardened)]),
      "team-b",
    ),
    review(
      "d2",
      deploymentOf("big", "team-b", 6, [container("app", `ghcr.io/acme/web:1.2${digest}`, hardened)]),
      "team-b",
    ),
  ];
  return bodies.map((b) => JSON.stringify(b));
}

// ------------------------------------------------------------------ child: serve
async function serveChild(which: string, certFile: string, keyFile: string): Promise<void> {
  let port: number;
  if (which === "kubeward") {
    const engine = await loadEngine(CONFIG);
    const s = await startAdmissionServer({
      engine,
      certFile,
      keyFile,
      port: 0,
      host: "127.0.0.1",
      log: () => {},
    });
    port = s.port;
  } else {
    const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const r = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          apiVersion: string;
          request: { uid: string };
        };
        const body = JSON.stringify({
          apiVersion: r.apiVersion,
          kind: "AdmissionReview",
          response: { uid: r.request.uid, allowed: true },
        });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  }
  process.send?.({ port });
}

if (process.argv[2] === "--kw-admission-serve") {
  void serveChild(process.argv[3]!, process.argv[4]!, process.argv[5]!);
}

// ------------------------------------------------------------------ parent: load
interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function cannon(
  port: number,
  bodies: string[],
  opts: { rate?: number; connections: number; seconds: number },
): Promise<CannonResult> {
  const autocannon = (
    (await import("autocannon" as string)) as { default: (o: Obj) => Promise<CannonResult> }
  ).default;
  return autocannon({
    url: `https://127.0.0.1:${port}`,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    requests: bodies.map((body) => ({
      method: "POST",
      path: "/validate",
      headers: { "content-type": "application/json" },
      body,
    })),
  });
}

/**
 * An open-loop load at a fixed rate: one request every 1000/rate ms (not bursts), each timed from
 * its scheduled start so a slow server cannot hide its queueing. Returns latencies in ms.
 */
async function paced(
  port: number,
  bodies: string[],
  rate: number,
  seconds: number,
  agent: Agent,
): Promise<{ latencies: number[]; failures: number }> {
  const total = rate * seconds;
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let failures = 0;
  const inflight: Array<Promise<void>> = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const body = bodies[i % bodies.length]!;
    inflight.push(
      new Promise<void>((done) => {
        const req = request(
          {
            host: "127.0.0.1",
            port,
            path: "/validate",
            method: "POST",
            agent,
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on("end", () => {
              if (res.statusCode === 200) latencies.push(performance.now() - due);
              else failures++;
              done();
            });
          },
        );
        req.on("error", () => {
          failures++;
          done();
        });
        req.end(body);
      }),
    );
  }
  await Promise.all(inflight);
  return { latencies: latencies.sort((a, b) => a - b), failures };
}

type Histogram = ReadonlyArray<readonly [number, number]>;

/** The /validate latency histogram of the kubeward server, as [upper bound in s, cumulative count]. */
async function serverHistogram(port: number): Promise<Histogram> {
  const text = await new Promise<string>((res, rej) => {
    request({ host: "127.0.0.1", port, path: "/metrics", rejectUnauthorized: false }, (r) => {
      let t = "";
      r.on("data", (d: Buffer) => {
        t += d.toString();
      });
      r.on("end", () => res(t));
    })
      .on("error", rej)
      .end();
  });
  const buckets = [
    ...text.matchAll(/request_duration_seconds_bucket\{endpoint="validate",le="([^"]+)"\} (\d+)/g),
  ].map((m) => [m[1] === "+Inf" ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2])] as const);
  return buckets;
}

/** p99 (as a bucket's upper bound, ms) of the requests between two histogram readings. */
function p99Between(before: Histogram, after: Histogram): number {
  const delta = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as const);
  const total = delta.at(-1)?.[1] ?? 0;
  return (delta.find(([, n]) => n >= 0.99 * total)?.[0] ?? Number.NaN) * 1000;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const v = sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return Math.round(v * 100) / 100;
}

async function startChild(
  which: string,
  certFile: string,
  keyFile: string,
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), ["--kw-admission-serve", which, certFile, keyFile], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const port = await new Promise<number>((res, rej) => {
    child.once("message", (m) => res((m as { port: number }).port));
    child.once("exit", (c) => rej(new Error(`${which} server exited ${c}`)));
  });
  return { child, port };
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), "kw-bench-adm-"));
  const tls = generateTls(["localhost"]);
  const certFile = join(dir, "tls.crt");
  const keyFile = join(dir, "tls.key");
  writeFileSync(certFile, tls.cert);
  writeFileSync(keyFile, tls.key);
  const bodies = mix();
  const out: Record<string, number | string> = {
    "request mix": `${bodies.length} reviews (6 Pods, 2 Deployments)`,
  };
  const children: Array<{ child: ChildProcess; port: number }> = [];
  try {
    const echoServer = await startChild("echo", certFile, keyFile);
    children.push(echoServer);
    const kubewardServer = await startChild("kubeward", certFile, keyFile);
    children.push(kubewardServer);
    const targets = { echo: echoServer, kubeward: kubewardServer };
    for (const t of Object.values(targets)) await cannon(t.port, bodies, { connections: 10, seconds: 2 }); // warm-up
    // Alternate short paced rounds so both servers see the same background load on a shared machine.
    const agents = {
      echo: new Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: false }),
      kubeward: new Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: false }),
    };
    const lat: Record<string, number[]> = { echo: [], kubeward: [] };
    const histBefore = await serverHistogram(kubewardServer.port);
    const fail: Record<string, number> = { echo: 0, kubeward: 0 };
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, t] of Object.entries(targets)) {
        const r = await paced(t.port, bodies, RATE, SECONDS / ROUNDS, agents[name as keyof typeof agents]);
        lat[name]!.push(...r.latencies);
        fail[name]! += r.failures;
      }
    for (const a of Object.values(agents)) a.destroy();
    // The server's own view of its latency (the Prometheus histogram): time from the last body byte
    // to the answer, without the network and the client's scheduling.
    out[`kubeward server-side p99 ms @${RATE} req/s (histogram bucket bound)`] = p99Between(
      histBefore,
      await serverHistogram(kubewardServer.port),
    );
    for (const [name, t] of Object.entries(targets)) {
      const sorted = lat[name]!.sort((a, b) => a - b);
      out[`${name} p50 ms @${RATE} req/s`] = pct(sorted, 50);
      out[`${name} p99 ms @${RATE} req/s`] = pct(sorted, 99);
      out[`${name} failures @${RATE}`] = fail[name]!;
      const max = await cannon(t.port, bodies, { connections: 50, seconds: 5 });
      out[`${name} max throughput req/s (autocannon, 50 conns)`] = Math.round(max.requests.average);
      out[`${name} p99 ms at max throughput`] = max.latency.p99;
    }
    const kw = out[`kubeward p99 ms @${RATE} req/s`] as number;
    const echo = out[`echo p99 ms @${RATE} req/s`] as number;
    out["load average (1 min) after the runs"] = Math.round(loadavg()[0]! * 10) / 10;
    out["kubeward/echo p99 ratio"] = Math.round((kw / Math.max(echo, 0.001)) * 100) / 100;
    out["target p99 < 10 ms @200 req/s"] = kw < 10 ? "met" : "missed";
    out["target p99 <= 1.5x echo"] = kw <= 1.5 * echo ? "met" : "missed";
  } finally {
    for (const c of children) c.child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
