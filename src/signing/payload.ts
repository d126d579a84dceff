// The simple-signing payload cosign signs (sigstore/sigstore pkg/signature/payload): the same
// bytes Go's encoding/json writes for the struct, so the digests of our payloads match cosign's.
import { SigningError } from "./errors.js";

export const COSIGN_SIGNATURE_TYPE = "cosign container image signature";

export interface SimpleSigning {
  dockerReference: string;
  digest: string;
  type: string;
  /** The "optional" object: annotations given at signing time (null when none). */
  optional: Record<string, unknown> | null;
}

/** JSON as Go's encoding/json writes it: object keys of maps sorted, <, >, & and U+2028/9 escaped. */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string")
    return JSON.stringify(v).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  if (typeof v === "number" || typeof v === "boolean") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${goJson(k)}:${goJson(o[k])}`)
    .join(",")}}`;
}

/** The payload bytes, fields in the struct order cosign's Go types declare them. */
export function simpleSigningPayload(
  dockerReference: string,
  digest: string,
  annotations?: Record<string, unknown>,
): Buffer {
  const optional = annotations && Object.keys(annotations).length > 0 ? goJson(annotations) : "null";
  return Buffer.from(
    `{"critical":{"identity":{"docker-reference":${goJson(dockerReference)}},"image":{"docker-manifest-digest":${goJson(
      digest,
    )}},"type":${goJson(COSIGN_SIGNATURE_TYPE)}},"optional":${optional}}`,
  );
}

export function parseSimpleSigning(buf: Buffer, what: string): SimpleSigning {
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString("utf8"));
  } catch {
    throw new SigningError("bad-payload", "payload is not JSON", what);
  }
  const c = (doc as { critical?: Record<string, unknown> })?.critical;
  if (!c || typeof c !== "object")
    throw new SigningError("bad-payload", "payload has no critical section", what);
  const ref = (c.identity as { "docker-reference"?: unknown })?.["docker-reference"];
  const digest = (c.image as { "docker-manifest-digest"?: unknown })?.["docker-manifest-digest"];
  if (typeof digest !== "string" || !digest)
    throw new SigningError("bad-payload", "invalid or missing digest in claim", what);
  const optional = (doc as { optional?: unknown }).optional;
  return {
    dockerReference: typeof ref === "string" ? ref : "",
    digest,
    type: typeof c.type === "string" ? c.type : "",
    optional: optional && typeof optional === "object" ? (optional as Record<string, unknown>) : null,
  };
}

/** cosign's comparison: every required annotation must be in "optional" with the same string form. */
export function missingAnnotations(
  optional: Record<string, unknown> | null,
  required: Record<string, string> | undefined,
): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(required ?? {})) {
    const got = optional?.[k];
    if (got === undefined || String(got) !== v) out.push(`${k}=${v}`);
  }
  return out;
}
