import { createWriteStream } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import tls from "node:tls";

export class DownloadError extends Error {
  constructor(
    readonly code: "download-http" | "download-network" | "download-too-large",
    message: string,
  ) {
    super(message);
  }
}

export interface DownloadOptions {
  /** Environment with HTTP_PROXY / HTTPS_PROXY / NO_PROXY (either case). */
  env?: NodeJS.ProcessEnv;
  onBytes?: (received: number, total: number | undefined) => void;
  timeoutMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
}

/** The proxy URL for a target, following the curl/wget conventions for *_PROXY and NO_PROXY. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const get = (k: string) => env[k] ?? env[k.toLowerCase()];
  const noProxy = (get("NO_PROXY") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const host = target.hostname.toLowerCase();
  if (
    noProxy.some(
      (n) => n === "*" || host === n.replace(/^\./, "") || host.endsWith(n.startsWith(".") ? n : `.${n}`),
    )
  )
    return undefined;
  const p =
    target.protocol === "https:"
      ? (get("HTTPS_PROXY") ?? get("ALL_PROXY"))
      : (get("HTTP_PROXY") ?? get("ALL_PROXY"));
  if (!p) return undefined;
  try {
    return new URL(p.includes("://") ? p : `http://${p}`);
  } catch {
    return undefined;
  }
}

function proxyAuth(proxy: URL): Record<string, string> {
  return proxy.username
    ? {
        "Proxy-Authorization": `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}`,
      }
    : {};
}

/** Opens a TLS socket to target through an HTTP CONNECT tunnel. */
function tunnel(proxy: URL, target: URL, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const port = target.port || "443";
    const req = http.request({
      host: proxy.hostname,
      port: proxy.port || 80,
      method: "CONNECT",
      path: `${target.hostname}:${port}`,
      headers: { Host: `${target.hostname}:${port}`, ...proxyAuth(proxy) },
      timeout: timeoutMs,
    });
    req.on("connect", (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          new DownloadError(
            "download-network",
            `proxy ${proxy.host} refused CONNECT to ${target.host}: HTTP ${res.statusCode}`,
          ),
        );
        return;
      }
      resolve(tls.connect({ socket, servername: target.hostname }));
    });
    req.on("error", (e) =>
      reject(new DownloadError("download-network", `proxy ${proxy.host}: ${e.message}`)),
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.end();
  });
}

/** Downloads url to dest (streamed to disk), following redirects and honouring proxy settings. */
export async function download(url: string, dest: string, opts: DownloadOptions = {}): Promise<number> {
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let current = new URL(url);
  for (let hop = 0; hop <= (opts.maxRedirects ?? 5); hop++) {
    const proxy = proxyFor(current, env);
    const isHttps = current.protocol === "https:";
    const reqOpts: https.RequestOptions = {
      method: "GET",
      timeout: timeoutMs,
      headers: { "User-Agent": "kubeward", Accept: "*/*" },
    };
    let mod: typeof http | typeof https = isHttps ? https : http;
    let target: string | URL = current;
    if (proxy && !isHttps) {
      // Plain HTTP through a proxy: send the absolute URL to the proxy.
      Object.assign(reqOpts, {
        host: proxy.hostname,
        port: proxy.port || 80,
        path: current.href,
        headers: { ...reqOpts.headers, Host: current.host, ...proxyAuth(proxy) },
      });
      target = "";
      mod = http;
    } else if (proxy && isHttps) {
      const socket = await tunnel(proxy, current, timeoutMs);
      Object.assign(reqOpts, { createConnection: () => socket });
    }
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = target === "" ? mod.request(reqOpts) : mod.request(target, reqOpts);
      req.on("response", resolve);
      req.on("error", (e) => reject(new DownloadError("download-network", `${current.href}: ${e.message}`)));
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.end();
    });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      current = new URL(res.headers.location, current);
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new DownloadError("download-http", `${current.href}: HTTP ${status}`);
    }
    const total = res.headers["content-length"] ? Number(res.headers["content-length"]) : undefined;
    return await new Promise<number>((resolve, reject) => {
      const out = createWriteStream(dest);
      let received = 0;
      res.on("data", (b: Buffer) => {
        received += b.length;
        if (opts.maxBytes && received > opts.maxBytes) {
          res.destroy(
            new DownloadError("download-too-large", `${current.href}: larger than ${opts.maxBytes} bytes`),
          );
          return;
        }
        opts.onBytes?.(received, total);
      });
      res.on("aborted", () =>
        reject(
          new DownloadError("download-network", `${current.href}: connection closed after ${received} bytes`),
        ),
      );
      res.on("error", (e) =>
        reject(
          e instanceof DownloadError
            ? e
            : new DownloadError("download-network", `${current.href}: ${e.message}`),
        ),
      );
      res.pipe(out);
      out.on("finish", () => {
        if (total !== undefined && received !== total)
          reject(new DownloadError("download-network", `${current.href}: got ${received} of ${total} bytes`));
        else resolve(received);
      });
      out.on("error", reject);
    });
  }
  throw new DownloadError("download-network", `${url}: too many redirects`);
}
