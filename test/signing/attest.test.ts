import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDockerRef } from "../../src/images/ref.js";
import { attestImage, statementBytes, verifyAttestations } from "../../src/signing/attest.js";
import { decodeB64, pae, parseEnvelope } from "../../src/signing/dsse.js";
import { generateEcdsaKey } from "../../src/signing/keys.js";
import { cosignTag, DSSE_MT } from "../../src/signing/oci.js";
import { buildPredicate, PREDICATE_TYPES } from "../../src/signing/predicates.js";
import { OCI_MANIFEST, Repo } from "../../src/signing/registry-push.js";
import { codeOf, pushTestImage, startRegistry, type TestRegistry } from "./helpers.js";

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startRegistry();
});
afterAll(() => reg?.stop());

const key = generateEcdsaKey();
const other = generateEcdsaKey();
const now = new Date("2026-01-02T03:04:05.678Z");

describe("DSSE and in-toto formats", () => {
  it("computes the DSSE v1 pre-authentication encoding (spec example)", () => {
    expect(pae("http://example.com/HelloWorld", Buffer.from("hello world")).toString()).toBe(
      "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
    );
    expect(pae("t", Buffer.from("é")).toString()).toBe("DSSEv1 1 t 2 é");
  });

  it("writes the statement header in in-toto-golang's field order and Go's escaping", () => {
    const s = statementBytes(
      "r.example/a",
      `sha256:${"0".repeat(64)}`,
      "https://cosign.sigstore.dev/attestation/v1",
      {
        Data: "<x>&",
        Timestamp: "2026-01-02T03:04:05Z",
      },
    ).toString();
    expect(s).toBe(
      `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://cosign.sigstore.dev/attestation/v1","subject":[{"name":"r.example/a","digest":{"sha256":"${"0".repeat(
        64,
      )}"}}],"predicate":{"Data":"\\u003cx\\u003e\\u0026","Timestamp":"2026-01-02T03:04:05Z"}}`,
    );
  });

  it("maps cosign's predicate short names and rejects what is neither a name nor a URI", async () => {
    expect(PREDICATE_TYPES.slsaprovenance).toBe("https://slsa.dev/provenance/v0.2");
    expect(PREDICATE_TYPES.cyclonedx).toBe("https://cyclonedx.org/bom");
    expect(PREDICATE_TYPES.spdxjson).toBe("https://spdx.dev/Document");
    expect(PREDICATE_TYPES.vuln).toBe("https://cosign.sigstore.dev/attestation/vuln/v1");
    // cosign's custom wrapper, as in cosign's own test bundle pkg/cosign/testdata/oci-attestation.sigstore.json
    const c = buildPredicate({ type: "custom", content: Buffer.from('{"foo": "bar"}\n'), now, what: "p" });
    expect(c.predicate).toEqual({ Data: '{"foo": "bar"}\n', Timestamp: "2026-01-02T03:04:05Z" });
    expect(
      await codeOf(() => buildPredicate({ type: "nonsense", content: Buffer.from("{}"), now, what: "p" })),
    ).toBe("bad-predicate-type");
    expect(
      await codeOf(() => buildPredicate({ type: "cyclonedx", content: Buffer.from("{"), now, what: "p" })),
    ).toBe("bad-predicate");
    expect(
      await codeOf(() => buildPredicate({ type: "cyclonedx", content: Buffer.from("{}"), now, what: "p" })),
    ).toBe("bad-predicate");
    expect(
      await codeOf(() => buildPredicate({ type: "spdxjson", content: Buffer.from("[]"), now, what: "p" })),
    ).toBe("bad-predicate");
    expect(
      await codeOf(() =>
        buildPredicate({ type: "slsaprovenance", content: Buffer.from("{}"), now, what: "p" }),
      ),
    ).toBe("bad-predicate");
  });

  it("wraps a kubeward report in cosign's vulnerability predicate", () => {
    const report = {
      schemaVersion: 1,
      tool: { name: "kubeward", version: "0.1.0" },
      scan: {
        type: "image",
        target: "x",
        startedAt: "2026-01-01T00:00:00.000Z",
        durationMs: 1500,
        options: {},
      },
      findings: [],
      errors: [],
      summary: { total: 0, bySeverity: {} },
    };
    const p = buildPredicate({ type: "vuln", content: Buffer.from(JSON.stringify(report)), now, what: "r" });
    expect(p.predicate).toMatchObject({
      scanner: { version: "0.1.0", result: report },
      metadata: { scanStartedOn: "2026-01-01T00:00:00.000Z", scanFinishedOn: "2026-01-01T00:00:01.500Z" },
    });
  });
});

