/** Every failure of the signing layer carries a stable code (tests assert it) and names its input. */
export type SigningErrorCode =
  | "bad-key"
  | "unsupported-key"
  | "wrong-password"
  | "no-password"
  | "bad-encrypted-key"
  | "bad-certificate"
  | "bad-payload"
  | "bad-signature-manifest"
  | "bad-envelope"
  | "bad-statement"
  | "bad-predicate"
  | "bad-predicate-type"
  | "bad-annotation"
  | "bad-bundle"
  | "bad-trusted-root"
  | "bad-reference"
  | "not-a-registry-image"
  | "push-failed"
  | "registry-error"
  | "file-not-found"
  | "no-signatures"
  | "verification-failed";

export class SigningError extends Error {
  constructor(
    readonly code: SigningErrorCode,
    message: string,
    readonly input?: string,
  ) {
    super(input ? `${input}: ${message}` : message);
    this.name = "SigningError";
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function codeOf(err: unknown): string {
  const c = (err as { code?: unknown })?.code;
  return typeof c === "string" ? c : "error";
}
