import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionEngine } from "../../src/admission/engine.js";
import type { AdmissionRequest } from "../../src/admission/review.js";
import { parseDockerRef } from "../../src/images/ref.js";
import { loadTrustedRoot } from "../../src/signing/bundle.js";
import {
  createCosignVerifier,
  generateEcdsaKey,
  publicKeyPem,
  signImage,
  signImageBundle,
} from "../../src/signing/index.js";
import { cosignTag, SIG_ANNOTATION, SIMPLE_SIGNING_MT } from "../../src/signing/oci.js";
import { OCI_MANIFEST, Repo } from "../../src/signing/registry-push.js";
import { verifyImageSignatures } from "../../src/signing/verify.js";
import { pushTestImage, startRegistry, type TestRegistry, VECTORS } from "./helpers.js";

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(() => reg?.stop());

const alice = generateEcdsaKey();
const mallory = generateEcdsaKey();

describe("createCosignVerifier (the admission controller's SignatureVerifier)", () => {
  it("verifies by key, reports reasons, requires annotations, caches by digest and honours the TTL", async () => {
    const digest = await pushTestImage(reg.host, "kw/adm", "1", "admitted");
    await signImage(`${reg.host}/kw/adm:1`, { key: alice, annotations: { env: "prod" } });
    let t = 0;
    const v = createCosignVerifier({ now: () => t, ttlMs: 1000 });
    const policy = { keys: [publicKeyPem(alice)] };
    const ok = await v.verify(`${reg.host}/kw/adm:1`, policy);
    expect(ok).toMatchObject({ verified: true, digest });
    expect(ok.reasons[0]).toMatch(/^signed by key [0-9a-f]{16} /);
    expect(
      (await v.verify(`${reg.host}/kw/adm:1`, { ...policy, annotations: { env: "prod" } })).verified,
    ).toBe(true);
    const ann = await v.verify(`${reg.host}/kw/adm:1`, { ...policy, annotations: { env: "dev" } });
    expect(ann.verified).toBe(false);
    expect(ann.reasons[0]).toMatch(/env=dev/);
    const bad = await v.verify(`${reg.host}/kw/adm@${digest}`, { keys: [publicKeyPem(mallory)] });
    expect(bad).toMatchObject({ verified: false, digest });
    expect(bad.reasons[0]).toMatch(/does not verify/);
    expect(v.cacheSize).toBe(4);

    // cached: a signature added now is not seen until the verdict expires
    await signImage(`${reg.host}/kw/adm:1`, { key: mallory });
    expect((await v.verify(`${reg.host}/kw/adm@${digest}`, { keys: [publicKeyPem(mallory)] })).verified).toBe(
      false,
    );
    t = 5000;
    expect((await v.verify(`${reg.host}/kw/adm@${digest}`, { keys: [publicKeyPem(mallory)] })).verified).toBe(
      true,
    );

    // the tag moves to an unsigned image: the new digest is checked, not the cached one
    const moved = await pushTestImage(reg.host, "kw/adm", "1", "moved");
    const m = await v.verify(`${reg.host}/kw/adm:1`, policy);
    expect(m).toMatchObject({ verified: false, digest: moved });
    expect(m.reasons[0]).toMatch(/no signatures found/);
  });

  it("never throws: bad policies, bad keys and unreachable registries become verdicts with reasons", async () => {
    const v = createCosignVerifier();
    expect(await v.verify(`${reg.host}/kw/none:1`, {})).toEqual({
      verified: false,
      reasons: ["the policy names no key and no certificate identity"],
    });
    const badKey = await v.verify(`${reg.host}/kw/none:1`, { keys: ["not a key"] });
    expect(badKey.verified).toBe(false);
    expect(badKey.reasons[0]).toMatch(/no PEM block/);
    const missing = await v.verify(`${reg.host}/kw/none:1`, { keys: [publicKeyPem(alice)] });
    expect(missing.reasons[0]).toMatch(/tag 1 not found/);
    const keyless = await v.verify(`${reg.host}/kw/none@sha256:${"a".repeat(64)}`, {
      certificateIdentity: "x",
    });
    expect(keyless.reasons).toContain("keyless policy but the verifier has no trusted root");
    expect(v.cacheSize).toBe(1);
  });

  it("accepts key-signed Sigstore bundles when configured for offline bundles", async () => {
    await pushTestImage(reg.host, "kw/adm-bundle", "1", "bundled");
    await signImageBundle(`${reg.host}/kw/adm-bundle:1`, { key: alice });
    const strict = createCosignVerifier({ trustedRoot: join(VECTORS, "trusted_root.json") });
    expect(
      (await strict.verify(`${reg.host}/kw/adm-bundle:1`, { keys: [publicKeyPem(alice)] })).verified,
    ).toBe(false);
    const lax = createCosignVerifier({ ignoreTlog: true });
    const r = await lax.verify(`${reg.host}/kw/adm-bundle:1`, { keys: [publicKeyPem(alice)] });
    expect(r.verified).toBe(true);
    expect(r.reasons[0]).toMatch(/Sigstore bundle/);
  });
});

