import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/cli/errors.js";
import { registerSigningCommands } from "../../src/signing/cli.js";
import { pushTestImage, startRegistry, type TestRegistry, VECTORS } from "./helpers.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the signing commands in-process as the CLI does (exit 2 for usage errors, exitCode otherwise). */
async function kw(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const program = new Command("kubeward").exitOverride();
  const scan = program.command("scan");
  registerSigningCommands({ program, scan });
  let stdout = "";
  let stderr = "";
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.write = ((s: string) => {
    stdout += s;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => {
    stderr += s;
    return true;
  }) as typeof process.stderr.write;
  process.exitCode = 0;
  let code = 0;
  try {
    await program.parseAsync(["node", "kubeward", ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (err) {
    code = err instanceof CommanderError ? (err.exitCode === 0 ? 0 : 2) : 2;
    stderr += `kubeward: ${(err as Error).message}${err instanceof UsageError ? ` (code ${err.code})` : ""}\n`;
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = 0;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { code, stdout, stderr };
}

let reg: TestRegistry;
const dir = mkdtempSync(join(tmpdir(), "kw-sign-cli-"));
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(() => reg?.stop());

describe("kubeward keygen / sign / verify / attest / verify-attestation", () => {
  it("round-trips: keygen, sign with annotations, verify (text and json), exit 1 with reasons", async () => {
    const pw = { COSIGN_PASSWORD: "test-pw" };
    const prefix = join(dir, "alice");
    let r = await kw(["keygen", "--output-key-prefix", prefix], pw);
    expect(r.code).toBe(0);
    expect(readFileSync(`${prefix}.key`, "utf8")).toMatch(/BEGIN ENCRYPTED SIGSTORE PRIVATE KEY/);
    expect((await kw(["keygen", "--output-key-prefix", prefix], pw)).stderr).toMatch(/exists/);
    const noPw = await kw(["keygen", "--output-key-prefix", join(dir, "nopw")], {
      COSIGN_PASSWORD: undefined,
    });
    expect(noPw.code).toBe(2);
    expect(noPw.stderr).toMatch(/\[no-password\]/);
    await kw(["keygen", "--output-key-prefix", join(dir, "bob"), "--unencrypted"]);
    expect(readFileSync(join(dir, "bob.key"), "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const digest = await pushTestImage(reg.host, "kw/cli", "1", "cli image");
    const image = `${reg.host}/kw/cli:1`;
    r = await kw(["sign", image, "--key", `${prefix}.key`, "-a", "team=blue"], pw);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Pushing signature to: ${reg.host}/kw/cli:sha256-${digest.slice(7)}.sig`);
    expect((await kw(["sign", image, "--key", `${prefix}.key`], { COSIGN_PASSWORD: "nope" })).stderr).toMatch(
      /wrong-password/,
    );

    r = await kw(["verify", image, "--key", `${prefix}.pub`, "-a", "team=blue", "--format", "json"]);
    expect(r.code).toBe(0);
    const payloads = JSON.parse(r.stdout);
    expect(payloads).toHaveLength(1);
    expect(payloads[0].critical.image["docker-manifest-digest"]).toBe(digest);
    expect(payloads[0].optional).toEqual({ team: "blue" });
    expect(r.stderr).toMatch(/Verification for/);

    r = await kw(["verify", image, "--key", join(dir, "bob.pub")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no valid signatures found/);
    expect(r.stderr).toMatch(/signature 0: signature does not verify/);

    r = await kw(["verify", image, "--key", `${prefix}.pub`, "-a", "team=red"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lacks required annotation\(s\) team=red/);

    // bad input: missing key file, no key at all, a bad annotation, a bad reference
    expect((await kw(["verify", image, "--key", join(dir, "missing.pub")])).stderr).toMatch(/file-not-found/);
    expect((await kw(["verify", image])).code).toBe(2);
    expect((await kw(["verify", image, "--key", `${prefix}.pub`, "-a", "novalue"])).stderr).toMatch(
      /bad-annotation/,
    );
    expect((await kw(["verify", "UPPER/Case::x", "--key", `${prefix}.pub`])).stderr).toMatch(/bad-reference/);
  });

  it("attest and verify-attestation print the predicate; --type filters", async () => {
    const pw = { COSIGN_PASSWORD: "" };
    const prefix = join(dir, "carol");
    await kw(["keygen", "--output-key-prefix", prefix], pw);
    await pushTestImage(reg.host, "kw/cli-att", "1", "attested by cli");
    const image = `${reg.host}/kw/cli-att:1`;
    const pred = join(dir, "bom.json");
    writeFileSync(pred, JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.6", version: 1 }));
    let r = await kw(
      ["attest", image, "--key", `${prefix}.key`, "--predicate", pred, "--type", "cyclonedx"],
      pw,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Pushing attestation \(https:\/\/cyclonedx.org\/bom\)/);
    r = await kw(["verify-attestation", image, "--key", `${prefix}.pub`, "--type", "cyclonedx"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^predicateType: https:\/\/cyclonedx.org\/bom\n/);
    expect(r.stdout).toContain('"bomFormat": "CycloneDX"');
    r = await kw(["verify-attestation", image, "--key", `${prefix}.pub`, "--type", "slsaprovenance"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /predicate type is https:\/\/cyclonedx.org\/bom, wanted https:\/\/slsa.dev\/provenance\/v0.2/,
    );
    expect(
      (await kw(["attest", image, "--key", `${prefix}.key`, "--predicate", pred, "--type", "bogus"], pw))
        .stderr,
    ).toMatch(/bad-predicate-type/);
  });

  it("imports cosign's upstream keys and signs with an imported key", async () => {
    const prefix = join(dir, "imported");
    const r = await kw(
      ["import-key-pair", "--key", join(VECTORS, "validecp256.key"), "--output-key-prefix", prefix],
      {
        COSIGN_PASSWORD: "pw",
      },
    );
    expect(r.code).toBe(0);
    await pushTestImage(reg.host, "kw/cli-imp", "1", "imported");
    expect(
      (await kw(["sign", `${reg.host}/kw/cli-imp:1`, "--key", `${prefix}.key`], { COSIGN_PASSWORD: "pw" }))
        .code,
    ).toBe(0);
    expect((await kw(["verify", `${reg.host}/kw/cli-imp:1`, "--key", `${prefix}.pub`])).code).toBe(0);
    expect(
      (
        await kw(
          [
            "import-key-pair",
            "--key",
            join(VECTORS, "invalidecp224.key"),
            "--output-key-prefix",
            join(dir, "x"),
          ],
          { COSIGN_PASSWORD: "pw" },
        )
      ).stderr,
    ).toMatch(/unsupported-key.*P-224 not allowed/);
  });

  it("verifies with --cert and checks the certificate's identity and issuer", async () => {
    const { execFileSync } = await import("node:child_process");
    const k = join(dir, "cert-key.pem");
    const c = join(dir, "cert.pem");
    execFileSync("openssl", [
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-out",
      k,
    ]);
    execFileSync("openssl", [
      "req",
      "-x509",
      "-new",
      "-key",
      k,
      "-subj",
      "/O=kubeward-test",
      "-days",
      "2",
      "-addext",
      "subjectAltName=email:dev@example.com",
      "-addext",
      "1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:https://issuer.example",
      "-out",
      c,
    ]);
    await pushTestImage(reg.host, "kw/cli-cert", "1", "cert");
    const image = `${reg.host}/kw/cli-cert:1`;
    expect((await kw(["sign", image, "--key", k])).code).toBe(0);
    let r = await kw([
      "verify",
      image,
      "--cert",
      c,
      "--certificate-identity",
      "dev@example.com",
      "--certificate-oidc-issuer",
      "https://issuer.example",
    ]);
    expect(r.code).toBe(0);
    r = await kw(["verify", image, "--cert", c, "--certificate-identity", "ops@example.com"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /no valid signatures: .*certificate identity "dev@example.com" is not "ops@example.com"/,
    );
    r = await kw(["verify", image, "--cert", c, "--certificate-oidc-issuer-regexp", "^https://accounts"]);
    expect(r.stderr).toMatch(/OIDC issuer "https:\/\/issuer.example" does not match/);
  });

  it("verifies a keyless bundle offline with identity flags and the trusted root", async () => {
    const { pushBundle } = await import("../../src/signing/bundle.js");
    const { Repo } = await import("../../src/signing/registry-push.js");
    const { parseDockerRef } = await import("../../src/images/ref.js");
    const bundle = JSON.parse(readFileSync(join(VECTORS, "oci-attestation.sigstore.json"), "utf8"));
    const digest = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4";
    const repo = new Repo(parseDockerRef(`${reg.host}/kw/cli-keyless`));
    await pushBundle(
      repo,
      { digest, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1 },
      bundle,
      "https://cosign.sigstore.dev/attestation/v1",
      new Date(0),
    );
    const base = [
      "verify-attestation",
      `${reg.host}/kw/cli-keyless@${digest}`,
      "--trusted-root",
      join(VECTORS, "trusted_root.json"),
      "--type",
      "custom",
    ];
    let r = await kw([
      ...base,
      "--certificate-identity",
      "cody@soyland.com",
      "--certificate-oidc-issuer",
      "https://github.com/login/oauth",
      "--format",
      "json",
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0].predicate).toEqual({
      Data: '{"foo": "bar"}\n',
      Timestamp: "2025-02-28T19:18:11Z",
    });
    r = await kw([
      ...base,
      "--certificate-identity-regexp",
      "@evil\\.com$",
      "--certificate-oidc-issuer",
      "https://github.com/login/oauth",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not match \/@evil\\.com\$\//);
  });
});

describe("classic keyless .sig signatures from the command line", () => {
  it("verify --certificate-identity --certificate-oidc-issuer --trusted-root accepts cosign's keyless signature", async () => {
    const vec = JSON.parse(readFileSync(join(VECTORS, "ratify-keyless-signature.json"), "utf8"));
    const { Repo, OCI_MANIFEST } = await import("../../src/signing/registry-push.js");
    const { parseDockerRef } = await import("../../src/images/ref.js");
    const { cosignTag } = await import("../../src/signing/oci.js");
    const repo = new Repo(parseDockerRef(`${reg.host}/kw/cli-legacy`));
    const layer = await repo.pushBlob(
      Buffer.from(vec.payload),
      "application/vnd.dev.cosign.simplesigning.v1+json",
    );
    const config = await repo.pushBlob(Buffer.from("{}"), "application/vnd.oci.image.config.v1+json");
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers: [{ ...layer, annotations: vec.annotations }],
    };
    await repo.putManifest(
      cosignTag(vec.imageDigest, "sig"),
      Buffer.from(JSON.stringify(manifest)),
      OCI_MANIFEST,
    );
    const args = [
      "verify",
      `${reg.host}/kw/cli-legacy@${vec.imageDigest}`,
      "--trusted-root",
      join(VECTORS, "trusted_root.json"),
      "--certificate-identity",
      "sozercan@gmail.com",
      "--certificate-oidc-issuer",
      "https://github.com/login/oauth",
      "--allow-other-repository",
      "--format",
      "json",
    ];
    const r = await kw(args);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0].critical.image["docker-manifest-digest"]).toBe(vec.imageDigest);
    const bad = await kw(args.map((a) => (a === "sozercan@gmail.com" ? "mallory@example.com" : a)));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/certificate identity "sozercan@gmail.com" is not "mallory@example.com"/);
  });
});

describe("registration", () => {
  it("the kubeward program has the signing commands (src/cli/layers.ts)", async () => {
    const { buildProgram } = await import("../../src/cli/main.js");
    const names = buildProgram().commands.map((c) => c.name());
    for (const n of ["keygen", "import-key-pair", "sign", "verify", "attest", "verify-attestation"])
      expect(names).toContain(n);
  });

  it("docs/signing.md lists every predicate type short name and URI the code knows", async () => {
    const { PREDICATE_TYPES } = await import("../../src/signing/predicates.js");
    const { REPO_ROOT } = await import("./helpers.js");
    const doc = readFileSync(join(REPO_ROOT, "docs", "signing.md"), "utf8");
    for (const [name, uri] of Object.entries(PREDICATE_TYPES)) {
      expect(doc, name).toContain(`\`${name}\``);
      expect(doc, uri).toContain(uri);
    }
  });
});
