// `kubeward attest` / `verify-attestation`: in-toto statements about the image digest, in DSSE
// envelopes signed with the key, stored as layers of the cosign attestation image (sha256-<hex>.att).
import type { KeyObject } from "node:crypto";
import type { RegistryOptions } from "../images/registry/client.js";
import { checkpoint, underSignal } from "./abort.js";
import {
  decodeB64,
  type Envelope,
  IN_TOTO_PAYLOAD_TYPE,
  parseEnvelope,
  STATEMENT_V1,
  STATEMENT_V01,
  signEnvelope,
  verifyEnvelope,
} from "./dsse.js";
import { SigningError } from "./errors.js";
import {
  appendCosignLayers,
  cosignTag,
  DSSE_MT,
  PREDICATE_TYPE_ANNOTATION,
  readCosignLayers,
  SIG_ANNOTATION,
} from "./oci.js";
import { goJson } from "./payload.js";
import { buildPredicate, predicateTypeUri } from "./predicates.js";
import { normaliseRepositoryName, type ResolvedImage, resolveImage } from "./resolve.js";
import type { TrustedKey } from "./verify.js";

export interface Statement {
  _type: string;
  predicateType: string;
  subject: Array<{ name: string; digest: Record<string, string> }>;
  predicate: unknown;
}

/** The statement bytes: header fields in in-toto-golang's struct order, the predicate as Go marshals a map. */
export function statementBytes(
  subjectName: string,
  digest: string,
  predicateType: string,
  predicate: unknown,
): Buffer {
  const [alg, hex] = digest.split(":");
  return Buffer.from(
    `{"_type":${goJson(STATEMENT_V01)},"predicateType":${goJson(predicateType)},"subject":[{"name":${goJson(
      subjectName,
    )},"digest":{${goJson(alg)}:${goJson(hex)}}}],"predicate":${goJson(predicate)}}`,
  );
}

export interface AttestOptions {
  key: KeyObject;
  /** Predicate type: short name (custom, slsaprovenance, spdxjson, cyclonedx, vuln, ...) or URI. */
  type: string;
  /** The predicate file's bytes. */
  predicate: Buffer;
  /** Name of the predicate input, for messages. */
  predicateName?: string;
  registry?: RegistryOptions;
  /** Clock for the custom wrapper's timestamp. */
  now?: Date;
}

export interface AttestResult {
  image: string;
  digest: string;
  attestationTag: string;
  predicateType: string;
  attestations: number;
}

export async function attestImage(image: string, opts: AttestOptions): Promise<AttestResult> {
  const built = buildPredicate({
    type: opts.type,
    content: opts.predicate,
    now: opts.now ?? new Date(),
    what: opts.predicateName ?? "predicate",
  });
  const img = await resolveImage(image, opts.registry, { mustExist: true });
  const body = statementBytes(img.repositoryName, img.digest, built.predicateType, built.predicate);
  const env = signEnvelope(IN_TOTO_PAYLOAD_TYPE, body, opts.key);
  const pushed = await appendCosignLayers(img.repo, img.digest, "att", [
    {
      mediaType: DSSE_MT,
      payload: Buffer.from(JSON.stringify(env)),
      annotations: { [SIG_ANNOTATION]: "", [PREDICATE_TYPE_ANNOTATION]: built.predicateType },
    },
  ]);
  return {
    image: `${img.repositoryName}@${img.digest}`,
    digest: img.digest,
    attestationTag: `${img.repositoryName}:${pushed.tag}`,
    predicateType: built.predicateType,
    attestations: pushed.layers,
  };
}

export interface VerifiedAttestation {
  layer: number;
  signer: string;
  envelope: Envelope;
  statement: Statement;
}

export interface VerifyAttestationOptions {
  keys: TrustedKey[];
  /** Only accept statements of this predicate type (short name or URI). */
  type?: string;
  allowOtherRepository?: boolean;
  registry?: RegistryOptions;
  /**
   * Stops verifyAttestations (registry requests included), which then rejects with the signal's
   * reason. verifyResolvedAttestations follows the signal the image was resolved with.
   */
  signal?: AbortSignal;
}

