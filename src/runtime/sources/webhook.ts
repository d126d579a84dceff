/**
 * `--source k8saudit-webhook:PORT`: an HTTPS endpoint for the API server's audit webhook backend, which
 * POSTs audit.k8s.io/v1 (or v1beta1) EventList bodies. TLS from a cert/key pair, an optional bearer
 * token, a request size limit. Replies 200 when the body was taken, 400 malformed, 401 bad token,
 * 405 wrong method, 413 too large; events that do not fit the queue are dropped and counted.
 */

import { timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { RuntimeError } from "../errors.js";
import type { Pipeline } from "../pipeline.js";
import { decodeAuditValue } from "./k8saudit-parse.js";
import type { EventSource } from "./types.js";

export interface WebhookOptions {
  port: number;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** serve plain HTTP (tests, or behind a TLS-terminating proxy); must be asked for explicitly */
  insecureHttp?: boolean;
  token?: string;
  maxBytes?: number;
  path?: string;
  log?: (s: string) => void;
}

export function webhookSource(o: WebhookOptions): EventSource {
  if (!o.insecureHttp && (!o.tlsCert || !o.tlsKey)) {
    throw new RuntimeError(
      "webhook-config",
      "k8saudit-webhook needs --tls-cert and --tls-key (or --insecure-http)",
    );
  }
  let server: Server | undefined;
  let listening: Promise<void> | undefined;
  let finish: (() => void) | undefined;
  const maxBytes = o.maxBytes ?? 10 * 1024 * 1024;
  const path = o.path ?? "/k8s-audit";
  const token = o.token ? Buffer.from(`Bearer ${o.token}`) : undefined;

  const handler = (p: Pipeline) => (req: IncomingMessage, res: ServerResponse) => {
    const reply = (code: number, msg: string) => {
      res.writeHead(code, { "content-type": "text/plain" });
      res.end(`${msg}\n`);
    };
    const url = (req.url ?? "/").split("?")[0];
    if (url !== path) return reply(404, `not found; POST audit events to ${path}`);
    if (req.method !== "POST") return reply(405, "method not allowed; use POST");
    if (token) {
      const got = Buffer.from(req.headers.authorization ?? "");
      if (got.length !== token.length || !timingSafeEqual(got, token)) return reply(401, "unauthorized");
    }
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > maxBytes) {
      p.malformed(
        `webhook: request of ${declared} bytes over the ${maxBytes}-byte limit`,
        1,
        "request-too-large",
      );
      req.resume();
      return reply(413, `request larger than ${maxBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBytes && !aborted) {
        aborted = true;
        p.malformed(`webhook: request over the ${maxBytes}-byte limit`, 1, "request-too-large");
        reply(413, `request larger than ${maxBytes} bytes`);
        req.destroy();
        return;
      }
      if (!aborted) chunks.push(c);
    });
    req.on("end", () => {
      if (aborted) return;
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        p.malformed(`webhook: malformed JSON: ${(e as Error).message}`, 1, "malformed-json");
        return reply(400, "malformed JSON");
      }
      const d = decodeAuditValue(body, text);
      if (d.skipped) for (const r of d.skipped) p.malformed(`webhook: ${r.message}`, 1, r.kind);
      // a body that is not audit data is refused; events skipped one by one were still taken
      const refused = d.skipped?.find((r) => r.kind === "not-audit-event");
      if (refused) return reply(400, refused.message);
      for (const e of d.events) p.offer({ source: "k8s_audit", evt: e, tsNs: e.tsNs });
      reply(200, "ok");
    });
  };

  return {
    name: `k8saudit-webhook:${o.port}`,
    run(p: Pipeline): Promise<void> {
      const h = handler(p);
      server = o.insecureHttp
        ? createHttpServer(h)
        : createHttpsServer({ cert: readFileSync(o.tlsCert!), key: readFileSync(o.tlsKey!) }, h);
      const srv = server;
      listening = new Promise<void>((resolve, reject) => {
        srv.once("error", reject);
        srv.listen(o.port, o.host ?? "0.0.0.0", () => {
          o.log?.(
            `k8saudit-webhook listening on ${o.insecureHttp ? "http" : "https"}://${o.host ?? "0.0.0.0"}:${(srv.address() as AddressInfo).port}${path}`,
          );
          resolve();
        });
      });
      return listening.then(() => new Promise<void>((r) => (finish = r)));
    },
    async ready() {
      await listening;
    },
    port: () => (server?.address() as AddressInfo | null)?.port,
    async stop() {
      const srv = server;
      if (srv) {
        const closed = new Promise<void>((r) => srv.close(() => r()));
        srv.closeIdleConnections();
        await closed;
      }
      finish?.();
    },
  };
}
