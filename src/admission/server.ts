// The HTTPS admission server: /validate, /mutate, /healthz, /readyz, /metrics. Transport only: every
// review goes through handleReview, like the offline command. Certificate and key files are reloaded
// when they change; bad requests get a 4xx Status answer; slow or oversized bodies are cut off.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { AdmissionEngine } from "./engine.js";
import { badRequestPayload, type Endpoint, handleReview } from "./handler.js";
import { AdmissionMetrics } from "./metrics.js";
import { parseGoDuration } from "./timebox.js";
import { checkTlsPair, readTlsFile } from "./tls.js";

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ServerOptions {
  engine: AdmissionEngine;
  certFile: string;
  keyFile: string;
  port?: number;
  host?: string;
  maxBodyBytes?: number;
  /** Time a client has to send its whole body (default 10 s). */
  bodyTimeoutMs?: number;
  /** Time a client has to send its headers (default 10 s). */
  headersTimeoutMs?: number;
  /** How often the certificate files are checked for changes (default 5 s). */
  reloadIntervalMs?: number;
  log?: (line: string) => void;
}

export interface RunningServer {
  server: Server;
  port: number;
  metrics: AdmissionMetrics;
  /** Checks the certificate files now and reloads them if they changed. */
  reloadTls(): Promise<boolean>;
  /** Stops at once, cutting open connections. */
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): /readyz answers 503 for `delayMs` while reviews are still served, then
   * the listener closes and in-flight reviews get up to `graceMs` to finish.
   */
  drain(delayMs: number, graceMs: number): Promise<void>;
}

/** Reads and checks the certificate and key; an AdmissionError names the file at fault. */
function readTls(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const cert = readTlsFile(certFile, "certificate");
  const key = readTlsFile(keyFile, "key");
  checkTlsPair(certFile, cert, keyFile, key);
  return { cert, key };
}

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent) return;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
    "content-length": Buffer.byteLength(text),
    ...(close ? { connection: "close" } : {}),
  });
  res.end(text);
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf("?");
  return q < 0 ? [url, ""] : [url.slice(0, q), url.slice(q + 1)];
}

/**
 * The API server calls a webhook with `?timeout=5s` (its timeoutSeconds) and gives up after that.
 * The deadline, on Date.now's clock, counts from the request's arrival like upstream's request
 * context; a timeout that is not a Go duration is ignored, as upstream ignores it.
 */
export function requestDeadline(query: string, now = Date.now()): number | undefined {
  if (query === "") return undefined;
  const timeout = new URLSearchParams(query).get("timeout");
  if (!timeout) return undefined;
  const ms = parseGoDuration(timeout);
  return ms === undefined ? undefined : now + ms;
}

export async function startAdmissionServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const bodyTimeout = opts.bodyTimeoutMs ?? 10_000;
  const metrics = new AdmissionMetrics();
  let tls = readTls(opts.certFile, opts.keyFile);
  let draining = false;

  const refuse = (res: ServerResponse, status: number, code: string, message: string, close = false) => {
    metrics.recordBadRequest(code);
    send(res, status, badRequestPayload(code, message, status), close);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const [url, query] = splitUrl(req.url ?? "/");
    if (url === "/healthz") return send(res, 200, "ok");
    if (url === "/readyz") return draining ? send(res, 503, "draining") : send(res, 200, "ok");
    if (url === "/metrics") return send(res, 200, metrics.render());
    if (url !== "/validate" && url !== "/mutate")
      return refuse(res, 404, "not-found", `no endpoint ${url} (use /validate or /mutate)`);
    if (req.method !== "POST")
      return refuse(res, 405, "method", `${req.method} ${url}: use POST with an AdmissionReview body`);
    const endpoint = url.slice(1) as Endpoint;
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > maxBody) {
      refuse(
        res,
        413,
        "body-too-large",
        `request body of ${declared} bytes is over the ${maxBody}-byte limit`,
        true,
      );
      res.once("finish", () => req.destroy());
      return;
    }
    const started = process.hrtime.bigint();
    const deadline = requestDeadline(query);
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      refuse(res, 408, "body-timeout", `request body not received within ${bodyTimeout / 1000}s`, true);
      res.once("finish", () => req.destroy());
    }, bodyTimeout);
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > maxBody) {
        done = true;
        clearTimeout(timer);
        refuse(res, 413, "body-too-large", `request body is over the ${maxBody}-byte limit`, true);
        res.once("finish", () => req.destroy());
        return;
      }
      chunks.push(c);
    });
    req.on("error", () => {
      done = true;
      clearTimeout(timer);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const body = Buffer.concat(chunks);
      handleReview(opts.engine, endpoint, body, undefined, deadline === undefined ? {} : { deadline })
        .then((h) => {
          if (h.errorCode) metrics.recordBadRequest(h.errorCode);
          else {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            metrics.recordRequest(endpoint, h.decision, seconds, h.dryRun);
            metrics.recordPolicyErrors(h.policyErrors.length);
            if (h.request) metrics.recordPodSecurity(h.request, h.podSecurity);
          }
          send(res, h.httpStatus, h.payload);
        })
        .catch((err: unknown) => {
          metrics.recordPolicyErrors(1);
          log(`kubeward admission: internal error: ${(err as Error).stack ?? String(err)}`);
          send(res, 500, badRequestPayload("internal", `internal error: ${(err as Error).message}`, 500));
        });
    });
  };

  const server = createServer({ cert: tls.cert, key: tls.key, minVersion: "TLSv1.2" }, onRequest);
  server.headersTimeout = opts.headersTimeoutMs ?? 10_000;
  server.requestTimeout = Math.max(bodyTimeout + 5_000, server.headersTimeout + 1_000);
  server.keepAliveTimeout = 30_000;
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  server.on("tlsClientError", () => {
    // a client that fails the handshake only affects itself
  });

  // A broken pair is said once, not at every check, until the files change again.
  let lastRefusal: string | undefined;
  const refuseTls = (message: string) => {
    if (message !== lastRefusal)
      log(`kubeward admission: ${message}; keeping the current certificate and key`);
    lastRefusal = message;
    return false;
  };
  const reloadTls = async (): Promise<boolean> => {
    let next: ReturnType<typeof readTls>;
    try {
      next = readTls(opts.certFile, opts.keyFile);
    } catch (err) {
      return refuseTls((err as Error).message);
    }
    lastRefusal = undefined;
    if (next.cert.equals(tls.cert) && next.key.equals(tls.key)) return false;
    try {
      server.setSecureContext({ cert: next.cert, key: next.key });
    } catch (err) {
      return refuseTls(
        `TLS certificate ${opts.certFile} and key ${opts.keyFile} refused: ${(err as Error).message}`,
      );
    }
    tls = next;
    log("kubeward admission: reloaded TLS certificate and key");
    return true;
  };
  const interval = setInterval(() => void reloadTls(), opts.reloadIntervalMs ?? 5_000);
  interval.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 8443, opts.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    metrics,
    reloadTls,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(interval);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    async drain(delayMs: number, graceMs: number): Promise<void> {
      // Fail readiness first so the Service stops sending new reviews, keep answering meanwhile,
      // then stop accepting, let in-flight reviews finish, and only then cut what is left.
      draining = true;
      await new Promise((r) => setTimeout(r, delayMs));
      clearInterval(interval);
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
