// Signature gate: images matching a rule's patterns must carry a signature the SignatureVerifier
// accepts under the rule's policy. Verdicts are cached by digest (per rule).
import type { SignatureVerdict } from "../../core/image-gates.js";
import { SIGNATURE_TIMEOUT_MS, withTimeout } from "../timebox.js";
import { imagesMatching } from "./images.js";
import type { AdmissionRuleFamily, RuleHit } from "./types.js";

/** Verdicts by "<rule index>|<digest>"; a tag-only image is keyed by the digest the verifier reports. */
export const signatureCacheKey = (rule: number, digest: string) => `${rule}|${digest}`;

export const signaturesFamily: AdmissionRuleFamily = {
  name: "signatures",
  enabled: (config) => config.signatures.length > 0,
  async evaluate(ctx) {
    if (!ctx.pod) return [];
    const hits: RuleHit[] = [];
    const cache = ctx.gates.signatureCache;
    const jobs: Array<Promise<void>> = [];
    ctx.config.signatures.forEach((rule, ri) => {
      if (!ctx.inScope(rule)) return;
      for (const { c, image, ref, base } of imagesMatching(ctx.pod!, rule, "image-signature")) {
        const verifier = ctx.gates.signatureVerifier;
        if (!verifier) {
          hits.push({
            ...base,
            message: `container "${c.name}" image ${image} needs a verified signature, but no signature verifier is configured`,
          });
          continue;
        }
        const cached = ref.digest ? cache.get(signatureCacheKey(ri, ref.digest)) : undefined;
        const handle = (v: SignatureVerdict) => {
          if (v.digest) cache.set(signatureCacheKey(ri, v.digest), v);
          if (!v.verified)
            hits.push({
              ...base,
              message: `container "${c.name}" image ${image} has no valid signature: ${v.reasons.join("; ") || "not verified"}`,
            });
        };
        if (cached) {
          handle(cached);
          continue;
        }
        jobs.push(
          withTimeout(
            (signal) => verifier.verify(image, rule.policy, { signal }),
            ctx.gates.signatureTimeoutMs ?? SIGNATURE_TIMEOUT_MS,
          ).then(
            (v) => {
              if (v === "timeout")
                hits.push({
                  ...base,
                  message: `container "${c.name}": signature verification of ${image} did not finish in time`,
                  error: true,
                });
              else handle(v);
            },
            (err: unknown) => {
              hits.push({
                ...base,
                message: `container "${c.name}" image ${image}: signature verification failed: ${(err as Error).message}`,
                error: true,
              });
            },
          ),
        );
      }
    });
    await Promise.all(jobs);
    return hits;
  },
};
