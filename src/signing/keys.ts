// Cosign key files. The private key is PKCS#8 DER sealed the way go-securesystemslib's `encrypted`
// package does it: a JSON document {kdf: scrypt N/r/p + salt, cipher: nacl/secretbox + nonce,
// ciphertext}, base64 in a PEM block "ENCRYPTED SIGSTORE PRIVATE KEY" (older cosign wrote
// "ENCRYPTED COSIGN PRIVATE KEY"; both are read). Public keys are PKIX "PUBLIC KEY" PEM.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  scrypt as scryptCb,
  X509Certificate,
} from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import nacl from "tweetnacl";
import { SigningError } from "./errors.js";
import { type PasswordSource, passwordFrom } from "./password.js";

export const SIGSTORE_KEY_PEM = "ENCRYPTED SIGSTORE PRIVATE KEY";
export const COSIGN_KEY_PEM = "ENCRYPTED COSIGN PRIVATE KEY";
const ENCRYPTED_TYPES = [SIGSTORE_KEY_PEM, COSIGN_KEY_PEM];

/** go-securesystemslib's defaults, which cosign uses. */
export const DEFAULT_SCRYPT = { N: 32768, r: 8, p: 1 } as const;
const MAX_SCRYPT_N = 1 << 20;

export interface PemBlock {
  type: string;
  der: Buffer;
}

/** Splits a text into PEM blocks (RFC 7468); text outside blocks is ignored, as Go's pem.Decode does. */
export function decodePem(text: string, what: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const body = m[2]!;
    if (/^[\w-]+:/m.test(body))
      throw new SigningError("bad-key", `PEM block ${m[1]} has headers (unsupported)`, what);
    const b64 = body.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
      throw new SigningError("bad-key", `PEM block ${m[1]} is not base64`, what);
    out.push({ type: m[1]!, der: Buffer.from(b64, "base64") });
  }
  return out;
}