export interface VerifyAttestationResult {
  image: string;
  digest: string;
  verified: VerifiedAttestation[];
  reasons: string[];
}

export async function verifyAttestations(
  image: string,
  opts: VerifyAttestationOptions,
): Promise<VerifyAttestationResult> {
  if (opts.keys.length === 0) throw new SigningError("bad-key", "no verification key given", image);
  if (opts.type) predicateTypeUri(opts.type); // an unknown type fails before the registry is asked
  const img = await resolveImage(image, opts.registry, opts.signal ? { signal: opts.signal } : {});
  return verifyResolvedAttestations(img, opts);
}

/** verifyAttestations on an image already resolved to its digest. */
export function verifyResolvedAttestations(
  img: ResolvedImage,
  opts: VerifyAttestationOptions,
): Promise<VerifyAttestationResult> {
  return underSignal(img.signal, () => verifyStoredAttestations(img, opts));
}

async function verifyStoredAttestations(
  img: ResolvedImage,
  opts: VerifyAttestationOptions,
): Promise<VerifyAttestationResult> {
  const wanted = opts.type ? predicateTypeUri(opts.type) : undefined;
  const found = await readCosignLayers(img.repo, img.digest, "att", img.signal);
  const out: VerifyAttestationResult = {
    image: `${img.repositoryName}@${img.digest}`,
    digest: img.digest,
    verified: [],
    reasons: [],
  };
  if (!found || found.layers.length === 0) {
    out.reasons.push(
      `no attestations found for ${img.digest} (no ${img.repositoryName}:${cosignTag(img.digest, "att")})`,
    );
    return out;
  }
  for (const [i, layer] of found.layers.entries()) {
    await checkpoint(img.signal);
    const r = checkAttestation(layer.payload, layer.mediaType, i, img, opts, wanted);
    if (typeof r === "string") out.reasons.push(`attestation ${i}: ${r}`);
    else out.verified.push(r);
  }
  return out;
}

function checkAttestation(
  payload: Buffer,
  mediaType: string,
  i: number,
  img: ResolvedImage,
  opts: VerifyAttestationOptions,
  wanted: string | undefined,
): VerifiedAttestation | string {
  if (mediaType !== DSSE_MT) return `layer media type is ${mediaType}, not ${DSSE_MT}`;
  let env: Envelope;
  try {
    env = parseEnvelope(payload, `attestation ${i}`);
  } catch (err) {
    return (err as Error).message;
  }
  const signer = opts.keys.find((k) => verifyEnvelope(env, k.key) >= 0);
  if (!signer)
    return "no DSSE signature verifies with the given key(s) (tampered statement or signature, or another signer)";
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return `payload type "${env.payloadType}" is not ${IN_TOTO_PAYLOAD_TYPE}`;
  let st: Statement;
  try {
    st = JSON.parse(decodeB64(env.payload).toString("utf8")) as Statement;
  } catch {
    return "the statement is not JSON";
  }
  if (st?._type !== STATEMENT_V01 && st?._type !== STATEMENT_V1)
    return `statement _type "${String(st?._type)}" is not in-toto`;
  const hex = img.digest.split(":")[1];
  const subjects = Array.isArray(st.subject) ? st.subject : [];
  const subj = subjects.find((s) => s?.digest?.sha256 === hex);
  if (!subj) return `no statement subject has digest ${img.digest}`;
  if (!opts.allowOtherRepository && subj.name && normaliseRepositoryName(subj.name) !== img.repositoryName)
    return `statement subject names repository "${subj.name}", the image is in ${img.repositoryName}`;
  if (wanted && st.predicateType !== wanted) return `predicate type is ${st.predicateType}, wanted ${wanted}`;
  return { layer: i, signer: signer.name, envelope: env, statement: st };
}
