// The admission controller's view of signing (src/core/image-gates.ts): image and policy in, verdict
// with one-line reasons out. Verdicts are cached by digest and policy; tags are resolved on each
// call (a tag can move), digests are not.
import { createHash } from "node:crypto";
import type { SignaturePolicy, SignatureVerdict, SignatureVerifier } from "../core/image-gates.js";
import type { RegistryOptions } from "../images/registry/client.js";
import {
  type BundleVerifyOptions,
  COSIGN_SIGN_PREDICATE,
  loadTrustedRoot,
  verifyImageBundles,
} from "./bundle.js";
import { messageOf } from "./errors.js";
import { hasIdentityPolicy } from "./identity.js";
import { keyId, loadPublicKey } from "./keys.js";
import { resolveImage } from "./resolve.js";
import { type TrustedKey, verifyResolved } from "./verify.js";

export interface CosignVerifierOptions {
  registry?: RegistryOptions;
  /** Path of a Sigstore trusted root JSON, needed for keyless (certificate identity) policies. */
  trustedRoot?: string;
  /** Accept key-signed bundles without transparency-log entries (cosign --insecure-ignore-tlog). */
  ignoreTlog?: boolean;
  /** Accept signatures whose payload names another repository (mirrors; cosign never checks it). */
  allowOtherRepository?: boolean;
  /** How long a verdict stays cached, in ms (default 5 minutes); the clock is injectable. */
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export interface CosignVerifier extends SignatureVerifier {
  /** Number of cached verdicts (for tests and metrics). */
  readonly cacheSize: number;
  clear(): void;
}

interface Entry {
  verdict: SignatureVerdict;
  at: number;
}

/**
 * Work that concurrent callers share. It is aborted only when every caller waiting on it has
 * aborted: one admission's time box must not cut short another's wait on the same verification.
 */
interface SharedRun {
  controller: AbortController;
  waiters: number;
  verdict?: Promise<SignatureVerdict>;
}

function newRun(): SharedRun {
  return { controller: new AbortController(), waiters: 0 };
}

/** One caller's wait on shared work: its own abort rejects at once and withdraws it from the run. */
function waitOn<T>(run: SharedRun, work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  signal?.throwIfAborted();
  run.waiters++;
  return new Promise<T>((resolve, reject) => {
    const leave = () => {
      reject(signal!.reason);
      if (--run.waiters === 0) run.controller.abort(signal!.reason);
    };
    signal?.addEventListener("abort", leave, { once: true });
    const settle = () => {
      signal?.removeEventListener("abort", leave);
      run.waiters--;
    };
    work.then(
      (v) => {
        settle();
        resolve(v);
      },
      (err) => {
        settle();
        reject(err);
      },
    );
  });
}

function policyKey(p: SignaturePolicy): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        [...(p.keys ?? [])].sort(),
        p.certificateIdentity ?? null,
        p.certificateIdentityRegexp ?? null,
        p.certificateOidcIssuer ?? null,
        p.certificateOidcIssuerRegexp ?? null,
        Object.entries(p.annotations ?? {}).sort(),
      ]),
    )
    .digest("hex");
}