export function encodePem(type: string, der: Buffer): string {
  const b64 = der.toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join("\n")}\n-----END ${type}-----\n`;
}

interface EncryptedKeyDoc {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

function scrypt(password: Buffer, salt: Buffer, p: { N: number; r: number; p: number }): Promise<Buffer> {
  const maxmem = 128 * p.N * p.r * p.p + (64 << 20);
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, 32, { N: p.N, r: p.r, p: p.p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

function b64field(v: unknown, field: string, what: string): Buffer {
  if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
    throw new SigningError("bad-encrypted-key", `${field} is not base64`, what);
  return Buffer.from(v, "base64");
}

/** Seals DER bytes with a password (scrypt + NaCl secretbox) into the JSON document cosign stores. */
export async function encryptKeyBytes(
  plain: Buffer,
  password: string,
  opts: { N?: number; r?: number; p?: number; salt?: Buffer; nonce?: Buffer } = {},
): Promise<Buffer> {
  const params = {
    N: opts.N ?? DEFAULT_SCRYPT.N,
    r: opts.r ?? DEFAULT_SCRYPT.r,
    p: opts.p ?? DEFAULT_SCRYPT.p,
  };
  const salt = opts.salt ?? randomBytes(32);
  const nonce = opts.nonce ?? randomBytes(nacl.secretbox.nonceLength);
  const key = await scrypt(Buffer.from(password, "utf8"), salt, params);
  const sealed = nacl.secretbox(new Uint8Array(plain), new Uint8Array(nonce), new Uint8Array(key));
  // Field order as Go's encoding/json writes the securesystemslib structs.
  const doc: EncryptedKeyDoc = {
    kdf: { name: "scrypt", params, salt: salt.toString("base64") },
    cipher: { name: "nacl/secretbox", nonce: nonce.toString("base64") },
    ciphertext: Buffer.from(sealed).toString("base64"),
  };
  return Buffer.from(JSON.stringify(doc));
}

/** Opens the JSON document; a wrong password and a tampered file both fail the secretbox MAC. */
export async function decryptKeyBytes(docBytes: Buffer, password: string, what: string): Promise<Buffer> {
  let doc: EncryptedKeyDoc;
  try {
    doc = JSON.parse(docBytes.toString("utf8")) as EncryptedKeyDoc;
  } catch {
    throw new SigningError("bad-encrypted-key", "the encrypted key is not JSON", what);
  }
  if (doc?.kdf?.name !== "scrypt")
    throw new SigningError("bad-encrypted-key", `unsupported kdf "${String(doc?.kdf?.name)}"`, what);
  if (doc.cipher?.name !== "nacl/secretbox")
    throw new SigningError("bad-encrypted-key", `unsupported cipher "${String(doc.cipher?.name)}"`, what);
  const { N, r, p } = doc.kdf.params ?? ({} as EncryptedKeyDoc["kdf"]["params"]);
  for (const [k, v] of Object.entries({ N, r, p }))
    if (!Number.isInteger(v) || (v as number) < 1)
      throw new SigningError("bad-encrypted-key", `scrypt parameter ${k} is not a positive integer`, what);
  if (N < 2 || (N & (N - 1)) !== 0 || N > MAX_SCRYPT_N || r * p >= 1 << 30 || r > 64 || p > 64)
    throw new SigningError(
      "bad-encrypted-key",
      `scrypt parameters N=${N} r=${r} p=${p} are out of range`,
      what,
    );
  const salt = b64field(doc.kdf.salt, "kdf.salt", what);
  const nonce = b64field(doc.cipher.nonce, "cipher.nonce", what);
  const sealed = b64field(doc.ciphertext, "ciphertext", what);
  if (nonce.length !== nacl.secretbox.nonceLength)
    throw new SigningError("bad-encrypted-key", `nonce is ${nonce.length} bytes, expected 24`, what);
  const key = await scrypt(Buffer.from(password, "utf8"), salt, { N, r, p });
  const opened = nacl.secretbox.open(new Uint8Array(sealed), new Uint8Array(nonce), new Uint8Array(key));
  if (!opened)
    throw new SigningError("wrong-password", "decryption failed (wrong password or corrupted key)", what);
  return Buffer.from(opened);
}

/** Key kinds and sizes cosign accepts (sigstore cryptoutils.ValidatePubKey). */
export function checkKeyAllowed(key: KeyObject, what: string): void {
  const type = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails ?? {};
  if (type === "ec") {
    const curve = d.namedCurve;
    if (curve === "secp224r1")
      throw new SigningError("unsupported-key", "ECDSA curve P-224 not allowed", what);
    if (!["prime256v1", "secp384r1", "secp521r1"].includes(curve ?? ""))
      throw new SigningError("unsupported-key", `ECDSA curve ${curve} is not supported`, what);
  } else if (type === "rsa") {
    const bits = d.modulusLength ?? 0;
    if (bits < 2048 || bits > 4096)
      throw new SigningError("unsupported-key", `RSA key size not supported: ${bits}`, what);
  } else if (type !== "ed25519") {
    throw new SigningError("unsupported-key", `unsupported key type ${type}`, what);
  }
}

function privateFromDer(der: Buffer, type: "pkcs8" | "pkcs1" | "sec1", what: string): KeyObject {
  try {
    return createPrivateKey({ key: der, format: "der", type });
  } catch (err) {
    const hint = type === "pkcs8" ? "not a PKCS#8 private key" : `not a ${type.toUpperCase()} private key`;
    throw new SigningError("bad-key", `${hint} (${(err as Error).message})`, what);
  }
}

/**
 * Loads a private key for signing: cosign's encrypted formats (password required) or an unencrypted
 * PKCS#8 "PRIVATE KEY" block. As cosign does, the decrypted bytes must be PKCS#8.
 */
export async function loadPrivateKey(
  pem: string,
  password: string | undefined,
  what: string,
): Promise<KeyObject> {
  const blocks = decodePem(pem, what);
  if (blocks.length === 0) throw new SigningError("bad-key", "no PEM block found", what);
  const b = blocks[0]!;
  let key: KeyObject;
  if (ENCRYPTED_TYPES.includes(b.type)) {
    if (password === undefined)
      throw new SigningError("no-password", "the key is encrypted and no password was given", what);
    const plain = await decryptKeyBytes(b.der, password, what);
    key = privateFromDer(plain, "pkcs8", what);
  } else if (b.type === "PRIVATE KEY") {
    key = privateFromDer(b.der, "pkcs8", what);
  } else {
    throw new SigningError("bad-key", `unsupported PEM block "${b.type}" for a signing key`, what);
  }
  checkKeyAllowed(key, what);
  return key;
}

/**
 * Reads a signing key file; an encrypted key's password comes from `password` (default: COSIGN_PASSWORD
 * or a terminal prompt), asked only when the key is encrypted.
 */
export async function loadPrivateKeyFile(path: string, password?: PasswordSource): Promise<KeyObject> {
  if (!existsSync(path)) throw new SigningError("file-not-found", "no such file", `key ${path}`);
  const pem = readFileSync(path, "utf8");
  const encrypted = /-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----/.test(pem);
  return loadPrivateKey(pem, encrypted ? await (password ?? passwordFrom())("decrypt") : undefined, path);
}

/** cosign import-key-pair: reads PKCS#1 RSA, SEC1 EC or PKCS#8 keys (checked like cosign) for re-encryption. */
export function importPrivateKey(pem: string, what: string): KeyObject {
  const blocks = decodePem(pem, what);
  if (blocks.length === 0) throw new SigningError("bad-key", "invalid pem block", what);
  const b = blocks[0]!;
  const kind =
    b.type === "RSA PRIVATE KEY"
      ? "pkcs1"
      : b.type === "EC PRIVATE KEY"
        ? "sec1"
        : b.type === "PRIVATE KEY"
          ? "pkcs8"
          : undefined;
  if (!kind) throw new SigningError("unsupported-key", `unsupported private key PEM block "${b.type}"`, what);
  const key = privateFromDer(b.der, kind, what);
  checkKeyAllowed(key, what);
  return key;
}

export interface KeyPairFiles {
  privatePem: string;
  publicPem: string;
}

/** `cosign generate-key-pair`: a fresh ECDSA P-256 key. */
export function generateEcdsaKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
}

export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return encodePem("PUBLIC KEY", pub.export({ format: "der", type: "spki" }));
}

/** The key files: the private key encrypted (or plain PKCS#8 when `password` is null) and the public key. */
export async function writeKeyPair(
  key: KeyObject,
  password: string | null,
  opts: { N?: number } = {},
): Promise<KeyPairFiles> {
  const der = key.export({ format: "der", type: "pkcs8" });
  const privatePem =
    password === null
      ? encodePem("PRIVATE KEY", der)
      : encodePem(SIGSTORE_KEY_PEM, await encryptKeyBytes(der, password, opts.N ? { N: opts.N } : {}));
  return { privatePem, publicPem: publicKeyPem(key) };
}

/** Loads a verification key: a PKIX public key, or the key of an X.509 certificate. */
export function loadPublicKey(pem: string, what: string): KeyObject {
  const blocks = decodePem(pem, what);
  const b = blocks[0];
  if (!b) throw new SigningError("bad-key", "no PEM block found (expected PUBLIC KEY or CERTIFICATE)", what);
  let key: KeyObject;
  try {
    if (b.type === "PUBLIC KEY") key = createPublicKey({ key: b.der, format: "der", type: "spki" });
    else if (b.type === "CERTIFICATE") key = new X509Certificate(b.der).publicKey;
    else throw new SigningError("bad-key", `unsupported PEM block "${b.type}" for a public key`, what);
  } catch (err) {
    if (err instanceof SigningError) throw err;
    throw new SigningError("bad-key", `cannot parse ${b.type}: ${(err as Error).message}`, what);
  }
  checkKeyAllowed(key, what);
  return key;
}

/**
 * Digests by key kind. cosign up to 2.4 signed with SHA-256 for every ECDSA curve; newer cosign
 * (sigstore's default algorithm registry) uses SHA-384 for P-384 and SHA-512 for P-521. kubeward
 * signs with the curve's default and accepts either when verifying. RSA is PKCS#1 v1.5 with
 * SHA-256; Ed25519 signs the message itself.
 */
function hashesFor(key: KeyObject): Array<string | null> {
  if (key.asymmetricKeyType === "ed25519") return [null];
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === "secp384r1") return ["sha384", "sha256"];
  if (curve === "secp521r1") return ["sha512", "sha256"];
  return ["sha256"];
}

export function signBytes(key: KeyObject, data: Buffer): Buffer {
  return cryptoSign(hashesFor(key)[0]!, data, key);
}

export function verifyBytes(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  return hashesFor(key).some((alg) => {
    try {
      return cryptoVerify(alg, data, key, signature);
    } catch {
      return false;
    }
  });
}

/** A short stable id of a public key for messages: sha256 of its SPKI DER, first 16 hex digits. */
export function keyId(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const der = pub.export({ format: "der", type: "spki" });
  return createHashHex(der).slice(0, 16);
}

function createHashHex(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}
