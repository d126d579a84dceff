import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join, resolve } from "node:path";
import { connect } from "node:tls";
import { type RunningServer, type ServerOptions, startAdmissionServer } from "../../src/admission/server.js";
import { generateTls, type TlsMaterial } from "../../src/admission/tls.js";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const BIN = resolve(ROOT, "bin", "kubeward");

/** Builds dist/ when the admission layer is missing or older than its sources (type errors elsewhere do not stop tsc emitting). */
export function ensureAdmissionBuilt(): void {
  const out = resolve(ROOT, "dist", "admission", "cli.js");
  const layers = resolve(ROOT, "dist", "cli", "layers.js");
  const newest = newestMtime(resolve(ROOT, "src", "admission"));
  if (existsSync(out) && existsSync(layers) && statSync(out).mtimeMs >= newest) return;
  spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, encoding: "utf8" });
  if (!existsSync(out)) throw new Error("build failed: dist/admission/cli.js was not produced");
}

function newestMtime(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = resolve(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return max;
}

export function kubeward(
  args: string[],
  input?: string,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface TestServer {
  srv: RunningServer;
  /** The served certificate's CA (for `post`) and key material. */
  tls: TlsMaterial;
  certFile: string;
  keyFile: string;
}

/**
 * An admission server on 127.0.0.1 at a free port, silent unless `log` is given, serving a new
 * certificate for localhost written into `dir` as NAME.crt and NAME.key.
 */
export async function serveAdmission(
  dir: string,
  options: Omit<ServerOptions, "certFile" | "keyFile">,
  name = "tls",
): Promise<TestServer> {
  const tls = generateTls(["localhost"]);
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(certFile, tls.cert);
  writeFileSync(keyFile, tls.key);
  const srv = await startAdmissionServer({
    port: 0,
    host: "127.0.0.1",
    log: () => {},
    ...options,
    certFile,
    keyFile,
  });
  return { srv, tls, certFile, keyFile };
}

export interface HttpAnswer {
  status: number;
  body: string;
  json(): Record<string, unknown>;
}

export function post(
  port: number,
  ca: string,
  path: string,
  body: string | Buffer,
  method = "POST",
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return new Promise((resolveP, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        servername: "localhost",
        port,
        path,
        method,
        ca,
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolveP({
            status: res.statusCode ?? 0,
            body: text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    req.on("error", reject);
    if (method !== "GET") req.end(body);
    else req.end();
  });
}

/** The SHA-256 fingerprint of the certificate a fresh TLS connection sees. */
export function peerFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolveP, reject) => {
    const s = connect({ host: "127.0.0.1", port, servername: "localhost", ca }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolveP(fp);
    });
    s.on("error", reject);
  });
}
