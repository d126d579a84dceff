// DSSE envelopes (secure-systems-lab/dsse v1) around in-toto statements, as cosign attest writes them.
import type { KeyObject } from "node:crypto";
import { SigningError } from "./errors.js";
import { signBytes, verifyBytes } from "./keys.js";

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
export const STATEMENT_V01 = "https://in-toto.io/Statement/v0.1";
export const STATEMENT_V1 = "https://in-toto.io/Statement/v1";

export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

/** Pre-authentication encoding: "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths in bytes. */
export function pae(payloadType: string, body: Buffer): Buffer {
  const t = Buffer.from(payloadType, "utf8");
  return Buffer.concat([Buffer.from(`DSSEv1 ${t.length} `), t, Buffer.from(` ${body.length} `), body]);
}

export function signEnvelope(payloadType: string, body: Buffer, key: KeyObject, keyid = ""): Envelope {
  const sig = signBytes(key, pae(payloadType, body)).toString("base64");
  return { payloadType, payload: body.toString("base64"), signatures: [{ keyid, sig }] };
}

export function parseEnvelope(buf: Buffer, what: string): Envelope {
  let e: Envelope;
  try {
    e = JSON.parse(buf.toString("utf8")) as Envelope;
  } catch {
    throw new SigningError("bad-envelope", "DSSE envelope is not JSON", what);
  }
  if (
    !e ||
    typeof e.payloadType !== "string" ||
    typeof e.payload !== "string" ||
    !Array.isArray(e.signatures)
  )
    throw new SigningError("bad-envelope", "DSSE envelope needs payloadType, payload and signatures", what);
  return e;
}

/** Decodes base64 or base64url (the DSSE spec allows both). */
export function decodeB64(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/** Returns the index of the first signature that verifies with the key, or -1. */
export function verifyEnvelope(e: Envelope, key: KeyObject): number {
  const body = decodeB64(e.payload);
  const msg = pae(e.payloadType, body);
  return e.signatures.findIndex((s) => typeof s?.sig === "string" && verifyBytes(key, msg, decodeB64(s.sig)));
}