describe("attest and verify-attestation against a real registry", () => {
  it("attests a CycloneDX SBOM and an SLSA provenance; verify-attestation --type picks and checks each", async () => {
    const digest = await pushTestImage(reg.host, "kw/att", "1", "attested");
    const cdx = JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.6", version: 1, components: [] });
    const slsa = JSON.stringify({
      builder: { id: "https://ci.example/builder" },
      buildType: "https://example/t",
    });
    const a1 = await attestImage(`${reg.host}/kw/att:1`, {
      key,
      type: "cyclonedx",
      predicate: Buffer.from(cdx),
      now,
    });
    expect(a1.attestationTag).toBe(`${reg.host}/kw/att:${cosignTag(digest, "att")}`);
    const a2 = await attestImage(`${reg.host}/kw/att:1`, {
      key,
      type: "slsaprovenance",
      predicate: Buffer.from(slsa),
      now,
    });
    expect(a2.attestations).toBe(2);

    const all = await verifyAttestations(`${reg.host}/kw/att:1`, { keys: [{ key, name: "k" }] });
    expect(all.verified.map((v) => v.statement.predicateType)).toEqual([
      "https://cyclonedx.org/bom",
      "https://slsa.dev/provenance/v0.2",
    ]);
    const only = await verifyAttestations(`${reg.host}/kw/att:1`, {
      keys: [{ key, name: "k" }],
      type: "cyclonedx",
    });
    expect(only.verified).toHaveLength(1);
    expect(only.verified[0]!.statement.predicate).toEqual(JSON.parse(cdx));
    expect(only.verified[0]!.statement.subject).toEqual([
      { name: `${reg.host}/kw/att`, digest: { sha256: digest.slice(7) } },
    ]);
    expect(only.reasons).toEqual([
      "attestation 1: predicate type is https://slsa.dev/provenance/v0.2, wanted https://cyclonedx.org/bom",
    ]);

    // layer annotations and media type as cosign writes them
    const repo = new Repo(parseDockerRef(`${reg.host}/kw/att`));
    const m = JSON.parse((await repo.manifest(cosignTag(digest, "att")))!.buf.toString());
    expect(m.layers[0]).toMatchObject({
      mediaType: DSSE_MT,
      annotations: { "dev.cosignproject.cosign/signature": "", predicateType: "https://cyclonedx.org/bom" },
    });

    const wrongKey = await verifyAttestations(`${reg.host}/kw/att:1`, { keys: [{ key: other, name: "o" }] });
    expect(wrongKey.verified).toHaveLength(0);
    expect(wrongKey.reasons[0]).toMatch(/no DSSE signature verifies/);
  });

  it("catches a tampered statement and an attestation copied to another image", async () => {
    const digest = await pushTestImage(reg.host, "kw/att2", "1", "one");
    await attestImage(`${reg.host}/kw/att2:1`, { key, type: "custom", predicate: Buffer.from("hello"), now });
    const repo = new Repo(parseDockerRef(`${reg.host}/kw/att2`));
    const tag = cosignTag(digest, "att");
    const orig = (await repo.manifest(tag))!;
    const doc = JSON.parse(orig.buf.toString());
    const env = parseEnvelope(await repo.blob(doc.layers[0].digest), "env");
    const st = JSON.parse(decodeB64(env.payload).toString());
    st.predicate.Data = "evil";
    const forged = await repo.pushBlob(
      Buffer.from(JSON.stringify({ ...env, payload: Buffer.from(JSON.stringify(st)).toString("base64") })),
      DSSE_MT,
    );
    const t = structuredClone(doc);
    t.layers[0] = { ...t.layers[0], digest: forged.digest, size: forged.size };
    await repo.putManifest(tag, Buffer.from(JSON.stringify(t)), OCI_MANIFEST);
    let v = await verifyAttestations(`${reg.host}/kw/att2:1`, { keys: [{ key, name: "k" }] });
    expect(v.verified).toHaveLength(0);
    expect(v.reasons[0]).toMatch(/no DSSE signature verifies/);

    const evil = await pushTestImage(reg.host, "kw/att2", "1", "two");
    await repo.putManifest(cosignTag(evil, "att"), orig.buf, OCI_MANIFEST);
    v = await verifyAttestations(`${reg.host}/kw/att2:1`, { keys: [{ key, name: "k" }] });
    expect(v.reasons).toEqual([`attestation 0: no statement subject has digest ${evil}`]);
  });

  it("attests an SPDX JSON document and verify-attestation --type spdx finds it", async () => {
    await pushTestImage(reg.host, "kw/att3", "1", "three");
    const spdx = JSON.stringify({
      spdxVersion: "SPDX-2.3",
      SPDXID: "SPDXRef-DOCUMENT",
      name: "x",
      packages: [],
    });
    await attestImage(`${reg.host}/kw/att3:1`, { key, type: "spdxjson", predicate: Buffer.from(spdx), now });
    const v = await verifyAttestations(`${reg.host}/kw/att3:1`, { keys: [{ key, name: "k" }], type: "spdx" });
    expect(v.verified[0]!.statement.predicate).toEqual(JSON.parse(spdx));
  });
});