export function createCosignVerifier(opts: CosignVerifierOptions = {}): CosignVerifier {
  const cache = new Map<string, Entry>();
  const ttl = opts.ttlMs ?? 5 * 60_000;
  const max = opts.maxEntries ?? 10_000;
  const now = opts.now ?? (() => Date.now());
  const keyCache = new Map<string, TrustedKey>();
  const inflight = new Map<string, SharedRun>();
  const trustedRoot = opts.trustedRoot ? loadTrustedRoot(opts.trustedRoot) : undefined;

  const keysOf = (pems: string[]): TrustedKey[] =>
    pems.map((pem, i) => {
      let k = keyCache.get(pem);
      if (!k) {
        const key = loadPublicKey(pem, `policy key ${i}`);
        k = { key, name: `key ${keyId(key)}` };
        keyCache.set(pem, k);
      }
      return k;
    });

  async function decide(
    image: string,
    policy: SignaturePolicy,
    signal: AbortSignal | undefined,
  ): Promise<SignatureVerdict> {
    const wantsKeyless = hasIdentityPolicy(policy);
    if (!policy.keys?.length && !wantsKeyless)
      return { verified: false, reasons: ["the policy names no key and no certificate identity"] };
    const keys = keysOf(policy.keys ?? []);
    // Resolving (a tag can move) is each caller's own; the image's repository client is bound to
    // the run's signal so that, if this caller starts the verification, others can share it.
    const run = newRun();
    const img = await waitOn(
      run,
      resolveImage(image, opts.registry, { signal: run.controller.signal }),
      signal,
    );
    signal?.throwIfAborted();
    const cacheKey = `${img.repositoryName}@${img.digest}|${policyKey(policy)}`;
    const hit = cache.get(cacheKey);
    if (hit && now() - hit.at < ttl) return hit.verdict;
    // Concurrent admissions of the same image share one verification.
    const running = inflight.get(cacheKey);
    // A run every caller has left is being aborted: start afresh rather than inherit its abort.
    if (running?.verdict && !running.controller.signal.aborted)
      return waitOn(running, running.verdict, signal);
    run.verdict = evaluate(img, policy, keys, wantsKeyless, cacheKey).finally(() => {
      if (inflight.get(cacheKey) === run) inflight.delete(cacheKey);
    });
    inflight.set(cacheKey, run);
    return waitOn(run, run.verdict, signal);
  }

  async function evaluate(
    img: Awaited<ReturnType<typeof resolveImage>>,
    policy: SignaturePolicy,
    keys: TrustedKey[],
    wantsKeyless: boolean,
    cacheKey: string,
  ): Promise<SignatureVerdict> {
    const reasons: string[] = [];
    let ok: string | undefined;
    const keyless = wantsKeyless && trustedRoot ? { trustedRoot, identity: policy } : undefined;
    if (keys.length || keyless) {
      const r = await verifyResolved(img, {
        keys,
        ...(keyless ? { keyless } : {}),
        ...(opts.allowOtherRepository ? { allowOtherRepository: true } : {}),
        ...(policy.annotations ? { annotations: policy.annotations } : {}),
      });
      if (r.verified[0]) ok = `signed by ${r.verified[0].signer} (${r.signatureTag})`;
      reasons.push(...r.reasons);
    }
    if (!ok && (wantsKeyless || trustedRoot || opts.ignoreTlog)) {
      const bopts: BundleVerifyOptions = {
        predicateType: COSIGN_SIGN_PREDICATE,
        keys,
        identity: policy,
        ...(trustedRoot ? { trustedRoot } : {}),
        ...(opts.ignoreTlog ? { ignoreTlog: true } : {}),
      };
      if (wantsKeyless && !trustedRoot) reasons.push("keyless policy but the verifier has no trusted root");
      else {
        const b = await verifyImageBundles(img, bopts);
        // Bundles carry no simple-signing annotations: a policy that requires annotations is not met by them.
        if (b.verified[0] && !Object.keys(policy.annotations ?? {}).length)
          ok = `signed by ${b.verified[0].signer} (Sigstore bundle)`;
        else if (b.verified[0])
          reasons.push(
            "a Sigstore bundle verified, but bundles carry no annotations and the policy requires some",
          );
        reasons.push(...b.reasons);
      }
    }
    const verdict: SignatureVerdict = ok
      ? { verified: true, digest: img.digest, reasons: [ok] }
      : { verified: false, digest: img.digest, reasons: reasons.length ? reasons : ["no valid signature"] };
    if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, { verdict, at: now() });
    return verdict;
  }

  return {
    get cacheSize() {
      return cache.size;
    },
    clear: () => cache.clear(),
    async verify(image, policy, o) {
      const signal = o?.signal;
      signal?.throwIfAborted();
      try {
        return await decide(image, policy, signal);
      } catch (err) {
        // An abort is the caller's decision, not a verdict about the image.
        signal?.throwIfAborted();
        // Not cached: a registry outage must not pin a failure.
        return { verified: false, reasons: [`cannot verify ${image}: ${messageOf(err)}`] };
      }
    },
  };
}
