// The serving certificate and key replaced on disk while the webhook runs (cert-manager rotating a
// Secret, a human error): a broken certificate, a broken key, a mismatched pair, a FIFO or an empty
// file keeps the server on its current pair and logs one clear line naming the file; a later valid
// pair is picked up. Real openssl-made certificates, a real HTTPS server on loopback, real FIFOs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEngine } from "../../src/admission/handler.js";
import { type RunningServer, startAdmissionServer } from "../../src/admission/server.js";
import { generateTls, type TlsMaterial } from "../../src/admission/tls.js";
import { peerFingerprint, serveAdmission } from "./helpers.js";
import { CONFIG } from "./suite.js";

let dir: string;
let certFile: string;
let keyFile: string;
let first: TlsMaterial;
let srv: RunningServer;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kw-adm-tls-"));
  ({
    srv,
    tls: first,
    certFile,
    keyFile,
  } = await serveAdmission(dir, {
    engine: await loadEngine(CONFIG),
    reloadIntervalMs: 3_600_000, // the test drives the checks
    log: (line) => logs.push(line),
  }));
}, 30_000);
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const replace = (path: string, content: string) => {
  rmSync(path, { force: true });
  writeFileSync(path, content);
};

describe("certificate reload with broken replacements", () => {
  it("keeps serving the old pair, logs once naming the file, then takes a valid new pair", async () => {
    const served = await peerFingerprint(srv.port, first.caCert);
    const second = generateTls(["localhost"]);
    const pem = first.cert.split("\n");
    const cases: Array<[string, () => void, RegExp]> = [
      [
        "a certificate that is not PEM",
        () => replace(certFile, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"),
        new RegExp(`TLS certificate ${certFile} is not a PEM certificate`),
      ],
      [
        "a certificate cut in half",
        () => replace(certFile, pem.slice(0, pem.length / 2).join("\n")),
        new RegExp(`TLS certificate ${certFile} is not a PEM certificate`),
      ],
      [
        "an empty key",
        () => {
          replace(certFile, first.cert);
          replace(keyFile, "");
        },
        new RegExp(`TLS key ${keyFile} is not a PEM private key`),
      ],
      [
        "a new certificate with the old key",
        () => {
          replace(certFile, second.cert);
          replace(keyFile, first.key);
        },
        new RegExp(`TLS certificate ${certFile} does not match key ${keyFile}`),
      ],
      [
        "a FIFO in place of the key",
        () => {
          rmSync(keyFile);
          execFileSync("mkfifo", [keyFile]);
        },
        new RegExp(`cannot read TLS key ${keyFile}: not a regular file`),
      ],
      ["a key file removed", () => rmSync(keyFile), new RegExp(`cannot read TLS key ${keyFile}: ENOENT`)],
    ];
    for (const [name, breakIt, message] of cases) {
      breakIt();
      logs.length = 0;
      const started = Date.now();
      expect(await srv.reloadTls(), name).toBe(false);
      expect(Date.now() - started, name).toBeLessThan(2_000);
      expect(logs, name).toHaveLength(1);
      expect(logs[0], name).toMatch(message);
      expect(logs[0], name).toMatch(/keeping the current certificate and key$/);
      // Checked again with nothing changed: not logged again.
      expect(await srv.reloadTls(), name).toBe(false);
      expect(logs, name).toHaveLength(1);
      expect(await peerFingerprint(srv.port, first.caCert), name).toBe(served);
    }
    replace(certFile, second.cert);
    replace(keyFile, second.key);
    logs.length = 0;
    expect(await srv.reloadTls()).toBe(true);
    expect(logs).toEqual(["kubeward admission: reloaded TLS certificate and key"]);
    expect(await peerFingerprint(srv.port, second.caCert)).not.toBe(served);
  }, 30_000);

  it("a broken pair at start is refused naming the file", async () => {
    const badKey = join(dir, "bad.key");
    writeFileSync(badKey, generateTls(["localhost"]).key);
    const good = join(dir, "start.crt");
    writeFileSync(good, first.cert);
    await expect(
      startAdmissionServer({
        engine: await loadEngine(CONFIG),
        certFile: good,
        keyFile: badKey,
        port: 0,
        log: () => {},
      }),
    ).rejects.toMatchObject({
      code: "tls-invalid",
      message: `TLS certificate ${good} does not match key ${badKey}`,
    });
  });
});
