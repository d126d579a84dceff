// A time-boxed verification really stops: against a real registry, an abort in the middle of the
// signature fetches rejects at once with the abort, and no request is made after it.
import { createPublicKey } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegistryOptions } from "../../src/images/registry/client.js";
import { verifyAttestations } from "../../src/signing/attest.js";
import { createCosignVerifier, generateEcdsaKey, publicKeyPem, signImage } from "../../src/signing/index.js";
import { verifyImageSignatures } from "../../src/signing/verify.js";
import { pushTestImage, startRegistry, type TestRegistry } from "./helpers.js";

const SIGNATURES = 12;
const alice = generateEcdsaKey();
const aliceKeys = [{ key: createPublicKey(alice), name: "alice" }];
let reg: TestRegistry;
let image: string;

beforeAll(async () => {
  reg = await startRegistry();
  const digest = await pushTestImage(reg.host, "kw/abort", "1", "abort me");
  image = `${reg.host}/kw/abort@${digest}`;
  await signImage(image, { key: alice });
  for (let i = 1; i < SIGNATURES; i++) await signImage(image, { key: generateEcdsaKey() });
});
afterAll(() => reg?.stop());

/**
 * The real fetch, with every request recorded; `abortAtBlob` aborts the controller right after the
 * n-th blob request is sent. Retry back-offs are recorded too: an abort must not wait them out.
 */
function watchedRegistry(ac: AbortController | undefined, abortAtBlob: number) {
  const requests: string[] = [];
  const backoffs: number[] = [];
  let abortedAt = 0;
  const registry: RegistryOptions = {
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      requests.push(url);
      const blobs = requests.filter((u) => u.includes("/blobs/")).length;
      if (ac && url.includes("/blobs/") && blobs === abortAtBlob)
        queueMicrotask(() => {
          abortedAt = performance.now();
          ac.abort();
        });
      return fetch(input, init);
    },
    sleep: async (ms) => {
      backoffs.push(ms);
      await sleep(ms);
    },
  };
  return {
    registry,
    requests,
    backoffs,
    blobs: () => requests.filter((u) => u.includes("/blobs/")).length,
    abortedAt: () => abortedAt,
  };
}

/**
 * The call rejected with the abort promptly (no retry back-off waited out, far below the admission
 * time box), before all signatures were fetched, and no request was made after it.
 */
async function expectStoppedByAbort(
  r: { error?: Error; at: number },
  w: ReturnType<typeof watchedRegistry>,
): Promise<void> {
  expect(r.error?.name).toBe("AbortError");
  expect(w.abortedAt()).toBeGreaterThan(0);
  expect(w.backoffs).toEqual([]);
  expect(r.at - w.abortedAt()).toBeLessThan(1000);
  const sent = w.requests.length;
  expect(w.blobs()).toBeLessThan(SIGNATURES);
  await sleep(300);
  expect(w.requests.length).toBe(sent);
}

async function settled<T>(p: Promise<T>): Promise<{ value?: T; error?: Error; at: number }> {
  try {
    const value = await p;
    return { value, at: performance.now() };
  } catch (error) {
    return { error: error as Error, at: performance.now() };
  }
}

describe("aborting signature verification", () => {
  it("verifies all signatures when not aborted (the baseline the aborts below cut short)", async () => {
    const w = watchedRegistry(undefined, 0);
    const r = await verifyImageSignatures(image, {
      keys: aliceKeys,
      registry: w.registry,
    });
    expect(r.verified).toHaveLength(1);
    expect(r.reasons).toHaveLength(SIGNATURES - 1);
    expect(w.blobs()).toBe(SIGNATURES);
  });

  it("verifyImageSignatures rejects with the abort mid-way and makes no further request", async () => {
    const ac = new AbortController();
    const w = watchedRegistry(ac, 3);
    const r = await settled(
      verifyImageSignatures(image, {
        keys: aliceKeys,
        registry: w.registry,
        signal: ac.signal,
      }),
    );
    await expectStoppedByAbort(r, w);
  });

  it("verifyAttestations with an aborted signal rejects without a request", async () => {
    const ac = new AbortController();
    ac.abort();
    const w = watchedRegistry(undefined, 0);
    const r = await settled(
      verifyAttestations(image, {
        keys: aliceKeys,
        registry: w.registry,
        signal: ac.signal,
      }),
    );
    expect(r.error?.name).toBe("AbortError");
    expect(w.requests).toEqual([]);
  });
});

describe("aborting the admission verifier", () => {
  const policy = { keys: [publicKeyPem(alice)] };

  it("rejects with the abort, caches nothing, and verifies afresh on the next call", async () => {
    const ac = new AbortController();
    const w = watchedRegistry(ac, 3);
    const v = createCosignVerifier({ registry: w.registry });
    const r = await settled(v.verify(image, policy, { signal: ac.signal }));
    await expectStoppedByAbort(r, w);
    expect(v.cacheSize).toBe(0);
    expect(await v.verify(image, policy)).toMatchObject({ verified: true });
  });

  it("one caller's abort does not cut short another caller sharing the verification", async () => {
    const ac = new AbortController();
    const w = watchedRegistry(ac, 3);
    const v = createCosignVerifier({ registry: w.registry });
    const patient = new AbortController();
    const [hasty, calm] = await Promise.all([
      settled(v.verify(image, policy, { signal: ac.signal })),
      settled(v.verify(image, policy, { signal: patient.signal })),
    ]);
    expect(hasty.error?.name).toBe("AbortError");
    expect(calm.error).toBeUndefined();
    expect(calm.value).toMatchObject({ verified: true });
    // One verification served both: every signature was fetched once.
    expect(w.blobs()).toBe(SIGNATURES);
  });

  it("an already aborted call rejects without a request", async () => {
    const ac = new AbortController();
    ac.abort();
    const w = watchedRegistry(undefined, 0);
    const v = createCosignVerifier({ registry: w.registry });
    const r = await settled(v.verify(image, policy, { signal: ac.signal }));
    expect(r.error?.name).toBe("AbortError");
    expect(w.requests).toEqual([]);
  });
});
