// Errors of the admission layer. Every error carries a stable `code` (tests assert it) and a
// message naming the input it is about.

export type AdmissionErrorCode =
  | "config-unreadable"
  | "config-invalid"
  | "review-not-json"
  | "review-kind"
  | "review-version"
  | "review-no-request"
  | "review-no-uid"
  | "review-invalid"
  | "body-too-large"
  | "body-timeout"
  | "namespace-lookup"
  | "policy-invalid"
  | "params-invalid"
  | "tls-unreadable"
  | "tls-invalid"
  | "usage";

export class AdmissionError extends Error {
  constructor(
    readonly code: AdmissionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AdmissionError";
  }
}

/** "spec.containers[0].image" for ["spec", "containers", 0, "image"]. */
export function fieldText(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? p : `.${p}`;
  }
  return out;
}
