// `kubeward sign`: signs exactly one manifest digest with a simple-signing payload and appends the
// signature to the cosign signature image (tag sha256-<hex>.sig in the same repository).
import type { KeyObject } from "node:crypto";
import type { RegistryOptions } from "../images/registry/client.js";
import { COSIGN_SIGN_PREDICATE, keyBundle, pushBundle } from "./bundle.js";
import { SigningError } from "./errors.js";
import { signBytes } from "./keys.js";
import { appendCosignLayers, SIG_ANNOTATION, SIMPLE_SIGNING_MT } from "./oci.js";
import { simpleSigningPayload } from "./payload.js";
import { resolveImage } from "./resolve.js";

export interface SignOptions {
  key: KeyObject;
  /** Extra claims in the payload's "optional" section (cosign sign -a key=value). */
  annotations?: Record<string, string>;
  registry?: RegistryOptions;
}

export interface SignResult {
  image: string;
  digest: string;
  signatureTag: string;
  payload: string;
  signature: string;
  signatures: number;
}

export async function signImage(image: string, opts: SignOptions): Promise<SignResult> {
  const img = await resolveImage(image, opts.registry, { mustExist: true });
  const payload = simpleSigningPayload(img.repositoryName, img.digest, opts.annotations);
  const signature = signBytes(opts.key, payload).toString("base64");
  const pushed = await appendCosignLayers(img.repo, img.digest, "sig", [
    { mediaType: SIMPLE_SIGNING_MT, payload, annotations: { [SIG_ANNOTATION]: signature } },
  ]);
  return {
    image: `${img.repositoryName}@${img.digest}`,
    digest: img.digest,
    signatureTag: `${img.repositoryName}:${pushed.tag}`,
    payload: payload.toString("utf8"),
    signature,
    signatures: pushed.layers,
  };
}

export interface BundleSignResult {
  image: string;
  digest: string;
  referrer: string;
}

/**
 * Signs the digest as cosign --new-bundle-format does (a DSSE statement with cosign's sign predicate in
 * a Sigstore bundle), key-signed and offline (no transparency log), pushed as an OCI 1.1 referrer.
 */
export async function signImageBundle(
  image: string,
  opts: { key: KeyObject; registry?: RegistryOptions; now?: Date },
): Promise<BundleSignResult> {
  const img = await resolveImage(image, opts.registry);
  // A tag's manifest was fetched when it was resolved.
  const m = img.manifest ?? (await img.repo.manifest(img.digest));
  if (!m) throw new SigningError("registry-error", `manifest ${img.digest} not found`, image);
  const bundle = keyBundle(opts.key, img.digest);
  const d = await pushBundle(
    img.repo,
    {
      digest: img.digest,
      mediaType: m.mediaType || "application/vnd.oci.image.manifest.v1+json",
      size: m.buf.length,
    },
    bundle,
    COSIGN_SIGN_PREDICATE,
    opts.now ?? new Date(),
  );
  return { image: `${img.repositoryName}@${img.digest}`, digest: img.digest, referrer: d.digest };
}
