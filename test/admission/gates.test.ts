// The signature and vulnerability gates, with small real implementations of the interfaces: an
// ECDSA P-256 verifier over "<repository>@<digest>" payloads (node:crypto), and a scanner that
// looks findings up by digest and can be slow.
import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionEngine } from "../../src/admission/engine.js";
import type {
  ImageVulnerabilityScanner,
  SignaturePolicy,
  SignatureVerdict,
  SignatureVerifier,
} from "../../src/core/image-gates.js";
import type { Finding, Severity } from "../../src/core/model.js";
import { review } from "./suite.js";

const DIGEST_A = `sha256:${"a".repeat(64)}`;
const DIGEST_B = `sha256:${"b".repeat(64)}`;
const DIGEST_C = `sha256:${"c".repeat(64)}`;

/** Signatures by digest, as a registry would hold them next to the image. */
class EcdsaVerifier implements SignatureVerifier {
  calls = 0;
  constructor(private readonly signatures: Map<string, Buffer>) {}
  async verify(image: string, policy: SignaturePolicy): Promise<SignatureVerdict> {
    this.calls++;
    const at = image.indexOf("@");
    if (at < 0) return { verified: false, reasons: ["image is not pinned to a digest"] };
    const digest = image.slice(at + 1);
    const repo = image.slice(0, at).replace(/:[^/]*$/, "");
    const sig = this.signatures.get(digest);
    if (!sig) return { verified: false, digest, reasons: [`no signature found for ${digest}`] };
    const payload = Buffer.from(`${repo}@${digest}`);
    for (const pem of policy.keys ?? []) {
      if (verify("sha256", payload, createPublicKey(pem), sig))
        return { verified: true, digest, reasons: ["signed by trusted key"] };
    }
    return { verified: false, digest, reasons: ["signature does not verify with any trusted key"] };
  }
}

function signFor(key: KeyObject, repo: string, digest: string): Buffer {
  return sign("sha256", Buffer.from(`${repo}@${digest}`), key);
}

const trusted = generateKeyPairSync("ec", { namedCurve: "P-256" });
const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pub = trusted.publicKey.export({ type: "spki", format: "pem" }).toString();

const HEAD = "apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\n";

function podWith(image: string, name = "p"): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "apps" },
    spec: { containers: [{ name: "app", image }] },
  };
}

async function decide(engine: AdmissionEngine, image: string) {
  return (await engine.validate(review(podWith(image)).request as never)).response;
}

describe("signature gate", () => {
  const cfg = parseAdmissionConfig(
    `${HEAD}signatures:\n  - images: ["ghcr.io/acme/**"]\n    mode: enforce\n    keys:\n      - |\n${pub
      .trim()
      .split("\n")
      .map((l) => `        ${l}`)
      .join("\n")}\n`,
    "sig.yaml",
  );
  const sigs = new Map([
    [DIGEST_A, signFor(trusted.privateKey, "ghcr.io/acme/app", DIGEST_A)],
    [DIGEST_B, signFor(other.privateKey, "ghcr.io/acme/app", DIGEST_B)],
  ]);

  it("admits an image signed by a trusted key and caches the verdict by digest", async () => {
    const verifier = new EcdsaVerifier(sigs);
    const engine = new AdmissionEngine(cfg, { signatureVerifier: verifier });
    expect((await decide(engine, `ghcr.io/acme/app:1@${DIGEST_A}`)).allowed).toBe(true);
    expect((await decide(engine, `ghcr.io/acme/app@${DIGEST_A}`)).allowed).toBe(true);
    expect(verifier.calls).toBe(1);
  });

  it("denies an image signed by another key, or unsigned, naming the container and field", async () => {
    const engine = new AdmissionEngine(cfg, { signatureVerifier: new EcdsaVerifier(sigs) });
    const r1 = await decide(engine, `ghcr.io/acme/app@${DIGEST_B}`);
    expect(r1.allowed).toBe(false);
    expect(r1.status?.message).toContain('image-signature (container "app", field spec.containers[0].image)');
    expect(r1.status?.message).toContain("does not verify with any trusted key");
    const r2 = await decide(engine, `ghcr.io/acme/app@${DIGEST_C}`);
    expect(r2.status?.message).toContain(`no signature found for ${DIGEST_C}`);
  });

  it("a tampered payload does not verify (the signature covers the repository)", async () => {
    const engine = new AdmissionEngine(cfg, { signatureVerifier: new EcdsaVerifier(sigs) });
    expect((await decide(engine, `ghcr.io/acme/other@${DIGEST_A}`)).allowed).toBe(false);
  });

  it("a verification that fails (here: an unusable key) denies and counts as a policy error", async () => {
    const bad = parseAdmissionConfig(
      `${HEAD}signatures:\n  - images: ["ghcr.io/acme/**"]\n    keys: ["not a PEM key"]\n`,
      "bad.yaml",
    );
    const engine = new AdmissionEngine(bad, { signatureVerifier: new EcdsaVerifier(sigs) });
    const d = await engine.validate(review(podWith(`ghcr.io/acme/app@${DIGEST_A}`)).request as never);
    expect(d.response.allowed).toBe(false);
    expect(d.response.status?.message).toContain("signature verification failed");
    expect(d.policyErrors).toHaveLength(1);
  });

  it("a verification that does not finish in time denies (enforce) and is aborted", async () => {
    let aborted = false;
    const hanging: SignatureVerifier = {
      verify: (_image, _policy, opts) =>
        new Promise((_resolve, reject) => {
          opts?.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("aborted"));
          });
        }),
    };
    const engine = new AdmissionEngine(cfg, { signatureVerifier: hanging, signatureTimeoutMs: 50 });
    const d = await engine.validate(review(podWith(`ghcr.io/acme/app@${DIGEST_A}`)).request as never);
    expect(d.response.allowed).toBe(false);
    expect(d.response.status?.message).toContain("signature verification of ghcr.io/acme/app@");
    expect(d.response.status?.message).toContain("did not finish in time");
    expect(aborted).toBe(true);
  });

  it("images outside the patterns are not checked; without a verifier the rule denies", async () => {
    const verifier = new EcdsaVerifier(sigs);
    expect(
      (
        await decide(
          new AdmissionEngine(cfg, { signatureVerifier: verifier }),
          "docker.io/library/nginx:1.27",
        )
      ).allowed,
    ).toBe(true);
    expect(verifier.calls).toBe(0);
    const r = await decide(new AdmissionEngine(cfg), `ghcr.io/acme/app@${DIGEST_A}`);
    expect(r.status?.message).toContain("no signature verifier is configured");
  });
});

