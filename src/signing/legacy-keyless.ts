// cosign's classic keyless signatures in a .sig image: the Fulcio certificate and its chain in the
// layer annotations dev.sigstore.cosign/certificate and /chain, and the Rekor entry's signed entry
// timestamp in dev.sigstore.cosign/bundle. They carry the same evidence as a Sigstore bundle v0.1
// with a message signature, so kubeward rebuilds that bundle and lets @sigstore/verify check it
// (chain to the trusted root, SCT, SET over the entry, entry body against the signature) offline.
import { createHash } from "node:crypto";
import { bundleFromJSON } from "@sigstore/bundle";
import type { TrustedRoot } from "@sigstore/protobuf-specs";
import { toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";
import { type CertIdentity, hasIdentityPolicy, type IdentityPolicy, identityMismatches } from "./identity.js";
import { decodePem } from "./keys.js";
import { BUNDLE_ANNOTATION, CERT_ANNOTATION, CHAIN_ANNOTATION, SIG_ANNOTATION } from "./oci.js";

export interface KeylessOptions {
  trustedRoot: TrustedRoot;
  identity: IdentityPolicy;
}

interface RekorBundle {
  SignedEntryTimestamp?: string;
  Payload?: { body?: string; integratedTime?: number; logIndex?: number; logID?: string };
}

export function isKeylessLayer(annotations: Record<string, string>): boolean {
  return Boolean(annotations[CERT_ANNOTATION]);
}

/** Builds the v0.1 bundle equivalent of a classic keyless layer; returns the reason when it cannot. */
export function legacyToBundle(payload: Buffer, annotations: Record<string, string>): unknown | string {
  const certs = [
    ...decodePem(annotations[CERT_ANNOTATION] ?? "", "certificate annotation"),
    ...decodePem(annotations[CHAIN_ANNOTATION] ?? "", "chain annotation"),
  ].filter((b) => b.type === "CERTIFICATE");
  if (certs.length === 0) return `the ${CERT_ANNOTATION} annotation holds no certificate`;
  const raw = annotations[BUNDLE_ANNOTATION];
  if (!raw)
    return `no ${BUNDLE_ANNOTATION} annotation (no transparency-log evidence for the keyless signature)`;
  let rb: RekorBundle;
  try {
    rb = JSON.parse(raw) as RekorBundle;
  } catch {
    return `the ${BUNDLE_ANNOTATION} annotation is not JSON`;
  }
  const p = rb.Payload;
  if (
    !rb.SignedEntryTimestamp ||
    !p?.body ||
    p.integratedTime === undefined ||
    p.logIndex === undefined ||
    !p.logID
  )
    return `the ${BUNDLE_ANNOTATION} annotation lacks SignedEntryTimestamp or Payload fields`;
  let kind = "hashedrekord";
  let version = "0.0.1";
  try {
    const body = JSON.parse(Buffer.from(p.body, "base64").toString("utf8")) as {
      kind?: string;
      apiVersion?: string;
    };
    kind = body.kind ?? kind;
    version = body.apiVersion ?? version;
  } catch {
    return "the Rekor entry body is not JSON";
  }
  return {
    mediaType: "application/vnd.dev.sigstore.bundle+json;version=0.1",
    verificationMaterial: {
      x509CertificateChain: { certificates: certs.map((c) => ({ rawBytes: c.der.toString("base64") })) },
      tlogEntries: [
        {
          logIndex: String(p.logIndex),
          logId: { keyId: Buffer.from(p.logID, "hex").toString("base64") },
          kindVersion: { kind, version },
          integratedTime: String(p.integratedTime),
          inclusionPromise: { signedEntryTimestamp: rb.SignedEntryTimestamp },
          canonicalizedBody: p.body,
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: { algorithm: "SHA2_256", digest: createHash("sha256").update(payload).digest("base64") },
      signature: annotations[SIG_ANNOTATION] ?? "",
    },
  };
}

/** Verifies a classic keyless signature layer; returns the signer's identity or the reason it fails. */
export function verifyLegacyKeyless(
  payload: Buffer,
  annotations: Record<string, string>,
  opts: KeylessOptions,
): { signer: string; identity: CertIdentity } | string {
  if (!hasIdentityPolicy(opts.identity))
    return "keyless signatures need --certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp)";
  const json = legacyToBundle(payload, annotations);
  if (typeof json === "string") return json;
  let signer: ReturnType<Verifier["verify"]>;
  try {
    const bundle = bundleFromJSON(json);
    signer = new Verifier(toTrustMaterial(opts.trustedRoot)).verify(toSignedEntity(bundle, payload));
  } catch (err) {
    return `keyless verification failed: ${(err as Error).message}`;
  }
  const identity: CertIdentity = {
    ...(signer.identity?.subjectAlternativeName
      ? { subjectAlternativeName: signer.identity.subjectAlternativeName }
      : {}),
    ...(signer.identity?.extensions?.issuer ? { issuer: signer.identity.extensions.issuer } : {}),
  };
  const bad = identityMismatches(identity, opts.identity);
  if (bad.length) return bad.join("; ");
  return { signer: `${identity.subjectAlternativeName ?? "?"} (${identity.issuer ?? "?"})`, identity };
}
