import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDockerRef } from "../../src/images/ref.js";
import {
  loadTrustedRoot,
  pushBundle,
  verifyBundleFor,
  verifyImageBundles,
} from "../../src/signing/bundle.js";
import { generateEcdsaKey } from "../../src/signing/keys.js";
import { fallbackTag, Repo } from "../../src/signing/registry-push.js";
import { resolveImage } from "../../src/signing/resolve.js";
import { signImageBundle } from "../../src/signing/sign.js";
import { codeOf, pushTestImage, startRegistry, type TestRegistry, VECTORS } from "./helpers.js";

// sigstore/cosign pkg/cosign/testdata/oci-attestation.sigstore.json: a keyless (Fulcio + Rekor) attestation
// bundle with cosign's custom predicate; trusted root: sigstore-python's copy of the public-good TUF target.
const COSIGN_BUNDLE = JSON.parse(readFileSync(join(VECTORS, "oci-attestation.sigstore.json"), "utf8"));
const BUNDLE_DIGEST = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4";
const CUSTOM = "https://cosign.sigstore.dev/attestation/v1";
const root = loadTrustedRoot(join(VECTORS, "trusted_root.json"));
const who = {
  certificateIdentity: "cody@soyland.com",
  certificateOidcIssuer: "https://github.com/login/oauth",
};

describe("keyless bundles from cosign, verified offline with @sigstore/verify", () => {
  it("accepts the upstream bundle with the right identity and issuer (exact and regexp)", () => {
    const ok = verifyBundleFor(COSIGN_BUNDLE, BUNDLE_DIGEST, {
      trustedRoot: root,
      identity: who,
      predicateType: CUSTOM,
    });
    expect(typeof ok).toBe("object");
    expect((ok as { signer: string }).signer).toBe("cody@soyland.com (https://github.com/login/oauth)");
    const re = verifyBundleFor(COSIGN_BUNDLE, BUNDLE_DIGEST, {
      trustedRoot: root,
      identity: { certificateIdentityRegexp: "@soyland\\.com$", certificateOidcIssuerRegexp: "github" },
      predicateType: CUSTOM,
    });
    expect(typeof re).toBe("object");
  });

  it("rejects a wrong identity, a wrong issuer, another digest, another predicate, no identity policy", () => {
    const base = { trustedRoot: root, predicateType: CUSTOM };
    expect(
      verifyBundleFor(COSIGN_BUNDLE, BUNDLE_DIGEST, {
        ...base,
        identity: { ...who, certificateIdentity: "eve@x" },
      }),
    ).toBe('certificate identity "cody@soyland.com" is not "eve@x"');
    expect(
      verifyBundleFor(COSIGN_BUNDLE, BUNDLE_DIGEST, {
        ...base,
        identity: { ...who, certificateOidcIssuerRegexp: "^https://accounts\\.google" },
      }),
    ).toMatch(/OIDC issuer "https:\/\/github.com\/login\/oauth" does not match/);
    expect(verifyBundleFor(COSIGN_BUNDLE, `sha256:${"1".repeat(64)}`, { ...base, identity: who })).toMatch(
      /no statement subject has digest/,
    );
    expect(
      verifyBundleFor(COSIGN_BUNDLE, BUNDLE_DIGEST, {
        ...base,
        identity: who,
        predicateType: "https://sigstore.dev/cosign/sign/v1",
      }),
    ).toMatch(/predicate type is/);
    expect(verifyBundleFor(COSIGN_BUNDLE, BUNDLE_DIGEST, { ...base, identity: {} })).toMatch(
      /need --certificate-identity/,
    );
    expect(verifyBundleFor(COSIGN_BUNDLE, BUNDLE_DIGEST, { predicateType: CUSTOM, identity: who })).toMatch(
      /needs a trusted root/,
    );
  });

  it("catches a tampered envelope and a broken bundle", () => {
    const t = structuredClone(COSIGN_BUNDLE);
    const st = JSON.parse(Buffer.from(t.dsseEnvelope.payload, "base64").toString());
    st.predicate.Data = "evil";
    t.dsseEnvelope.payload = Buffer.from(JSON.stringify(st)).toString("base64");
    expect(
      verifyBundleFor(t, BUNDLE_DIGEST, { trustedRoot: root, identity: who, predicateType: CUSTOM }),
    ).toMatch(/bundle verification failed/);
    expect(
      verifyBundleFor({ mediaType: "nope" }, BUNDLE_DIGEST, {
        trustedRoot: root,
        identity: who,
        predicateType: CUSTOM,
      }),
    ).toMatch(/^invalid bundle/);
  });

  it("rejects files that are not trusted roots with a code", async () => {
    expect(await codeOf(() => loadTrustedRoot(join(VECTORS, "pemsigstorekey.key")))).toBe("bad-trusted-root");
    expect(await codeOf(() => loadTrustedRoot(join(VECTORS, "oci-attestation.sigstore.json")))).toBe(
      "bad-trusted-root",
    );
    expect(await codeOf(() => loadTrustedRoot(join(VECTORS, "missing.json")))).toBe("bad-trusted-root");
  });
});

describe("bundles as OCI 1.1 referrers in a real registry (tag-schema fallback)", () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(() => reg?.stop());

  it("finds the upstream keyless bundle through the referrers fallback tag and verifies it", async () => {
    const repo = new Repo(parseDockerRef(`${reg.host}/kw/keyless`));
    await pushBundle(
      repo,
      { digest: BUNDLE_DIGEST, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1 },
      COSIGN_BUNDLE,
      CUSTOM,
      new Date("2025-02-28T19:18:11Z"),
    );
    expect(await repo.manifest(fallbackTag(BUNDLE_DIGEST))).toBeDefined();
    const img = await resolveImage(`${reg.host}/kw/keyless@${BUNDLE_DIGEST}`);
    const r = await verifyImageBundles(img, { trustedRoot: root, identity: who, predicateType: CUSTOM });
    expect(r.verified).toHaveLength(1);
    expect(r.reasons).toEqual([]);
  });

  it("signs with a key into a bundle referrer; a second signer is appended; only the trusted key verifies", async () => {
    const alice = generateEcdsaKey();
    const bob = generateEcdsaKey();
    const digest = await pushTestImage(reg.host, "kw/bundled", "1", "bundled");
    await signImageBundle(`${reg.host}/kw/bundled:1`, { key: bob });
    await signImageBundle(`${reg.host}/kw/bundled:1`, { key: alice });
    const img = await resolveImage(`${reg.host}/kw/bundled:1`);
    expect(await img.repo.referrers(digest)).toHaveLength(2);
    const opts = {
      keys: [{ key: alice, name: "alice" }],
      ignoreTlog: true,
      predicateType: "https://sigstore.dev/cosign/sign/v1",
    };
    const r = await verifyImageBundles(img, opts);
    expect(r.verified.map((v) => v.signer)).toEqual(["alice"]);
    expect(r.reasons).toHaveLength(1);
    expect(r.reasons[0]).toMatch(/bundle 0 .*: bundle verification failed/);
    // without --insecure-ignore-tlog a key bundle with no log entry fails, as in cosign
    const strict = await verifyImageBundles(img, { ...opts, ignoreTlog: false });
    expect(strict.verified).toHaveLength(0);
    // a new image under the tag has no bundle
    await pushTestImage(reg.host, "kw/bundled", "1", "replaced");
    const moved = await verifyImageBundles(await resolveImage(`${reg.host}/kw/bundled:1`), opts);
    expect(moved.reasons[0]).toMatch(/no Sigstore bundles found/);
  });
});