class TableScanner implements ImageVulnerabilityScanner {
  scans = 0;
  constructor(
    private readonly table: Map<string, Severity[]>,
    private readonly delayMs = 0,
  ) {}
  scan(image: string, opts?: { signal?: AbortSignal }): Promise<{ digest: string; findings: Finding[] }> {
    this.scans++;
    const digest = image.slice(image.indexOf("@") + 1);
    const findings = (this.table.get(digest) ?? []).map((severity, i) => ({
      checkId: `CVE-2026-${1000 + i}`,
      title: "t",
      severity,
      status: "fail" as const,
      layer: "vulnerability" as const,
      message: "m",
    }));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => resolve({ digest, findings }), this.delayMs);
      opts?.signal?.addEventListener("abort", () => {
        clearTimeout(t);
        reject(new Error("aborted"));
      });
    });
  }
}

describe("vulnerability gate", () => {
  const table = new Map<string, Severity[]>([
    [DIGEST_A, ["low", "medium"]],
    [DIGEST_B, ["critical", "low"]],
    [DIGEST_C, ["low", "low", "low", "low"]],
  ]);
  const cfg = (extra: string) =>
    parseAdmissionConfig(`${HEAD}vulnerabilities:\n  - images: ["ghcr.io/**"]\n${extra}`, "v.yaml");

  it("denies findings at or above the severity, or more than N; caches scans by digest", async () => {
    const scanner = new TableScanner(table);
    const engine = new AdmissionEngine(cfg("    severity: high\n    maxFindings: 3\n"), {
      vulnerabilityScanner: scanner,
    });
    expect((await decide(engine, `ghcr.io/acme/app@${DIGEST_A}`)).allowed).toBe(true);
    const b = await decide(engine, `ghcr.io/acme/app@${DIGEST_B}`);
    expect(b.allowed).toBe(false);
    expect(b.status?.message).toContain("1 vulnerability at or above high (CVE-2026-1000)");
    const c = await decide(engine, `ghcr.io/acme/app@${DIGEST_C}`);
    expect(c.status?.message).toContain("4 vulnerabilities, more than the 3 allowed");
    await decide(engine, `ghcr.io/acme/app@${DIGEST_B}`);
    expect(scanner.scans).toBe(3);
  });

  it("a scan that times out applies onTimeout and a warning says so", async () => {
    const slow = new TableScanner(table, 2000);
    const allow = new AdmissionEngine(cfg("    severity: high\n    timeoutSeconds: 0.05\n"), {
      vulnerabilityScanner: slow,
    });
    const r = await decide(allow, `ghcr.io/acme/app@${DIGEST_B}`);
    expect(r.allowed).toBe(true);
    expect(r.warnings?.[0]).toMatch(/did not finish in 0.05s; allowed by onTimeout/);
    const deny = new AdmissionEngine(
      cfg("    severity: high\n    timeoutSeconds: 0.05\n    onTimeout: deny\n"),
      { vulnerabilityScanner: slow },
    );
    const d = await decide(deny, `ghcr.io/acme/app@${DIGEST_A}`);
    expect(d.allowed).toBe(false);
    expect(d.status?.message).toMatch(/did not finish in 0.05s; denied by onTimeout/);
  });

  it("warn mode reports instead of denying", async () => {
    const engine = new AdmissionEngine(cfg("    severity: critical\n    mode: warn\n"), {
      vulnerabilityScanner: new TableScanner(table),
    });
    const r = await decide(engine, `ghcr.io/acme/app@${DIGEST_B}`);
    expect(r.allowed).toBe(true);
    expect(r.warnings?.[0]).toContain("image-vulnerabilities");
  });
});
