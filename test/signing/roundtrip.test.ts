import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDockerRef } from "../../src/images/ref.js";
import { generateEcdsaKey, keyId } from "../../src/signing/keys.js";
import { cosignTag, parseCosignManifest, SIG_ANNOTATION } from "../../src/signing/oci.js";
import { OCI_MANIFEST, Repo } from "../../src/signing/registry-push.js";
import { signImage } from "../../src/signing/sign.js";
import { type TrustedKey, verifyImageSignatures } from "../../src/signing/verify.js";
import { codeOf, pushTestImage, startRegistry, type TestRegistry } from "./helpers.js";

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(() => reg?.stop());

const alice = generateEcdsaKey();
const mallory = generateEcdsaKey();
const trusted = (k = alice, name = "alice.pub"): TrustedKey[] => [{ key: k, name }];

describe("sign and verify against a real registry", () => {
  it("signs the digest a tag names and verifies it by tag and by digest", async () => {
    const digest = await pushTestImage(reg.host, "kw/app", "1.0", "app v1");
    const res = await signImage(`${reg.host}/kw/app:1.0`, { key: alice, annotations: { env: "prod" } });
    expect(res.digest).toBe(digest);
    expect(res.signatureTag).toBe(`${reg.host}/kw/app:${cosignTag(digest, "sig")}`);
    expect(JSON.parse(res.payload)).toEqual({
      critical: {
        identity: { "docker-reference": `${reg.host}/kw/app` },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional: { env: "prod" },
    });
    for (const ref of [`${reg.host}/kw/app:1.0`, `${reg.host}/kw/app@${digest}`]) {
      const v = await verifyImageSignatures(ref, { keys: trusted() });
      expect(v.verified).toHaveLength(1);
      expect(v.reasons).toEqual([]);
    }
    const need = await verifyImageSignatures(`${reg.host}/kw/app:1.0`, {
      keys: trusted(),
      annotations: { env: "prod" },
    });
    expect(need.verified).toHaveLength(1);
    const wrong = await verifyImageSignatures(`${reg.host}/kw/app:1.0`, {
      keys: trusted(),
      annotations: { env: "dev" },
    });
    expect(wrong.verified).toHaveLength(0);
    expect(wrong.reasons[0]).toMatch(/lacks required annotation\(s\) env=dev/);
  });

  it("appends a second signature; with two signers only the trusted one verifies", async () => {
    const digest = await pushTestImage(reg.host, "kw/two", "1", "two signers");
    await signImage(`${reg.host}/kw/two:1`, { key: mallory });
    await signImage(`${reg.host}/kw/two:1`, { key: alice });
    const repo = new Repo(parseDockerRef(`${reg.host}/kw/two`));
    const m = await repo.manifest(cosignTag(digest, "sig"));
    expect(parseCosignManifest(m!.buf, "sig")).toHaveLength(2);
    const v = await verifyImageSignatures(`${reg.host}/kw/two:1`, { keys: trusted() });
    expect(v.verified.map((s) => s.layer)).toEqual([1]);
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatch(/signature 0: signature does not verify/);
    const none = await verifyImageSignatures(`${reg.host}/kw/two:1`, {
      keys: [{ key: generateEcdsaKey(), name: "x" }],
    });
    expect(none.verified).toHaveLength(0);
    expect(keyId(alice)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("catches a tampered payload, a tampered signature and a new image under the same tag", async () => {
    const digest = await pushTestImage(reg.host, "kw/tamper", "v", "original");
    await signImage(`${reg.host}/kw/tamper:v`, { key: alice });
    const repo = new Repo(parseDockerRef(`${reg.host}/kw/tamper`));
    const tag = cosignTag(digest, "sig");
    const orig = (await repo.manifest(tag))!;
    const doc = JSON.parse(orig.buf.toString("utf8"));

    // 1. payload: same signature over a payload that claims another annotation
    const payload = JSON.parse((await repo.blob(doc.layers[0].digest)).toString("utf8"));
    payload.optional = { env: "prod" };
    const forged = await repo.pushBlob(Buffer.from(JSON.stringify(payload)), doc.layers[0].mediaType);
    const t1 = structuredClone(doc);
    t1.layers[0] = { ...t1.layers[0], digest: forged.digest, size: forged.size };
    await repo.putManifest(tag, Buffer.from(JSON.stringify(t1)), OCI_MANIFEST);
    let v = await verifyImageSignatures(`${reg.host}/kw/tamper:v`, { keys: trusted() });
    expect(v.verified).toHaveLength(0);
    expect(v.reasons[0]).toMatch(/does not verify over the payload/);

    // 2. signature: flip one byte of the DER signature
    const t2 = structuredClone(doc);
    const sig = Buffer.from(t2.layers[0].annotations[SIG_ANNOTATION], "base64");
    sig[sig.length - 3] ^= 0x01;
    t2.layers[0].annotations[SIG_ANNOTATION] = sig.toString("base64");
    await repo.putManifest(tag, Buffer.from(JSON.stringify(t2)), OCI_MANIFEST);
    v = await verifyImageSignatures(`${reg.host}/kw/tamper:v`, { keys: trusted() });
    expect(v.verified).toHaveLength(0);
    expect(v.reasons[0]).toMatch(/does not verify/);

    // restore, then 3. the image: a new digest pushed under the same tag has no signature
    await repo.putManifest(tag, orig.buf, OCI_MANIFEST);
    expect(
      (await verifyImageSignatures(`${reg.host}/kw/tamper:v`, { keys: trusted() })).verified,
    ).toHaveLength(1);
    const evil = await pushTestImage(reg.host, "kw/tamper", "v", "replaced");
    v = await verifyImageSignatures(`${reg.host}/kw/tamper:v`, { keys: trusted() });
    expect(v.digest).toBe(evil);
    expect(v.verified).toHaveLength(0);
    expect(v.reasons).toEqual([
      `no signatures found for ${evil} (no ${reg.host}/kw/tamper:${cosignTag(evil, "sig")})`,
    ]);

    // 4. a valid signature of the old digest copied to the new digest's tag: the claim names the old digest
    await repo.putManifest(cosignTag(evil, "sig"), orig.buf, OCI_MANIFEST);
    v = await verifyImageSignatures(`${reg.host}/kw/tamper:v`, { keys: trusted() });
    expect(v.verified).toHaveLength(0);
    expect(v.reasons[0]).toBe(`signature 0: payload is for digest ${digest}, the image is ${evil}`);
  });

  it("rejects a signature made for another repository unless told otherwise", async () => {
    const digest = await pushTestImage(reg.host, "kw/src", "1", "moved");
    await pushTestImage(reg.host, "kw/dst", "1", "moved");
    await signImage(`${reg.host}/kw/src:1`, { key: alice });
    const src = new Repo(parseDockerRef(`${reg.host}/kw/src`));
    const dst = new Repo(parseDockerRef(`${reg.host}/kw/dst`));
    const m = (await src.manifest(cosignTag(digest, "sig")))!;
    const doc = JSON.parse(m.buf.toString("utf8"));
    for (const d of [doc.config, ...doc.layers]) await dst.pushBlob(await src.blob(d.digest), d.mediaType);
    await dst.putManifest(cosignTag(digest, "sig"), m.buf, OCI_MANIFEST);
    const v = await verifyImageSignatures(`${reg.host}/kw/dst:1`, { keys: trusted() });
    expect(v.reasons[0]).toMatch(/names repository "127\.0\.0\.1:\d+\/kw\/src", the image is in/);
    const ok = await verifyImageSignatures(`${reg.host}/kw/dst:1`, {
      keys: trusted(),
      allowOtherRepository: true,
    });
    expect(ok.verified).toHaveLength(1);
  });
});

describe("hostile signature images", () => {
  it("reports each malformed layer and still accepts the valid one", async () => {
    const digest = await pushTestImage(reg.host, "kw/hostile", "1", "hostile");
    await signImage(`${reg.host}/kw/hostile:1`, { key: alice });
    const repo = new Repo(parseDockerRef(`${reg.host}/kw/hostile`));
    const tag = cosignTag(digest, "sig");
    const doc = JSON.parse((await repo.manifest(tag))!.buf.toString("utf8"));
    const good = doc.layers[0];
    const noSig = { ...good, annotations: {} };
    const notB64 = { ...good, annotations: { [SIG_ANNOTATION]: "***" } };
    const wrongType = { ...good, mediaType: "application/octet-stream" };
    const notJson = await repo.pushBlob(Buffer.from("not json"), good.mediaType);
    doc.layers = [noSig, notB64, wrongType, { ...notJson, annotations: good.annotations }, good];
    await repo.putManifest(tag, Buffer.from(JSON.stringify(doc)), OCI_MANIFEST);
    const v = await verifyImageSignatures(`${reg.host}/kw/hostile:1`, { keys: trusted() });
    expect(v.verified.map((s) => s.layer)).toEqual([4]);
    expect(v.reasons).toEqual([
      `signature 0: no ${SIG_ANNOTATION} annotation`,
      `signature 1: the ${SIG_ANNOTATION} annotation is not base64`,
      "signature 2: layer media type is application/octet-stream, not application/vnd.dev.cosign.simplesigning.v1+json",
      "signature 3: signature does not verify over the payload with the key alice.pub (tampered payload or signature, or another signer)",
    ]);
    // a signature manifest that is not JSON fails the whole verification with a code
    await repo.putManifest(
      tag,
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: doc.config })),
      OCI_MANIFEST,
    );
    const err = await verifyImageSignatures(`${reg.host}/kw/hostile:1`, { keys: trusted() }).catch((e) => e);
    expect(err.code).toBe("bad-signature-manifest");
  });
});

describe("inputs that do not name an image, and registries that want credentials", () => {
  it("refuses to sign a digest or tag the registry does not have (not-found)", async () => {
    expect(await codeOf(signImage(`${reg.host}/kw/ghost@sha256:${"0".repeat(64)}`, { key: alice }))).toBe(
      "not-found",
    );
    expect(await codeOf(signImage(`${reg.host}/kw/ghost:nope`, { key: alice }))).toBe("not-found");
    expect(await codeOf(verifyImageSignatures(`${reg.host}/kw/ghost:nope`, { keys: trusted() }))).toBe(
      "not-found",
    );
    expect(await codeOf(verifyImageSignatures(`${reg.host}/kw/ghost:nope`, { keys: [] }))).toBe("bad-key");
  });

  it("signs and verifies through basic auth with the given credentials; without them: registry-auth", async () => {
    const creds = { user: "kw", password: "s3cret-pw" };
    const authReg = await startRegistry(creds);
    try {
      const registry = { username: creds.user, password: creds.password, dockerConfigDir: authReg.dir };
      await pushTestImage(authReg.host, "kw/private", "1", "private", registry);
      await signImage(`${authReg.host}/kw/private:1`, { key: alice, registry });
      const v = await verifyImageSignatures(`${authReg.host}/kw/private:1`, { keys: trusted(), registry });
      expect(v.verified).toHaveLength(1);
      const anon = { dockerConfigDir: authReg.dir };
      expect(
        await codeOf(
          verifyImageSignatures(`${authReg.host}/kw/private:1`, { keys: trusted(), registry: anon }),
        ),
      ).toBe("registry-auth");
    } finally {
      authReg.stop();
    }
  });
});
