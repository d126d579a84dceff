// readCosignLayers against a real registry: layers come back in manifest order, fetched a few at a
// time, and a bad layer is reported as a one-by-one fetch would report it.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDockerRef } from "../../src/images/ref.js";
import type { RegistryOptions } from "../../src/images/registry/client.js";
import { generateEcdsaKey, signImage } from "../../src/signing/index.js";
import { cosignTag, parseCosignManifest, readCosignLayers } from "../../src/signing/oci.js";
import { Repo } from "../../src/signing/registry-push.js";
import { pushTestImage, startRegistry, type TestRegistry } from "./helpers.js";

const SIGNATURES = 10;
let reg: TestRegistry;
let digest: string;
let ref: string;

beforeAll(async () => {
  reg = await startRegistry();
  digest = await pushTestImage(reg.host, "kw/layers", "1", "layers");
  ref = `${reg.host}/kw/layers@${digest}`;
  // A distinct annotation per signature: a distinct payload blob per layer.
  for (let i = 0; i < SIGNATURES; i++)
    await signImage(ref, { key: generateEcdsaKey(), annotations: { n: String(i) } });
});
afterAll(() => reg?.stop());

/** The real fetch, counting blob requests in flight (sent, response not yet arrived). */
function countingRegistry() {
  const stats = { inFlight: 0, maxInFlight: 0, blobs: 0 };
  const registry: RegistryOptions = {
    fetch: async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!url.includes("/blobs/")) return fetch(input, init);
      stats.blobs++;
      stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
      try {
        return await fetch(input, init);
      } finally {
        stats.inFlight--;
      }
    },
  };
  return { registry, stats };
}

async function manifestLayers(repo: Repo) {
  const tag = cosignTag(digest, "sig");
  const m = await repo.manifest(tag);
  return parseCosignManifest(m!.buf, tag);
}

describe("readCosignLayers", () => {
  it("returns every layer in manifest order, fetching at most 4 at a time", async () => {
    const { registry, stats } = countingRegistry();
    const repo = new Repo(parseDockerRef(ref), registry);
    const want = await manifestLayers(repo);
    expect(new Set(want.map((d) => d.digest)).size).toBe(SIGNATURES);
    const got = await readCosignLayers(repo, digest, "sig");
    expect(got?.layers.map((l) => l.digest)).toEqual(want.map((d) => d.digest));
    expect(got?.layers.map((l) => l.annotations)).toEqual(want.map((d) => d.annotations));
    // Each payload is the simple-signing claim carrying its own annotation.
    expect(got?.layers.map((l) => JSON.parse(l.payload.toString()).optional.n)).toEqual(
      Array.from({ length: SIGNATURES }, (_, i) => String(i)),
    );
    expect(stats.blobs).toBe(SIGNATURES);
    expect(stats.maxInFlight).toBe(4);
  });

  it("reports the first bad layer in manifest order, whichever fails first", async () => {
    const repo = new Repo(parseDockerRef(ref));
    const layers = await manifestLayers(repo);
    const blobFile = (d: string) =>
      join(reg.dir, "data/docker/registry/v2/blobs/sha256", d.slice(7, 9), d.slice(7), "data");
    // The registry serves what is on disk: flip a byte of the 3rd and the 6th payload.
    const corrupt = [layers[2]!.digest, layers[5]!.digest];
    const originals = corrupt.map((d) => readFileSync(blobFile(d)));
    try {
      corrupt.forEach((d, i) => {
        const bad = Buffer.from(originals[i]!);
        bad[0]! ^= 1;
        writeFileSync(blobFile(d), bad);
      });
      await expect(readCosignLayers(repo, digest, "sig")).rejects.toThrow(
        `blob ${corrupt[0]} content does not match its digest`,
      );
    } finally {
      for (const [i, d] of corrupt.entries()) writeFileSync(blobFile(d), originals[i]!);
    }
    expect((await readCosignLayers(repo, digest, "sig"))?.layers).toHaveLength(SIGNATURES);
  });

  it("is undefined without a signature tag", async () => {
    const other = await pushTestImage(reg.host, "kw/layers", "unsigned", "unsigned");
    const repo = new Repo(parseDockerRef(`${reg.host}/kw/layers`));
    expect(await readCosignLayers(repo, other, "sig")).toBeUndefined();
  });
});
