// TLS material for the webhook: a CA and a serving certificate for the Service's DNS names, made
// with the openssl command line (node:crypto makes keys but not X.509 certificates).
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRegularFile } from "../core/files.js";
import { AdmissionError } from "./errors.js";

export interface TlsMaterial {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

/** The DNS names the API server uses to reach a Service. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.error || r.status !== 0)
    throw new AdmissionError(
      "usage",
      `openssl ${args[0]} failed: ${r.error?.message ?? r.stderr.trim()} (is the openssl command installed?)`,
    );
}

/** Runs `make` in a fresh directory that is removed afterwards (openssl works on files). */
function inTempDir<T>(make: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "kw-tls-"));
  try {
    return make(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh CA (ECDSA P-256) and a serving certificate it signs, valid for `days` days. */
export function generateTls(dnsNames: readonly string[], days = 365): TlsMaterial {
  const ca = inTempDir((dir) => {
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"], dir);
    openssl(
      [
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-sha256",
        "-days",
        String(days),
        "-subj",
        "/CN=kubeward-admission-ca",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        "ca.crt",
      ],
      dir,
    );
    return {
      caCert: readFileSync(join(dir, "ca.crt"), "utf8"),
      caKey: readFileSync(join(dir, "ca.key"), "utf8"),
    };
  });
  const serving = issueCertificate(
    ca,
    `/CN=${dnsNames[2] ?? dnsNames[0]}`,
    [
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(",")}`,
    ],
    days,
  );
  return { ...ca, ...serving };
}

/**
 * A new ECDSA P-256 key and a certificate for `subject` ("/O=group/CN=name") signed by the CA, with
 * the given X.509 v3 extension lines (openssl's extfile syntax), valid for `days` days.
 */
export function issueCertificate(
  ca: Pick<TlsMaterial, "caCert" | "caKey">,
  subject: string,
  extensions: readonly string[],
  days = 365,
): { cert: string; key: string } {
  return inTempDir((dir) => {
    writeFileSync(join(dir, "ca.crt"), ca.caCert);
    writeFileSync(join(dir, "ca.key"), ca.caKey, { mode: 0o600 });
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "tls.key"], dir);
    openssl(["req", "-new", "-key", "tls.key", "-subj", subject, "-out", "tls.csr"], dir);
    writeFileSync(join(dir, "ext.cnf"), ["basicConstraints=CA:FALSE", ...extensions, ""].join("\n"));
    openssl(
      [
        "x509",
        "-req",
        "-in",
        "tls.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        String(days),
        "-sha256",
        "-extfile",
        "ext.cnf",
        "-out",
        "tls.crt",
      ],
      dir,
    );
    return {
      cert: readFileSync(join(dir, "tls.crt"), "utf8"),
      key: readFileSync(join(dir, "tls.key"), "utf8"),
    };
  });
}

/** Largest certificate or key file read: a PEM chain is a few kilobytes. */
export const MAX_TLS_FILE_BYTES = 1024 * 1024;

/**
 * Reads a certificate or key file for the server: only a regular file (a FIFO put in its place must
 * not hang the reload) of at most 1 MiB. Errors name the file.
 */
export function readTlsFile(file: string, what: "certificate" | "key"): Buffer {
  try {
    return readRegularFile(file, MAX_TLS_FILE_BYTES);
  } catch (err) {
    throw new AdmissionError("tls-unreadable", `cannot read TLS ${what} ${file}: ${(err as Error).message}`);
  }
}

/**
 * Checks a certificate and key before they are served, naming the file at fault: a certificate that
 * does not parse, a key that does not parse, or a pair that does not belong together.
 */
export function checkTlsPair(certFile: string, cert: Buffer, keyFile: string, key: Buffer): void {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new AdmissionError(
      "tls-invalid",
      `TLS certificate ${certFile} is not a PEM certificate (${(err as Error).message})`,
    );
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new AdmissionError(
      "tls-invalid",
      `TLS key ${keyFile} is not a PEM private key (${(err as Error).message})`,
    );
  }
  if (!x509.checkPrivateKey(privateKey))
    throw new AdmissionError("tls-invalid", `TLS certificate ${certFile} does not match key ${keyFile}`);
}