describe("the admission controller requires signatures through the verifier", () => {
  it("denies an unsigned or wrongly signed pod image and admits a signed one", async () => {
    await pushTestImage(reg.host, "team/app", "signed", "signed app");
    await pushTestImage(reg.host, "team/app", "unsigned", "unsigned app");
    await signImage(`${reg.host}/team/app:signed`, { key: alice });
    const config = parseAdmissionConfig(
      [
        "apiVersion: kubeward.io/v1alpha1",
        "kind: AdmissionConfig",
        "signatures:",
        "  - mode: enforce",
        `    images: ["${reg.host}/team/*"]`,
        "    keys:",
        `      - |\n${publicKeyPem(alice)
          .trimEnd()
          .split("\n")
          .map((l) => `        ${l}`)
          .join("\n")}`,
      ].join("\n"),
      "config.yaml",
    );
    const engine = new AdmissionEngine(config, { signatureVerifier: createCosignVerifier() });
    const review = (image: string): AdmissionRequest => ({
      uid: "u1",
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      namespace: "default",
      name: "p",
      operation: "CREATE",
      userInfo: { username: "dev" },
      object: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", namespace: "default" },
        spec: { containers: [{ name: "app", image }] },
      },
    });
    const signed = await engine.validate(review(`${reg.host}/team/app:signed`));
    expect(signed.response.allowed).toBe(true);
    const unsigned = await engine.validate(review(`${reg.host}/team/app:unsigned`));
    expect(unsigned.response.allowed).toBe(false);
    expect(JSON.stringify(unsigned.response)).toMatch(/no signatures found/);
  });
});

describe("cosign's classic keyless signatures (certificate + Rekor bundle annotations)", () => {
  // ratify-project/ratify-verifier-go cosign/verifier_test.go: a real public-good keyless signature of 2023-02-16.
  const vec = JSON.parse(readFileSync(join(VECTORS, "ratify-keyless-signature.json"), "utf8"));
  const trustedRoot = join(VECTORS, "trusted_root.json");
  const who = {
    certificateIdentity: "sozercan@gmail.com",
    certificateOidcIssuer: "https://github.com/login/oauth",
  };

  async function pushKeyless(repoName: string, annotations: Record<string, string>): Promise<string> {
    const repo = new Repo(parseDockerRef(`${reg.host}/${repoName}`));
    const layer = await repo.pushBlob(Buffer.from(vec.payload), SIMPLE_SIGNING_MT);
    expect(layer.digest).toBe(vec.layerDigest);
    const config = await repo.pushBlob(Buffer.from("{}"), "application/vnd.oci.image.config.v1+json");
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers: [{ ...layer, annotations }],
    };
    await repo.putManifest(
      cosignTag(vec.imageDigest, "sig"),
      Buffer.from(JSON.stringify(manifest)),
      OCI_MANIFEST,
    );
    return `${reg.host}/${repoName}@${vec.imageDigest}`;
  }

  it("verifies the upstream signature offline against the trusted root, with identity constraints", async () => {
    const image = await pushKeyless("test/cosign-image", vec.annotations);
    const root = loadTrustedRoot(trustedRoot);
    const ok = await verifyImageSignatures(image, {
      keys: [],
      keyless: { trustedRoot: root, identity: who },
      allowOtherRepository: true,
    });
    expect(ok.verified.map((v) => v.signer)).toEqual(["sozercan@gmail.com (https://github.com/login/oauth)"]);
    const strictRepo = await verifyImageSignatures(image, {
      keys: [],
      keyless: { trustedRoot: root, identity: who },
    });
    expect(strictRepo.reasons[0]).toMatch(/names repository "wabbitnetworks.azurecr.io\/test\/cosign-image"/);
    const wrong = await verifyImageSignatures(image, {
      keys: [],
      keyless: { trustedRoot: root, identity: { ...who, certificateIdentity: "someone@else" } },
      allowOtherRepository: true,
    });
    expect(wrong.reasons).toEqual([
      'signature 0: certificate identity "sozercan@gmail.com" is not "someone@else"',
    ]);

    const v = createCosignVerifier({ trustedRoot, allowOtherRepository: true });
    expect(await v.verify(image, who)).toMatchObject({ verified: true, digest: vec.imageDigest });
  });

  it("catches a tampered signature, a removed Rekor bundle and a forged SET", async () => {
    const root = loadTrustedRoot(trustedRoot);
    const opts = { keys: [], keyless: { trustedRoot: root, identity: who }, allowOtherRepository: true };
    const sig = Buffer.from(vec.annotations[SIG_ANNOTATION], "base64");
    sig[10]! ^= 1;
    let image = await pushKeyless("test/keyless-sig", {
      ...vec.annotations,
      [SIG_ANNOTATION]: sig.toString("base64"),
    });
    expect((await verifyImageSignatures(image, opts)).reasons[0]).toMatch(/keyless verification failed/);
    const { "dev.sigstore.cosign/bundle": _drop, ...noBundle } = vec.annotations;
    image = await pushKeyless("test/keyless-nobundle", noBundle);
    expect((await verifyImageSignatures(image, opts)).reasons[0]).toMatch(
      /no dev.sigstore.cosign\/bundle annotation/,
    );
    const rb = JSON.parse(vec.annotations["dev.sigstore.cosign/bundle"]);
    rb.Payload.integratedTime += 1;
    image = await pushKeyless("test/keyless-set", {
      ...vec.annotations,
      "dev.sigstore.cosign/bundle": JSON.stringify(rb),
    });
    expect((await verifyImageSignatures(image, opts)).reasons[0]).toMatch(/keyless verification failed/);
  });
});

describe("verifier under concurrent admissions", () => {
  it("shares one verification between simultaneous requests for the same digest and policy", async () => {
    const digest = await pushTestImage(reg.host, "kw/busy", "1", "busy");
    await signImage(`${reg.host}/kw/busy:1`, { key: alice });
    const v = createCosignVerifier();
    const policy = { keys: [publicKeyPem(alice)] };
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, () => v.verify(`${reg.host}/kw/busy@${digest}`, policy)),
    );
    expect(verdicts.every((x) => x.verified)).toBe(true);
    // one shared object: the work was done once
    expect(new Set(verdicts).size).toBe(1);
    expect(v.cacheSize).toBe(1);
  });
});
