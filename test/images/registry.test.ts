import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImageError } from "../../src/images/errors.js";
import { inventoryImage } from "../../src/images/inventory.js";
import { isLoopback, parseChallenge, RegistryClient } from "../../src/images/registry/client.js";
import { findCredentials } from "../../src/images/registry/credentials.js";
import { buildImage, DEBIAN_OS_RELEASE, dpkgStatus, sha } from "./helpers/image-builder.js";
import {
  pushBlob,
  pushImage,
  putManifest,
  type RunningRegistry,
  startRegistry,
  startTokenRegistry,
} from "./helpers/registry.js";

const tmp = () => mkdtempSync(join(tmpdir(), "kw-reg-"));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof ImageError ? e.code : `not ImageError: ${String(e)}`),
  );
}

const image = (name: string, arch = "amd64") =>
  buildImage({
    layers: [
      [
        { name: "etc/os-release", data: DEBIAN_OS_RELEASE },
        {
          name: "var/lib/dpkg/status",
          data: dpkgStatus([{ name, version: "1.0-1", source: "src-pkg (1.0-0)" }]),
        },
      ],
    ],
    architecture: arch,
    config: { User: "1000" },
  });

describe("anonymous registry", () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry(tmp());
  });
  afterAll(() => reg?.stop());

  it("pulls a pushed image by tag and by digest", async () => {
    const img = await image("hello");
    await pushImage(reg.host, "kw/app", "1.0", img);
    const inv = await inventoryImage(`docker://${reg.host}/kw/app:1.0`);
    expect(inv.packages.map((p) => [p.name, p.sourceName, p.sourceVersion])).toEqual([
      ["hello", "src-pkg", "1.0-0"],
    ]);
    expect(inv.image.digest).toBe(img.manifestDigest);
    expect(inv.image.user).toBe("1000");
    expect(inv.packages[0]!.layerDigest).toBe(img.layers[0]!.digest);
    const byDigest = await inventoryImage(`${reg.host}/kw/app@${img.manifestDigest}`);
    expect(byDigest.packages.map((p) => p.name)).toEqual(["hello"]);
  });

  it("picks linux/amd64 from a multi-platform index, or the --platform asked for", async () => {
    const amd = await image("on-amd64");
    const arm = await image("on-arm64", "arm64");
    const client = new RegistryClient(reg.host);
    for (const img of [amd, arm])
      await pushImage(reg.host, "kw/multi", `single-${img.configDigest.slice(7, 15)}`, img);
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: arm.manifestDigest,
            size: arm.manifest.length,
            platform: { os: "linux", architecture: "arm64" },
          },
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: amd.manifestDigest,
            size: amd.manifest.length,
            platform: { os: "linux", architecture: "amd64" },
          },
        ],
      }),
    );
    await putManifest(client, "kw/multi", "latest", index, "application/vnd.oci.image.index.v1+json");
    const inv = await inventoryImage(`${reg.host}/kw/multi`);
    expect(inv.packages.map((p) => p.name)).toEqual(["on-amd64"]);
    expect(inv.image.indexDigest).toBe(sha(index));
    const armInv = await inventoryImage(`${reg.host}/kw/multi:latest`, { platform: "linux/arm64" });
    expect(armInv.packages.map((p) => p.name)).toEqual(["on-arm64"]);
    expect(await codeOf(inventoryImage(`${reg.host}/kw/multi`, { platform: "windows/amd64" }))).toBe(
      "no-matching-platform",
    );
  });

  it("reports a missing tag or repository as not-found", async () => {
    expect(await codeOf(inventoryImage(`${reg.host}/kw/app:nope`))).toBe("not-found");
    expect(await codeOf(inventoryImage(`${reg.host}/kw/none:1`))).toBe("not-found");
  });

  it("retries transient 503s from the registry (through a flaky proxy) and gives up after the attempts", async () => {
    const img = await image("flaky");
    await pushImage(reg.host, "kw/flaky", "1", img);
    let failuresLeft = 0;
    let requests = 0;
    const [rhost, rport] = reg.host.split(":");
    const proxy = createServer((req, res) => {
      requests++;
      if (req.url !== "/v2/" && failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end("busy");
        return;
      }
      const up = httpRequest(
        { host: rhost, port: Number(rport), path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    const host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      failuresLeft = 3;
      const inv = await inventoryImage(`${host}/kw/flaky:1`, { registry: { sleep: async () => {} } });
      expect(inv.packages.map((p) => p.name)).toEqual(["flaky"]);
      expect(failuresLeft).toBe(0);
      failuresLeft = 100;
      requests = 0;
      expect(
        await codeOf(
          inventoryImage(`${host}/kw/flaky:1`, { registry: { sleep: async () => {}, attempts: 3 } }),
        ),
      ).toBe("registry-error");
      expect(requests).toBeLessThanOrEqual(5);
    } finally {
      proxy.close();
    }
  });
});

describe("layer stream cut mid-way", () => {
  let reg: RunningRegistry;
  beforeAll(async () => {
    reg = await startRegistry(tmp());
  });
  afterAll(() => reg?.stop());

  it("walks the layer again when the blob download breaks, and fails after the attempts", async () => {
    const big = await buildImage({
      layers: [
        [
          { name: "var/lib/dpkg/status", data: dpkgStatus([{ name: "cut", version: "1" }]) },
          { name: "filler", data: randomBytes(400_000) },
        ],
      ],
    });
    await pushImage(reg.host, "kw/cut", "1", big);
    const layerPath = `/v2/kw/cut/blobs/${big.layers[0]!.digest}`;
    let cutsLeft = 0;
    let blobRequests = 0;
    const [rhost, rport] = reg.host.split(":");
    const proxy = createServer((req, res) => {
      const cut = req.url === layerPath && cutsLeft > 0;
      if (req.url === layerPath) blobRequests++;
      if (cut) cutsLeft--;
      const up = httpRequest(
        { host: rhost, port: Number(rport), path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          if (!cut) {
            r.pipe(res);
            return;
          }
          // Headers and the first bytes go out; the connection dies a moment later, mid-body.
          let sent = 0;
          r.on("data", (c: Buffer) => {
            if (sent > 50_000) return;
            sent += c.length;
            res.write(c);
            if (sent > 50_000) setTimeout(() => res.socket?.destroy(), 100);
          });
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
    const host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      cutsLeft = 1;
      const inv = await inventoryImage(`${host}/kw/cut:1`, { registry: { sleep: async () => {} } });
      expect(inv.packages.map((p) => p.name)).toEqual(["cut"]);
      expect(blobRequests).toBe(2);
      expect(inv.errors).toEqual([]);
      cutsLeft = 100;
      blobRequests = 0;
      const code = await codeOf(
        inventoryImage(`${host}/kw/cut:1`, { registry: { sleep: async () => {}, attempts: 2 } }),
      );
      expect(["network", "tar-invalid", "decompress-failed"]).toContain(code);
      // A cut shows either while headers are read (retried by the request) or mid-body (the layer is walked again).
      expect(blobRequests).toBeGreaterThanOrEqual(2);
      expect(blobRequests).toBeLessThanOrEqual(8);
    } finally {
      proxy.close();
    }
  });
});

describe("registry with htpasswd basic auth", () => {
  let reg: RunningRegistry;
  const user = "kwuser";
  const password = "s3cret-pass";
  beforeAll(async () => {
    reg = await startRegistry(tmp(), { user, password });
    await pushImage(reg.host, "kw/private", "1", await image("private-pkg"), { username: user, password });
  });
  afterAll(() => reg?.stop());

  const noConfig = () => {
    const d = tmp();
    return d;
  };

  it("refuses without credentials and with wrong ones (registry-auth)", async () => {
    expect(
      await codeOf(inventoryImage(`${reg.host}/kw/private:1`, { registry: { dockerConfigDir: noConfig() } })),
    ).toBe("registry-auth");
    expect(
      await codeOf(
        inventoryImage(`${reg.host}/kw/private:1`, { registry: { username: user, password: "wrong" } }),
      ),
    ).toBe("registry-auth");
  });

  it("pulls with --username/--password", async () => {
    const inv = await inventoryImage(`${reg.host}/kw/private:1`, { registry: { username: user, password } });
    expect(inv.packages.map((p) => p.name)).toEqual(["private-pkg"]);
  });

  it("pulls with auths from docker config.json", async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        auths: { [`http://${reg.host}`]: { auth: Buffer.from(`${user}:${password}`).toString("base64") } },
      }),
    );
    const inv = await inventoryImage(`${reg.host}/kw/private:1`, { registry: { dockerConfigDir: dir } });
    expect(inv.packages.map((p) => p.name)).toEqual(["private-pkg"]);
  });

  it("pulls with a credential helper (credHelpers, then credsStore) speaking the docker-credential protocol", async () => {
    const bin = tmp();
    const helper = join(bin, "docker-credential-kwtest");
    writeFileSync(
      helper,
      `#!/bin/sh\nread server\necho "$server" >> "${bin}/asked"\nprintf '{"ServerURL":"%s","Username":"${user}","Secret":"${password}"}' "$server"\n`,
    );
    chmodSync(helper, 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      for (const cfg of [{ credHelpers: { [reg.host]: "kwtest" } }, { credsStore: "kwtest" }]) {
        const dir = tmp();
        writeFileSync(join(dir, "config.json"), JSON.stringify(cfg));
        const inv = await inventoryImage(`${reg.host}/kw/private:1`, { registry: { dockerConfigDir: dir } });
        expect(inv.packages.map((p) => p.name)).toEqual(["private-pkg"]);
      }
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe("registry with token auth", () => {
  let reg: RunningRegistry & { tokenRequests: string[] };
  const user = "tokuser";
  const password = "tok-pass";
  beforeAll(async () => {
    reg = await startTokenRegistry(tmp(), user, password);
  });
  afterAll(() => reg?.stop());

  it("follows the Bearer challenge to the token server for push and pull", async () => {
    const img = await image("token-pkg");
    await pushImage(reg.host, "kw/tok", "1", img, { username: user, password });
    expect(reg.tokenRequests).toContain("repository:kw/tok:pull,push");
    const inv = await inventoryImage(`${reg.host}/kw/tok:1`, { registry: { username: user, password } });
    expect(inv.packages.map((p) => p.name)).toEqual(["token-pkg"]);
    expect(reg.tokenRequests).toContain("repository:kw/tok:pull");
  });

  it("fails with registry-auth when the token server refuses", async () => {
    expect(
      await codeOf(
        inventoryImage(`${reg.host}/kw/tok:1`, { registry: { username: user, password: "nope" } }),
      ),
    ).toBe("registry-auth");
  });

  it("a blob pushed by one client is readable with the token of another", async () => {
    const client = new RegistryClient(reg.host, { username: user, password });
    await pushBlob(client, "kw/tok2", Buffer.from("hello"));
    const res = await new RegistryClient(reg.host, { username: user, password }).request(
      "kw/tok2",
      `/blobs/${sha(Buffer.from("hello"))}`,
    );
    expect(await res.text()).toBe("hello");
  });
});

describe("registry client rules", () => {
  it("parses WWW-Authenticate challenges", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      ),
    ).toEqual({
      scheme: "bearer",
      params: {
        realm: "https://auth.example/token",
        service: "registry.example",
        scope: "repository:a/b:pull",
      },
    });
    expect(parseChallenge('Basic realm="kubeward-test"')).toEqual({
      scheme: "basic",
      params: { realm: "kubeward-test" },
    });
  });

  it("uses plain HTTP only for loopback hosts or --insecure", async () => {
    expect(["localhost:5000", "127.0.0.1:5000", "[::1]:5000", "127.1.2.3"].every(isLoopback)).toBe(true);
    expect(isLoopback("registry.example.com:5000")).toBe(false);
    const seen: string[] = [];
    const fetchFn = (async (url: string | URL) => {
      seen.push(String(url));
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    const strict = new RegistryClient("registry.example.com", { fetch: fetchFn, attempts: 1 });
    expect(await codeOf(strict.request("a/b", "/manifests/x"))).toBe("network");
    expect(seen.every((u) => u.startsWith("https://"))).toBe(true);
    seen.length = 0;
    const insecure = new RegistryClient("registry.example.com", {
      fetch: fetchFn,
      attempts: 1,
      insecure: true,
    });
    expect(await codeOf(insecure.request("a/b", "/manifests/x"))).toBe("network");
    expect(seen).toEqual([
      "https://registry.example.com/v2/",
      "http://registry.example.com/v2/a/b/manifests/x",
    ]);
  });

  it("refuses credential helper names that are paths", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "config.json"), JSON.stringify({ credsStore: "../../tmp/evil" }));
    expect(await codeOf(findCredentials("quay.io", { dockerConfigDir: dir }))).toBe("credential-helper");
  });

  it("finds Docker Hub credentials under the index.docker.io key", async () => {
    const dir = tmp();
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "config.json"),
      JSON.stringify({
        auths: { "https://index.docker.io/v1/": { auth: Buffer.from("u:p").toString("base64") } },
      }),
    );
    expect(await findCredentials("docker.io", { dockerConfigDir: dir })).toEqual({
      username: "u",
      password: "p",
    });
    expect(await findCredentials("quay.io", { dockerConfigDir: dir })).toBeUndefined();
    writeFileSync(join(dir, "config.json"), "{bad");
    expect(await codeOf(findCredentials("docker.io", { dockerConfigDir: dir }))).toBe("registry-auth");
  });
});
