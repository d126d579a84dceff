import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  decodePem,
  decryptKeyBytes,
  encryptKeyBytes,
  generateEcdsaKey,
  importPrivateKey,
  loadPrivateKey,
  loadPublicKey,
  signBytes,
  verifyBytes,
  writeKeyPair,
} from "../../src/signing/keys.js";
import { simpleSigningPayload } from "../../src/signing/payload.js";
import { codeOf, VECTORS } from "./helpers.js";

const vec = (f: string) => readFileSync(join(VECTORS, f), "utf8");

describe("cosign encrypted keys: upstream vectors (sigstore/cosign pkg/cosign/keys_test.go)", () => {
  it("loads ENCRYPTED SIGSTORE PRIVATE KEY and ENCRYPTED COSIGN PRIVATE KEY with the password", async () => {
    for (const f of ["pemsigstorekey.key", "pemcosignkey.key"]) {
      const key = await loadPrivateKey(vec(f), "hello", f);
      expect(key.asymmetricKeyType).toBe("ec");
      expect(key.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
      const msg = Buffer.from("kubeward");
      expect(verifyBytes(createPublicKey(key), msg, signBytes(key, msg))).toBe(true);
    }
  });

  it("fails with the wrong password (wrong-password) and without one (no-password)", async () => {
    expect(await codeOf(loadPrivateKey(vec("pemsigstorekey.key"), "wrong", "k"))).toBe("wrong-password");
    expect(await codeOf(loadPrivateKey(vec("pemsigstorekey.key"), undefined, "k"))).toBe("no-password");
  });

  it("decrypts pemcosigneckey to the exact DER of validecp256, and refuses it as not PKCS#8 like cosign", async () => {
    const block = decodePem(vec("pemcosigneckey.key"), "k")[0]!;
    expect(JSON.parse(block.der.toString()).kdf.params).toEqual({ N: 65536, r: 8, p: 1 });
    const plain = await decryptKeyBytes(block.der, "hello", "k");
    expect(plain.equals(decodePem(vec("validecp256.key"), "v")[0]!.der)).toBe(true);
    expect(await codeOf(loadPrivateKey(vec("pemcosigneckey.key"), "hello", "k"))).toBe("bad-key");
  });

  it("imports keys as cosign import-key-pair does, with its accept/reject cases", async () => {
    for (const f of ["validecp256.key", "validecpkcs8.key", "ed25519.key"]) {
      const key = importPrivateKey(vec(f), f);
      const files = await writeKeyPair(key, "pw", { N: 1024 });
      const back = await loadPrivateKey(files.privatePem, "pw", f);
      expect(
        back.export({ format: "der", type: "pkcs8" }).equals(key.export({ format: "der", type: "pkcs8" })),
      ).toBe(true);
    }
    expect(await codeOf(() => importPrivateKey(vec("invalidecp224.key"), "k"))).toBe("unsupported-key");
    expect(() => importPrivateKey(vec("invalidecp224.key"), "k")).toThrow(/ECDSA curve P-224 not allowed/);
    expect(await codeOf(() => importPrivateKey(vec("invalidecunsupported.key"), "k"))).toBe(
      "unsupported-key",
    );
    expect(() => importPrivateKey(vec("invalidrsasmallkey.key"), "k")).toThrow(
      /key size not supported: 1024/,
    );
    expect(
      await codeOf(() =>
        importPrivateKey(
          "-----BEGIN PGP PRIVATE KEY BLOCK-----\nAAAA\n-----END PGP PRIVATE KEY BLOCK-----\n",
          "k",
        ),
      ),
    ).toBe("unsupported-key");
    expect(await codeOf(() => importPrivateKey("not a pem", "k"))).toBe("bad-key");
  });
});

describe("key files round-trip through the encrypted format", () => {
  it("writes ENCRYPTED SIGSTORE PRIVATE KEY with cosign's scrypt parameters and reads it back", async () => {
    const key = generateEcdsaKey();
    const files = await writeKeyPair(key, "s3cret");
    expect(files.privatePem).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    expect(files.privatePem.split("\n").every((l) => l.length <= 64)).toBe(true);
    const doc = JSON.parse(decodePem(files.privatePem, "k")[0]!.der.toString());
    expect(Object.keys(doc)).toEqual(["kdf", "cipher", "ciphertext"]);
    expect(doc.kdf).toMatchObject({ name: "scrypt", params: { N: 32768, r: 8, p: 1 } });
    expect(Buffer.from(doc.kdf.salt, "base64")).toHaveLength(32);
    expect(doc.cipher.name).toBe("nacl/secretbox");
    expect(Buffer.from(doc.cipher.nonce, "base64")).toHaveLength(24);
    const back = await loadPrivateKey(files.privatePem, "s3cret", "k");
    const pub = loadPublicKey(files.publicPem, "pub");
    const msg = Buffer.from("payload");
    expect(verifyBytes(pub, msg, signBytes(back, msg))).toBe(true);
    expect(files.publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it("writes unencrypted PKCS#8 on request, readable by OpenSSL", async () => {
    const key = generateEcdsaKey();
    const files = await writeKeyPair(key, null);
    expect(files.privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const dir = mkdtempSync(join(tmpdir(), "kw-keys-"));
    writeFileSync(join(dir, "k.pem"), files.privatePem);
    const pub = execFileSync("openssl", ["pkey", "-in", join(dir, "k.pem"), "-pubout"], { encoding: "utf8" });
    expect(pub).toBe(files.publicPem);
    expect((await loadPrivateKey(files.privatePem, undefined, "k")).asymmetricKeyType).toBe("ec");
  });

  it("detects any change to the sealed key (MAC), and rejects hostile parameters", async () => {
    const sealed = await encryptKeyBytes(Buffer.from("secret"), "pw", { N: 1024 });
    const doc = JSON.parse(sealed.toString());
    const ct = Buffer.from(doc.ciphertext, "base64");
    ct[ct.length - 1]! ^= 1;
    const bad = Buffer.from(JSON.stringify({ ...doc, ciphertext: ct.toString("base64") }));
    expect(await codeOf(decryptKeyBytes(bad, "pw", "k"))).toBe("wrong-password");
    const cases: Array<[string, unknown]> = [
      ["not json", "{"],
      ["kdf", { ...doc, kdf: { ...doc.kdf, name: "pbkdf2" } }],
      ["cipher", { ...doc, cipher: { ...doc.cipher, name: "aes" } }],
      ["N not power of 2", { ...doc, kdf: { ...doc.kdf, params: { N: 1000, r: 8, p: 1 } } }],
      ["N huge", { ...doc, kdf: { ...doc.kdf, params: { N: 2 ** 30, r: 8, p: 1 } } }],
      ["nonce", { ...doc, cipher: { ...doc.cipher, nonce: "AAAA" } }],
      ["salt", { ...doc, kdf: { ...doc.kdf, salt: "%%%" } }],
    ];
    for (const [name, d] of cases) {
      const bytes = Buffer.from(typeof d === "string" ? d : JSON.stringify(d));
      expect(await codeOf(decryptKeyBytes(bytes, "pw", name)), name).toBe("bad-encrypted-key");
    }
    expect(await decryptKeyBytes(sealed, "pw", "k")).toEqual(Buffer.from("secret"));
  });

  it("rejects bad public keys and signing keys with codes", async () => {
    expect(await codeOf(() => loadPublicKey("nothing here", "x.pub"))).toBe("bad-key");
    expect(
      await codeOf(() =>
        loadPublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "x.pub"),
      ),
    ).toBe("bad-key");
    expect(
      await codeOf(
        loadPrivateKey("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "pw", "x"),
      ),
    ).toBe("bad-key");
  });
});

describe("signature interoperability with OpenSSL (independent implementation)", () => {
  const dir = mkdtempSync(join(tmpdir(), "kw-ossl-"));
  const payload = simpleSigningPayload("registry.example/team/app", `sha256:${"ab".repeat(32)}`);

  it("verifies a signature OpenSSL made over the payload with a cosign key", async () => {
    const key = await loadPrivateKey(vec("pemsigstorekey.key"), "hello", "k");
    writeFileSync(join(dir, "key.pem"), key.export({ format: "pem", type: "pkcs8" }));
    writeFileSync(join(dir, "payload.json"), payload);
    execFileSync("openssl", [
      "dgst",
      "-sha256",
      "-sign",
      join(dir, "key.pem"),
      "-out",
      join(dir, "sig"),
      join(dir, "payload.json"),
    ]);
    const sig = readFileSync(join(dir, "sig"));
    expect(verifyBytes(createPublicKey(key), payload, sig)).toBe(true);
    expect(verifyBytes(createPublicKey(key), Buffer.concat([payload, Buffer.from(" ")]), sig)).toBe(false);
  });

  it("makes signatures OpenSSL verifies", async () => {
    const key = createPrivateKey(readFileSync(join(VECTORS, "validecpkcs8.key")));
    writeFileSync(join(dir, "pub.pem"), createPublicKey(key).export({ format: "pem", type: "spki" }));
    writeFileSync(join(dir, "p2.json"), payload);
    writeFileSync(join(dir, "sig2"), signBytes(key, payload));
    const out = execFileSync(
      "openssl",
      [
        "dgst",
        "-sha256",
        "-verify",
        join(dir, "pub.pem"),
        "-signature",
        join(dir, "sig2"),
        join(dir, "p2.json"),
      ],
      {
        encoding: "utf8",
      },
    );
    expect(out.trim()).toBe("Verified OK");
  });
});

describe("digests per curve (old and new cosign)", () => {
  it("signs P-384 with SHA-384 and accepts SHA-256 signatures too (OpenSSL as the other side)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-p384-"));
    execFileSync("openssl", [
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-384",
      "-out",
      join(dir, "k.pem"),
    ]);
    const key = importPrivateKey(readFileSync(join(dir, "k.pem"), "utf8"), "k.pem");
    const pub = createPublicKey(key);
    writeFileSync(join(dir, "pub.pem"), pub.export({ format: "pem", type: "spki" }));
    const msg = Buffer.from("payload");
    writeFileSync(join(dir, "msg"), msg);
    writeFileSync(join(dir, "ours.sig"), signBytes(key, msg));
    const out = execFileSync(
      "openssl",
      [
        "dgst",
        "-sha384",
        "-verify",
        join(dir, "pub.pem"),
        "-signature",
        join(dir, "ours.sig"),
        join(dir, "msg"),
      ],
      { encoding: "utf8" },
    );
    expect(out.trim()).toBe("Verified OK");
    for (const alg of ["-sha256", "-sha384"]) {
      execFileSync("openssl", [
        "dgst",
        alg,
        "-sign",
        join(dir, "k.pem"),
        "-out",
        join(dir, "theirs.sig"),
        join(dir, "msg"),
      ]);
      expect(verifyBytes(pub, msg, readFileSync(join(dir, "theirs.sig"))), alg).toBe(true);
    }
    execFileSync("openssl", [
      "dgst",
      "-sha512",
      "-sign",
      join(dir, "k.pem"),
      "-out",
      join(dir, "other.sig"),
      join(dir, "msg"),
    ]);
    expect(verifyBytes(pub, msg, readFileSync(join(dir, "other.sig")))).toBe(false);
  });
});
