/** Every failure of the image layer carries a stable code (tests assert it) and names its input. */
export type ImageErrorCode =
  | "bad-reference"
  | "not-found"
  | "unsupported-media-type"
  | "unsupported-manifest"
  | "bad-manifest"
  | "bad-config"
  | "bad-index"
  | "no-matching-platform"
  | "digest-mismatch"
  | "tar-path-escape"
  | "tar-invalid"
  | "tar-entry-too-large"
  | "layer-too-large"
  | "too-many-entries"
  | "decompress-failed"
  | "registry-auth"
  | "registry-error"
  | "registry-insecure"
  | "network"
  | "credential-helper"
  | "file-too-large"
  | "parse-error";

export class ImageError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    readonly input?: string,
  ) {
    super(input ? `${input}: ${message}` : message);
    this.name = "ImageError";
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function errorCode(err: unknown, fallback = "parse-error"): string {
  if (err instanceof ImageError) return err.code;
  const c = (err as { code?: unknown })?.code;
  return typeof c === "string" ? c : fallback;
}
