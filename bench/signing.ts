// Signing figures: key decryption (cosign's scrypt cost), signature and DSSE verification rates,
// and sign / verify / cached-verdict latency against a real local registry when docker-registry exists.
import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDockerRef } from "../src/images/ref.js";
import { signEnvelope, verifyEnvelope } from "../src/signing/dsse.js";
import {
  createCosignVerifier,
  generateEcdsaKey,
  loadPrivateKey,
  publicKeyPem,
  signImage,
  writeKeyPair,
} from "../src/signing/index.js";
import { signBytes, verifyBytes } from "../src/signing/keys.js";
import { simpleSigningPayload } from "../src/signing/payload.js";
import { OCI_MANIFEST, Repo, sha256Digest } from "../src/signing/registry-push.js";
import { verifyImageSignatures } from "../src/signing/verify.js";

function rate(n: number, fn: () => void): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return Math.round((n * 1000) / (performance.now() - t));
}

async function ms(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return Math.round((performance.now() - t) * 10) / 10;
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => res(port));
    });
  });
}

export async function run(): Promise<Record<string, number | string>> {
  const key = generateEcdsaKey();
  const pub = createPublicKey(key);
  const files = await writeKeyPair(key, "bench");
  const out: Record<string, number | string> = {};
  out["decrypt cosign key (scrypt N=32768) ms"] = await ms(() =>
    loadPrivateKey(files.privatePem, "bench", "k"),
  );
  const payload = simpleSigningPayload("registry.example/a/b", `sha256:${"ab".repeat(32)}`);
  const sig = signBytes(key, payload);
  out["ECDSA P-256 sign payload /s"] = rate(2000, () => signBytes(key, payload));
  out["ECDSA P-256 verify payload /s"] = rate(2000, () => verifyBytes(pub, payload, sig));
  const env = signEnvelope("application/vnd.in-toto+json", Buffer.alloc(64 * 1024, 97), key);
  out["DSSE verify 64 KiB statement /s"] = rate(1000, () => verifyEnvelope(env, pub));

  const script = resolve(process.cwd(), "../shared/tools/start-registry.sh");
  if (!existsSync(script) || !existsSync("/usr/bin/docker-registry")) {
    out.registry = "skipped (no docker-registry)";
    return out;
  }
  const port = await freePort();
  const pid = Number(
    execFileSync("bash", [script, mkdtempSync(join(tmpdir(), "kw-bench-reg-")), String(port)], {
      encoding: "utf8",
    }).trim(),
  );
  try {
    const host = `127.0.0.1:${port}`;
    const repo = new Repo(parseDockerRef(`${host}/bench/app`));
    const layer = await repo.pushBlob(Buffer.from("bench layer"), "application/vnd.oci.image.layer.v1.tar");
    const config = await repo.pushBlob(Buffer.from("{}"), "application/vnd.oci.image.config.v1+json");
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }),
    );
    await repo.putManifest("1", manifest, OCI_MANIFEST);
    const image = `${host}/bench/app:1`;
    out["sign (resolve, push blobs + manifest) ms"] = await ms(() => signImage(image, { key }));
    for (let i = 0; i < 8; i++) await signImage(image, { key: generateEcdsaKey() });
    // Median of several runs: one loopback round trip is short enough for scheduling noise to show.
    const runs: number[] = [];
    for (let i = 0; i < 21; i++)
      runs.push(await ms(() => verifyImageSignatures(image, { keys: [{ key: pub, name: "k" }] })));
    out["verify, 10 signatures on the image, ms (median of 21)"] = runs.sort((a, b) => a - b)[10]!;
    const v = createCosignVerifier();
    const byDigest = `${host}/bench/app@${sha256Digest(manifest)}`;
    const policy = { keys: [publicKeyPem(key)] };
    out["verifier first verdict ms"] = await ms(() => v.verify(byDigest, policy));
    const n = 2000;
    const t = performance.now();
    for (let i = 0; i < n; i++) await v.verify(byDigest, policy);
    out["verifier cached verdict (by digest) us"] = Math.round(((performance.now() - t) * 1000) / n);
  } finally {
    process.kill(pid);
  }
  return out;
}
