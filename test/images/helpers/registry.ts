// Starts real distribution registries (Debian's docker-registry) on loopback ports, a small token
// server for the registry's token auth, and pushes images with the Registry HTTP API v2.
import { execFileSync, spawn } from "node:child_process";
import { createHash, createPrivateKey, randomUUID, sign } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as netServer } from "node:net";
import { join } from "node:path";
import { RegistryClient, type RegistryOptions } from "../../../src/images/registry/client.js";
import { SHARED } from "./debian-image.js";
import type { BuiltImage } from "./image-builder.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningRegistry {
  host: string;
  stop(): void;
}

async function waitUp(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/v2/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`registry on ${port} did not start`);
}

/** shared/tools/start-registry.sh: anonymous, or htpasswd basic auth. */
export async function startRegistry(
  dir: string,
  htpasswd?: { user: string; password: string },
): Promise<RunningRegistry> {
  const port = await freePort();
  const args = [join(SHARED, "tools", "start-registry.sh"), dir, String(port)];
  if (htpasswd) {
    const file = join(dir, "htpasswd");
    mkdirSync(dir, { recursive: true });
    execFileSync("htpasswd", ["-Bbc", file, htpasswd.user, htpasswd.password], { stdio: "ignore" });
    args.push(file);
  }
  const pid = Number(execFileSync("bash", args, { encoding: "utf8" }).trim());
  return { host: `127.0.0.1:${port}`, stop: () => process.kill(pid) };
}

/** A token server for the registry's `auth: token` mode: checks a user/password, signs RS256 JWTs (x5c). */
export async function startTokenRegistry(
  dir: string,
  user: string,
  password: string,
): Promise<RunningRegistry & { tokenRequests: string[] }> {
  mkdirSync(dir, { recursive: true });
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "2",
      "-subj",
      "/CN=kubeward-test-token-issuer",
    ],
    { stdio: "ignore" },
  );
  const key = createPrivateKey(readFileSync(join(dir, "key.pem")));
  const certDer = readFileSync(join(dir, "cert.pem"), "utf8").replace(/-----[^-]+-----|\s/g, "");
  const service = "kubeward-test-registry";
  const issuer = "kubeward-test-issuer";
  const tokenRequests: string[] = [];
  const b64u = (b: Buffer | string) => Buffer.from(b).toString("base64url");
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    tokenRequests.push(url.searchParams.get("scope") ?? "");
    const auth = req.headers.authorization ?? "";
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    if (auth !== expected) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"details":"bad credentials"}');
      return;
    }
    const access = (url.searchParams.getAll("scope") ?? []).map((s) => {
      const [type, name, actions] = s.split(":");
      return { type, name, actions: (actions ?? "").split(",") };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "RS256", x5c: [certDer] };
    const claims = {
      iss: issuer,
      sub: user,
      aud: url.searchParams.get("service"),
      exp: now + 600,
      nbf: now - 60,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
    const sig = sign("sha256", Buffer.from(signingInput), key);
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ token: `${signingInput}.${b64u(sig)}` }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const tokenPort = (server.address() as AddressInfo).port;
  const port = await freePort();
  const config = [
    "version: 0.1",
    "log: {level: warn}",
    `storage: {filesystem: {rootdirectory: ${dir}/data}, delete: {enabled: true}}`,
    `http: {addr: 127.0.0.1:${port}}`,
    `auth: {token: {realm: "http://127.0.0.1:${tokenPort}/token", service: ${service}, issuer: ${issuer}, rootcertbundle: ${dir}/cert.pem}}`,
  ].join("\n");
  writeFileSync(join(dir, "config.yml"), config);
  const child = spawn("docker-registry", ["serve", join(dir, "config.yml")], {
    stdio: "ignore",
    detached: true,
  });
  await waitUp(port);
  return {
    host: `127.0.0.1:${port}`,
    tokenRequests,
    stop: () => {
      child.kill();
      server.close();
    },
  };
}

/** Pushes an image with the Registry API v2: monolithic blob uploads (POST then PUT ?digest=) and a manifest PUT. */
export async function pushImage(
  host: string,
  repo: string,
  tag: string,
  img: BuiltImage,
  opts: RegistryOptions = {},
): Promise<void> {
  const client = new RegistryClient(host, opts);
  for (const blob of [img.config, ...img.layers.map((l) => l.blob)]) await pushBlob(client, repo, blob);
  await putManifest(client, repo, tag, img.manifest, "application/vnd.oci.image.manifest.v1+json");
}

export async function pushBlob(client: RegistryClient, repo: string, blob: Buffer): Promise<void> {
  const digest = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
  const start = await client.request(repo, "/blobs/uploads/", {
    method: "POST",
    actions: "pull,push",
    retry: false,
  });
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
  const loc = new URL(start.headers.get("location")!, `http://${client.host}`);
  loc.searchParams.set("digest", digest);
  const put = await client.request(repo, loc.href, {
    method: "PUT",
    body: blob,
    headers: { "content-type": "application/octet-stream" },
    actions: "pull,push",
    retry: false,
  });
  if (put.status !== 201) throw new Error(`blob put: ${put.status} ${await put.text()}`);
}

export async function putManifest(
  client: RegistryClient,
  repo: string,
  ref: string,
  body: Buffer,
  mediaType: string,
): Promise<void> {
  const res = await client.request(repo, `/manifests/${ref}`, {
    method: "PUT",
    body,
    headers: { "content-type": mediaType },
    actions: "pull,push",
    retry: false,
  });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
}
