// `kubeward verify`: fetches the cosign signature image of the resolved digest and accepts each
// layer whose signature verifies over the exact payload bytes with a trusted key and whose claims
// name the same digest (and repository), with every required annotation.
import type { KeyObject } from "node:crypto";
import { X509Certificate as SigstoreCert } from "@sigstore/core";
import type { RegistryOptions } from "../images/registry/client.js";
import { checkpoint, underSignal } from "./abort.js";
import { SigningError } from "./errors.js";
import { type CertIdentity, type IdentityPolicy, identityMismatches } from "./identity.js";
import { keyId, loadPublicKey, verifyBytes } from "./keys.js";
import { isKeylessLayer, type KeylessOptions, verifyLegacyKeyless } from "./legacy-keyless.js";
import { cosignTag, readCosignLayers, SIG_ANNOTATION, SIMPLE_SIGNING_MT } from "./oci.js";
import {
  COSIGN_SIGNATURE_TYPE,
  missingAnnotations,
  parseSimpleSigning,
  type SimpleSigning,
} from "./payload.js";
import { normaliseRepositoryName, type ResolvedImage, resolveImage } from "./resolve.js";

export interface TrustedKey {
  key: KeyObject;
  /** Where the key came from (file name, policy entry), for messages. */
  name: string;
}

export interface VerifyOptions {
  keys: TrustedKey[];
  /** Also accept cosign's classic keyless signatures (certificate + Rekor bundle annotations). */
  keyless?: KeylessOptions;
  annotations?: Record<string, string>;
  /** Accept payloads that name another repository (cosign never checks it; kubeward does by default). */
  allowOtherRepository?: boolean;
  registry?: RegistryOptions;
  /**
   * Stops verifyImageSignatures (registry requests included), which then rejects with the signal's
   * reason. verifyResolved follows the signal the image was resolved with.
   */
  signal?: AbortSignal;
}

export interface VerifiedSignature {
  layer: number;
  signer: string;
  payload: SimpleSigning;
  /** The payload exactly as signed. */
  payloadJson: unknown;
}

export interface VerifyResult {
  image: string;
  digest: string;
  signatureTag: string;
  verified: VerifiedSignature[];
  /** One line per rejected signature (or why none was found). */
  reasons: string[];
}

export async function verifyImageSignatures(image: string, opts: VerifyOptions): Promise<VerifyResult> {
  if (opts.keys.length === 0 && !opts.keyless)
    throw new SigningError(
      "bad-key",
      "no verification key (or keyless identity with a trusted root) given",
      image,
    );
  const img = await resolveImage(image, opts.registry, opts.signal ? { signal: opts.signal } : {});
  return verifyResolved(img, opts);
}

/** verifyImageSignatures on an image already resolved; the signal it was resolved with stops it. */
export function verifyResolved(img: ResolvedImage, opts: VerifyOptions): Promise<VerifyResult> {
  return underSignal(img.signal, () => verifyLayers(img, opts));
}

async function verifyLayers(img: ResolvedImage, opts: VerifyOptions): Promise<VerifyResult> {
  const found = await readCosignLayers(img.repo, img.digest, "sig", img.signal);
  const base = { image: `${img.repositoryName}@${img.digest}`, digest: img.digest };
  const signatureTag = `${img.repositoryName}:${cosignTag(img.digest, "sig")}`;
  if (!found || found.layers.length === 0)
    return {
      ...base,
      signatureTag,
      verified: [],
      reasons: [`no signatures found for ${img.digest} (no ${signatureTag})`],
    };
  const verified: VerifiedSignature[] = [];
  const reasons: string[] = [];
  for (const [i, layer] of found.layers.entries()) {
    await checkpoint(img.signal);
    const r = checkLayer(layer, i, img, opts);
    if (typeof r === "string") reasons.push(`signature ${i}: ${r}`);
    else verified.push(r);
  }
  return { ...base, signatureTag, verified, reasons };
}

function checkLayer(
  layer: { mediaType: string; payload: Buffer; annotations: Record<string, string> },
  i: number,
  img: ResolvedImage,
  opts: VerifyOptions,
): VerifiedSignature | string {
  if (layer.mediaType !== SIMPLE_SIGNING_MT)
    return `layer media type is ${layer.mediaType}, not ${SIMPLE_SIGNING_MT}`;
  const b64 = layer.annotations[SIG_ANNOTATION];
  if (!b64) return `no ${SIG_ANNOTATION} annotation`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return `the ${SIG_ANNOTATION} annotation is not base64`;
  const sig = Buffer.from(b64, "base64");
  let signer: { name: string } | undefined = opts.keys.find((k) => verifyBytes(k.key, layer.payload, sig));
  if (!signer && opts.keyless && isKeylessLayer(layer.annotations)) {
    const r = verifyLegacyKeyless(layer.payload, layer.annotations, opts.keyless);
    if (typeof r === "string") return r;
    signer = { name: r.signer };
  }
  if (!signer) {
    if (opts.keys.length === 0)
      return "not a keyless signature (no certificate annotation) and no key was given";
    return `signature does not verify over the payload with ${
      opts.keys.length === 1 ? `the key ${opts.keys[0]!.name}` : `any of ${opts.keys.length} keys`
    } (tampered payload or signature, or another signer)`;
  }
  let payload: SimpleSigning;
  try {
    payload = parseSimpleSigning(layer.payload, `signature ${i}`);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (payload.type.toLowerCase() !== COSIGN_SIGNATURE_TYPE)
    return `payload type "${payload.type}" is not "${COSIGN_SIGNATURE_TYPE}"`;
  if (payload.digest !== img.digest)
    return `payload is for digest ${payload.digest}, the image is ${img.digest}`;
  if (!opts.allowOtherRepository && normaliseRepositoryName(payload.dockerReference) !== img.repositoryName)
    return `payload names repository "${payload.dockerReference}", the image is in ${img.repositoryName}`;
  const missing = missingAnnotations(payload.optional, opts.annotations);
  if (missing.length) return `payload lacks required annotation(s) ${missing.join(", ")}`;
  return { layer: i, signer: signer.name, payload, payloadJson: JSON.parse(layer.payload.toString("utf8")) };
}

/** The identity Fulcio writes in a certificate: SAN and the OIDC issuer extension (v2 OID, then v1). */
export function certificateIdentity(pem: string, what: string): CertIdentity {
  let cert: SigstoreCert;
  try {
    cert = SigstoreCert.parse(pem);
  } catch (err) {
    throw new SigningError("bad-certificate", `cannot parse certificate: ${(err as Error).message}`, what);
  }
  let issuer: string | undefined;
  const v2 = cert.extension("1.3.6.1.4.1.57264.1.8");
  if (v2) issuer = v2.valueObj.subs?.[0]?.value.toString("utf8");
  else issuer = cert.extension("1.3.6.1.4.1.57264.1.1")?.value.toString("utf8");
  return {
    ...(cert.subjectAltName ? { subjectAlternativeName: cert.subjectAltName } : {}),
    ...(issuer ? { issuer } : {}),
  };
}

/** A --cert verification key: the certificate's key, after the identity constraints are checked. */
export function keyFromCertificate(pem: string, policy: IdentityPolicy, what: string): TrustedKey {
  const key = loadPublicKey(pem, what);
  const mismatches = identityMismatches(certificateIdentity(pem, what), policy);
  if (mismatches.length) throw new SigningError("verification-failed", mismatches.join("; "), what);
  return { key, name: `${what} (${keyId(key)})` };
}
