// Interfaces between the admission controller and the supply-chain layers. The admission layer
// calls these; the signing and vulnerability layers implement them; the CLI wires the two.
import type { Finding } from "./model.js";

/** What a signature must satisfy for one image pattern. */
export interface SignaturePolicy {
  /** PEM public keys (cosign.pub); a signature by any of them is enough. */
  keys?: string[];
  /** Keyless: expected certificate identity and OIDC issuer (exact, or regular expressions). */
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  /** Annotations every accepted signature payload must carry. */
  annotations?: Record<string, string>;
}

export interface SignatureVerdict {
  verified: boolean;
  /** The digest that was checked (a tag is resolved first). */
  digest?: string;
  /** Why it failed, or which signer made it pass; each reason one line. */
  reasons: string[];
}

/** Verifies an image's signatures against a policy. Implementations cache verdicts by digest. */
export interface SignatureVerifier {
  verify(image: string, policy: SignaturePolicy, opts?: { signal?: AbortSignal }): Promise<SignatureVerdict>;
}

/** Scans an image for vulnerabilities. Implementations cache results by digest. */
export interface ImageVulnerabilityScanner {
  scan(image: string, opts?: { signal?: AbortSignal }): Promise<{ digest: string; findings: Finding[] }>;
}