describe("attestScanOutput (for sbom --attest / scan image --attest)", () => {
  it("loads an encrypted key file and attests a kubeward report as cosign's vuln predicate", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { attestScanOutput, writeKeyPair } = await import("../../src/signing/index.js");
    const dir = mkdtempSync(join(tmpdir(), "kw-att-scan-"));
    const files = await writeKeyPair(key, "pw", { N: 1024 });
    writeFileSync(join(dir, "cosign.key"), files.privatePem);
    const digest = await pushTestImage(reg.host, "kw/scanned", "1", "scanned");
    const report = {
      schemaVersion: 1,
      tool: { name: "kubeward", version: "0.1.0" },
      scan: {
        type: "image",
        target: "x",
        startedAt: "2026-01-01T00:00:00.000Z",
        durationMs: 10,
        options: {},
      },
      findings: [],
      errors: [],
      summary: { total: 0, bySeverity: {} },
    };
    const r = await attestScanOutput(`${reg.host}/kw/scanned:1`, {
      keyFile: join(dir, "cosign.key"),
      type: "vuln",
      content: JSON.stringify(report),
      password: async () => "pw",
    });
    expect(r).toMatchObject({ digest, predicateType: "https://cosign.sigstore.dev/attestation/vuln/v1" });
    const v = await verifyAttestations(`${reg.host}/kw/scanned:1`, {
      keys: [{ key, name: "k" }],
      type: "vuln",
    });
    expect((v.verified[0]!.statement.predicate as { scanner: { result: unknown } }).scanner.result).toEqual(
      report,
    );
    expect(
      await codeOf(
        attestScanOutput(`${reg.host}/kw/scanned:1`, {
          keyFile: join(dir, "missing.key"),
          type: "vuln",
          content: "{}",
        }),
      ),
    ).toBe("file-not-found");
    expect(
      await codeOf(
        attestScanOutput(`${reg.host}/kw/scanned:1`, {
          keyFile: join(dir, "cosign.key"),
          type: "cyclonedx",
          content: "{}",
          password: async () => "pw",
        }),
      ),
    ).toBe("bad-predicate");
  });
});
