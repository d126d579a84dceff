// Sigstore bundles stored as OCI 1.1 referrers of the image (cosign --new-bundle-format), verified
// offline with @sigstore/verify against a trusted root file. Image signatures are DSSE envelopes of an
// in-toto statement with predicate type https://sigstore.dev/cosign/sign/v1 about the digest;
// attestations are the same with their own predicate type.

import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { type Bundle, bundleFromJSON, bundleToJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { type TrustMaterial, toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";
import { checkpoint, underSignal } from "./abort.js";
import { IN_TOTO_PAYLOAD_TYPE, STATEMENT_V1, signEnvelope } from "./dsse.js";
import { SigningError } from "./errors.js";
import { hasIdentityPolicy, type IdentityPolicy, identityMismatches } from "./identity.js";
import { keyId } from "./keys.js";
import { type Descriptor, fallbackTag, OCI_EMPTY, OCI_MANIFEST, type Repo } from "./registry-push.js";
import type { ResolvedImage } from "./resolve.js";
import type { TrustedKey } from "./verify.js";

export const BUNDLE_V03_MT = "application/vnd.dev.sigstore.bundle.v0.3+json";
export const BUNDLE_MEDIA_TYPES = [
  BUNDLE_V03_MT,
  "application/vnd.dev.sigstore.bundle+json;version=0.3",
  "application/vnd.dev.sigstore.bundle+json;version=0.2",
  "application/vnd.dev.sigstore.bundle+json;version=0.1",
];
export const COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
const EMPTY_JSON = Buffer.from("{}");

export interface Statement {
  _type?: string;
  predicateType?: string;
  subject?: Array<{ name?: string; digest?: Record<string, string> }>;
  predicate?: unknown;
}

/** Reads a trusted root JSON file (application/vnd.dev.sigstore.trustedroot+json). */
export function loadTrustedRoot(path: string): TrustedRoot {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new SigningError("bad-trusted-root", `cannot read trusted root: ${(err as Error).message}`, path);
  }
  if (
    !json ||
    typeof json !== "object" ||
    !String((json as { mediaType?: unknown }).mediaType ?? "").includes("trustedroot")
  )
    throw new SigningError(
      "bad-trusted-root",
      "not a Sigstore trusted root (mediaType ...trustedroot+json)",
      path,
    );
  try {
    return TrustedRoot.fromJSON(json);
  } catch (err) {
    throw new SigningError("bad-trusted-root", `invalid trusted root: ${(err as Error).message}`, path);
  }
}

export interface BundleVerifyOptions {
  trustedRoot?: TrustedRoot;
  /** Keys for bundles that name a public key (verificationMaterial.publicKey.hint). */
  keys?: TrustedKey[];
  identity?: IdentityPolicy;
  /** Accept bundles without transparency-log entries (cosign --insecure-ignore-tlog); keys only. */
  ignoreTlog?: boolean;
  /** Predicate type required of the statement (signatures: cosign's sign predicate). */
  predicateType: string;
}

export interface VerifiedBundle {
  signer: string;
  statement: Statement;
  bundle: unknown;
}

function trustMaterial(opts: BundleVerifyOptions): TrustMaterial {
  const root =
    opts.trustedRoot ??
    TrustedRoot.fromJSON({ mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1" });
  const keys = opts.keys ?? [];
  return toTrustMaterial(root, (hint: string) => {
    const k =
      keys.find((x) => keyId(x.key) === hint || x.name === hint) ?? (keys.length === 1 ? keys[0] : undefined);
    if (!k)
      throw new SigningError("verification-failed", `no trusted key for the bundle's key hint "${hint}"`);
    return { publicKey: k.key, validFor: () => true };
  });
}

/** Verifies one bundle document for an image digest; returns the reason when it fails. */
export function verifyBundleFor(
  json: unknown,
  digest: string,
  opts: BundleVerifyOptions,
): VerifiedBundle | string {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (err) {
    const fields = (err as { fields?: string[] }).fields;
    return `invalid bundle${fields ? ` (${fields.join(", ")})` : ""}: ${(err as Error).message}`;
  }
  const content = bundle.content;
  if (content.$case !== "dsseEnvelope")
    return "the bundle holds a message signature, not a DSSE statement about the image";
  const byKey = bundle.verificationMaterial.content.$case === "publicKey";
  if (!byKey && !opts.trustedRoot) return "a certificate bundle needs a trusted root (--trusted-root)";
  if (byKey && !(opts.keys && opts.keys.length > 0)) return "the bundle is signed with a key: give --key";
  const lax = byKey && opts.ignoreTlog;
  const verifier = new Verifier(
    trustMaterial(opts),
    lax ? { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 } : {},
  );
  let signer: ReturnType<Verifier["verify"]>;
  try {
    signer = verifier.verify(toSignedEntity(bundle));
  } catch (err) {
    return `bundle verification failed: ${(err as Error).message}`;
  }
  let signerName = "certificate";
  if (byKey) {
    const k = opts.keys!.find((x) => keyId(x.key) === keyId(signer.key as unknown as KeyObject));
    signerName = k?.name ?? "key";
  } else {
    const id = {
      subjectAlternativeName: signer.identity?.subjectAlternativeName,
      issuer: signer.identity?.extensions?.issuer,
    };
    if (!hasIdentityPolicy(opts.identity ?? {}))
      return "keyless bundles need --certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp)";
    const bad = identityMismatches(id, opts.identity ?? {});
    if (bad.length) return bad.join("; ");
    signerName = `${id.subjectAlternativeName ?? "?"} (${id.issuer ?? "?"})`;
  }
  const env = content.dsseEnvelope;
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return `payload type "${env.payloadType}" is not ${IN_TOTO_PAYLOAD_TYPE}`;
  let st: Statement;
  try {
    st = JSON.parse(Buffer.from(env.payload).toString("utf8")) as Statement;
  } catch {
    return "the statement is not JSON";
  }
  const [alg, hex] = digest.split(":");
  if (!(st.subject ?? []).some((s) => s?.digest?.[alg!] === hex))
    return `no statement subject has digest ${digest}`;
  if (st.predicateType !== opts.predicateType)
    return `predicate type is ${st.predicateType}, wanted ${opts.predicateType}`;
  return { signer: signerName, statement: st, bundle: json };
}

/** Lists the bundle referrers of the digest and verifies each one. */
export function verifyImageBundles(
  img: ResolvedImage,
  opts: BundleVerifyOptions,
): Promise<{ verified: VerifiedBundle[]; reasons: string[] }> {
  return underSignal(img.signal, () => verifyReferrerBundles(img, opts));
}

async function verifyReferrerBundles(
  img: ResolvedImage,
  opts: BundleVerifyOptions,
): Promise<{ verified: VerifiedBundle[]; reasons: string[] }> {
  const refs = await img.repo.referrers(img.digest);
  const bundles = refs.filter((d) => BUNDLE_MEDIA_TYPES.includes(d.artifactType ?? ""));
  const out = { verified: [] as VerifiedBundle[], reasons: [] as string[] };
  if (bundles.length === 0) {
    out.reasons.push(
      `no Sigstore bundles found for ${img.digest} (referrers API or tag ${fallbackTag(img.digest)})`,
    );
    return out;
  }
  for (const [i, d] of bundles.entries()) {
    await checkpoint(img.signal);
    try {
      const m = await img.repo.manifest(d.digest);
      if (!m) throw new SigningError("registry-error", `referrer ${d.digest} is listed but missing`);
      const layers = (JSON.parse(m.buf.toString("utf8")) as { layers?: Descriptor[] }).layers ?? [];
      const layer = layers.find((l) => BUNDLE_MEDIA_TYPES.includes(l.mediaType));
      if (!layer) throw new SigningError("bad-bundle", "referrer has no bundle layer");
      const json = JSON.parse((await img.repo.blob(layer.digest, 8 << 20)).toString("utf8")) as unknown;
      const r = verifyBundleFor(json, img.digest, opts);
      if (typeof r === "string") out.reasons.push(`bundle ${i} (${d.digest.slice(0, 19)}): ${r}`);
      else out.verified.push(r);
    } catch (err) {
      img.signal?.throwIfAborted(); // an aborted request is no reason about this bundle
      out.reasons.push(`bundle ${i} (${d.digest.slice(0, 19)}): ${(err as Error).message}`);
    }
  }
  return out;
}

/** A key-signed bundle (no transparency log: kubeward signs offline) with cosign's sign statement. */
export function keyBundle(
  key: KeyObject,
  digest: string,
  predicateType = COSIGN_SIGN_PREDICATE,
  predicate: unknown = {},
): unknown {
  const [alg, hex] = digest.split(":");
  const statement = Buffer.from(
    JSON.stringify({ _type: STATEMENT_V1, subject: [{ digest: { [alg!]: hex } }], predicateType, predicate }),
  );
  const env = signEnvelope(IN_TOTO_PAYLOAD_TYPE, statement, key);
  const json = {
    mediaType: BUNDLE_V03_MT,
    verificationMaterial: {
      publicKey: { hint: keyId(key) },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: {
      payload: env.payload,
      payloadType: env.payloadType,
      signatures: [{ sig: env.signatures[0]!.sig, keyid: "" }],
    },
  };
  return bundleToJSON(bundleFromJSON(json));
}

/** Pushes a bundle as a referrer of the image manifest (falls back to the referrers tag schema). */
export async function pushBundle(
  repo: Repo,
  subject: { digest: string; mediaType: string; size: number },
  bundle: unknown,
  predicateType: string,
  now: Date,
): Promise<Descriptor> {
  const blob = Buffer.from(JSON.stringify(bundle));
  const layer = await repo.pushBlob(blob, BUNDLE_V03_MT);
  const config = await repo.pushBlob(EMPTY_JSON, OCI_EMPTY);
  const annotations = {
    "dev.sigstore.bundle.content": "dsse-envelope",
    "dev.sigstore.bundle.predicateType": predicateType,
    "org.opencontainers.image.created": now.toISOString(),
  };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: BUNDLE_V03_MT,
      config: { mediaType: OCI_EMPTY, digest: config.digest, size: config.size },
      layers: [{ mediaType: BUNDLE_V03_MT, digest: layer.digest, size: layer.size }],
      subject,
      annotations,
    }),
  );
  return repo.pushReferrer(subject.digest, manifest, {
    mediaType: OCI_MANIFEST,
    artifactType: BUNDLE_V03_MT,
    annotations,
  });
}
