import { describe, expect, it } from "vitest";
import { parseDockerRef } from "../../src/images/ref.js";
import { cosignTag, parseCosignManifest } from "../../src/signing/oci.js";
import {
  goJson,
  missingAnnotations,
  parseSimpleSigning,
  simpleSigningPayload,
} from "../../src/signing/payload.js";
import { fallbackTag } from "../../src/signing/registry-push.js";
import {
  cosignRepositoryName,
  normaliseRepositoryName,
  parseRegistryImage,
} from "../../src/signing/resolve.js";
import { codeOf } from "./helpers.js";

const D = `sha256:${"ab".repeat(32)}`;

describe("simple-signing payload bytes (sigstore/sigstore pkg/signature/payload)", () => {
  it("writes the struct fields in Go's order, optional null without annotations", () => {
    expect(simpleSigningPayload("ghcr.io/a/b", D).toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"ghcr.io/a/b"},"image":{"docker-manifest-digest":"${D}"},"type":"cosign container image signature"},"optional":null}`,
    );
  });

  it("writes annotations as a Go map (sorted keys, HTML characters escaped)", () => {
    expect(simpleSigningPayload("r/a", D, { z: "1", a: "<b>&" }).toString()).toMatch(
      /"optional":\{"a":"\\u003cb\\u003e\\u0026","z":"1"\}\}$/,
    );
    expect(goJson({ b: [1, true, null], a: "\u2028" })).toBe('{"a":"\\u2028","b":[1,true,null]}');
  });

  it("parses payloads and names what is wrong with bad ones", async () => {
    const p = parseSimpleSigning(simpleSigningPayload("r/a", D, { k: "v" }), "p");
    expect(p).toEqual({
      dockerReference: "r/a",
      digest: D,
      type: "cosign container image signature",
      optional: { k: "v" },
    });
    expect(await codeOf(() => parseSimpleSigning(Buffer.from("{"), "p"))).toBe("bad-payload");
    expect(await codeOf(() => parseSimpleSigning(Buffer.from("{}"), "p"))).toBe("bad-payload");
    expect(() => parseSimpleSigning(Buffer.from('{"critical":{"image":{}}}'), "p")).toThrow(
      /invalid or missing digest in claim/,
    );
    expect(missingAnnotations({ a: "1", n: 2 }, { a: "1", n: "2", x: "y" })).toEqual(["x=y"]);
    expect(missingAnnotations(null, { a: "1" })).toEqual(["a=1"]);
  });
});

describe("cosign storage names", () => {
  it("derives the .sig/.att tags and the referrers fallback tag from the digest", () => {
    expect(cosignTag(D, "sig")).toBe(`sha256-${"ab".repeat(32)}.sig`);
    expect(cosignTag(D, "att")).toBe(`sha256-${"ab".repeat(32)}.att`);
    expect(fallbackTag(D)).toBe(`sha256-${"ab".repeat(32)}`);
  });

  it("names repositories as go-containerregistry does (Docker Hub as index.docker.io)", () => {
    expect(cosignRepositoryName(parseDockerRef("alpine"))).toBe("index.docker.io/library/alpine");
    expect(cosignRepositoryName(parseDockerRef("127.0.0.1:5000/a/b:1"))).toBe("127.0.0.1:5000/a/b");
    expect(normaliseRepositoryName("docker.io/library/alpine")).toBe("index.docker.io/library/alpine");
    expect(normaliseRepositoryName("index.docker.io/library/alpine")).toBe("index.docker.io/library/alpine");
  });

  it("rejects references that are not registry images", async () => {
    expect(await codeOf(() => parseRegistryImage("oci:/tmp/layout"))).toBe("not-a-registry-image");
    expect(await codeOf(() => parseRegistryImage("Bad//Ref"))).toBe("bad-reference");
  });

  it("rejects malformed signature manifests with a reason", async () => {
    expect(await codeOf(() => parseCosignManifest(Buffer.from("<html>"), "m"))).toBe(
      "bad-signature-manifest",
    );
    expect(await codeOf(() => parseCosignManifest(Buffer.from("{}"), "m"))).toBe("bad-signature-manifest");
    expect(() =>
      parseCosignManifest(Buffer.from('{"layers":[{"mediaType":"x","digest":"sha256:../../etc"}]}'), "m"),
    ).toThrow(/layer 0 has no valid sha256 digest/);
    expect(() => parseCosignManifest(Buffer.from(`{"layers":[{"digest":"${D}"}]}`), "m")).toThrow(
      /layer 0 has no mediaType/,
    );
  });
});
