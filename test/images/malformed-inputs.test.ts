import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImageError } from "../../src/images/errors.js";
import { inventoryAny } from "../../src/images/index.js";
import { findCredentials, runCredentialHelper } from "../../src/images/registry/credentials.js";
import { linkLoops, mkfifo, writeUnder } from "../helpers/files.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-images-malformed-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const write = (rel: string, content: string | Buffer) => writeUnder(dir, rel, content);

async function failure(p: Promise<unknown>): Promise<ImageError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ImageError);
    return e as ImageError;
  }
  throw new Error("expected a failure");
}

describe("root filesystem with special files", () => {
  it("FIFOs where package files belong and link loops: no hang, the FIFOs are named, the rest inventoried", async () => {
    const root = join(dir, "rootfs");
    write("rootfs/etc/os-release", "ID=debian\nVERSION_ID=12\n");
    write(
      "rootfs/var/lib/dpkg/status",
      "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2\nArchitecture: amd64\n",
    );
    mkdirSync(join(root, "usr/lib/python3/dist-packages/foo-1.0.dist-info"), { recursive: true });
    mkfifo(join(root, "usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA"));
    mkdirSync(join(root, "lib/apk/db"), { recursive: true });
    mkfifo(join(root, "lib/apk/db/installed"));
    mkfifo(join(root, "tmp-notes")); // wanted by no cataloger: not worth an error
    linkLoops(join(root, "loops"));
    write("rootfs/app/node_modules/lodash/package.json", '{"name":"lodash","version":"4.17.20"}');
    const inv = await inventoryAny(`rootfs:${root}`);
    expect(inv.errors.map((e) => [e.file, e.code]).sort()).toEqual([
      ["lib/apk/db/installed", "not-regular-file"],
      ["usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA", "not-regular-file"],
    ]);
    expect(inv.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual([
      "bash@5.2.15-2",
      "lodash@4.17.20",
    ]);
    expect(inv.os).toMatchObject({ family: "debian", version: "12" });
  }, 20_000);
});

describe("docker config.json and credential helpers", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["truncated", '{"auths": {"h": {"auth": "dTpw', /invalid JSON/],
    ["null", "null", /not a JSON object/],
    ["a list", "[]", /not a JSON object/],
    ["auths entry null", '{"auths": {"quay.io": null}}', /auths\["quay.io"\] must be an object/],
    ["auth a number", '{"auths": {"quay.io": {"auth": 5}}}', /auths\["quay.io"\]\.auth must be a string/],
    ["credHelpers a string", '{"credHelpers": "x"}', /credHelpers must be an object/],
    ["helper a number", '{"credHelpers": {"quay.io": 7}}', /credHelpers\["quay.io"\] must be a string/],
    ["credsStore a list", '{"credsStore": ["x"]}', /credsStore must be a string/],
    [
      "auth not user:password",
      '{"auths": {"quay.io": {"auth": "bm9jb2xvbg=="}}}',
      /not base64 of user:password/,
    ],
  ];
  it.each(cases)("%s: registry-auth naming the file and the field", async (name, text, message) => {
    const cfgDir = join(dir, "docker", name.replace(/\W+/g, "-"));
    write(join("docker", name.replace(/\W+/g, "-"), "config.json"), text);
    const err = await failure(findCredentials("quay.io", { dockerConfigDir: cfgDir }));
    expect(err.code).toBe("registry-auth");
    expect(err.message).toContain(join(cfgDir, "config.json"));
    expect(err.message).toMatch(message);
  });

  it("a config.json that is a FIFO is refused at once", async () => {
    const cfgDir = join(dir, "docker-fifo");
    mkdirSync(cfgDir);
    mkfifo(join(cfgDir, "config.json"));
    const err = await failure(findCredentials("quay.io", { dockerConfigDir: cfgDir }));
    expect(err.message).toMatch(/config\.json: not a regular file/);
  });

  it("a helper printing null, a number as the secret, or megabytes of noise fails naming the helper", async () => {
    const bin = join(dir, "helpers");
    mkdirSync(bin);
    const helper = (name: string, script: string) => {
      writeFileSync(join(bin, `docker-credential-${name}`), `#!/bin/sh\nread server\n${script}\n`);
      chmodSync(join(bin, `docker-credential-${name}`), 0o755);
    };
    helper("kwnull", "echo null");
    helper("kwnumber", `echo '{"Username":"u","Secret":5}'`);
    helper("kwnoise", "head -c 3000000 /dev/zero | tr '\\\\0' x");
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath}`;
    try {
      for (const [name, message] of [
        ["kwnull", /docker-credential-kwnull printed invalid JSON \(not an object\)/],
        ["kwnumber", /docker-credential-kwnumber printed invalid JSON \(Secret is not a string\)/],
        ["kwnoise", /docker-credential-kwnoise: .*maxBuffer/],
      ] as const) {
        const err = await failure(runCredentialHelper(name, "quay.io"));
        expect(err.code, name).toBe("credential-helper");
        expect(err.message, name).toMatch(message);
      }
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe("a registry answering with hostile bodies", () => {
  let server: Server;
  let host: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? "";
      if (url === "/v2/") return res.writeHead(200).end("{}");
      if (url.startsWith("/v2/endless/manifests/")) {
        // No content-length and no end: only a reader that stops can survive it.
        res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
        const chunk = Buffer.alloc(1 << 16, 0x20);
        const pump = () => {
          while (res.write(chunk));
        };
        res.on("drain", pump);
        res.on("close", () => res.off("drain", pump));
        return pump();
      }
      if (url.startsWith("/v2/huge-error/manifests/")) {
        res.writeHead(400, { "content-type": "text/plain" });
        return res.end(Buffer.alloc(20 << 20, 0x61));
      }
      if (url.startsWith("/v2/bad-token/") || url.startsWith("/v2/bad-realm/")) {
        const realm = url.startsWith("/v2/bad-realm/") ? "::not a url::" : `http://${host}/token`;
        res.writeHead(401, { "www-authenticate": `Bearer realm="${realm}",service="kw"` });
        return res.end();
      }
      if (url.startsWith("/token")) {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end('{"token": "abc", "expires_in"');
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it("an endless manifest body is cut at the manifest limit (file-too-large), reading no further", async () => {
    const before = process.memoryUsage().rss;
    const err = await failure(inventoryAny(`${host}/endless:1`, { registry: { attempts: 1 } }));
    expect(err.code).toBe("file-too-large");
    expect(err.message).toContain(`${host}/endless:1`);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 << 20);
  }, 30_000);

  it("a 20 MB error body is not held: the error says the status, and the first bytes only", async () => {
    const err = await failure(inventoryAny(`${host}/huge-error:1`, { registry: { attempts: 1 } }));
    expect(err.code).toBe("registry-error");
    expect(err.message).toMatch(/HTTP 400/);
    expect(err.message.length).toBeLessThan(1000);
  }, 30_000);

  it("a token server answering broken JSON, and a realm that is not a URL, are registry-auth errors naming them", async () => {
    const token = await failure(inventoryAny(`${host}/bad-token:1`, { registry: { attempts: 1 } }));
    expect(token.code).toBe("registry-auth");
    expect(token.message).toMatch(new RegExp(`token server http://${host}/token.* answered invalid JSON`));
    const realm = await failure(inventoryAny(`${host}/bad-realm:1`, { registry: { attempts: 1 } }));
    expect(realm.code).toBe("registry-auth");
    expect(realm.message).toMatch(/token realm "::not a url::" is not a URL/);
  }, 30_000);
});
