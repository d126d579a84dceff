// Certificate identity constraints (cosign --certificate-identity[-regexp], --certificate-oidc-issuer[-regexp]).
// As in cosign, the regular expressions are searched for (unanchored), exact values compare whole strings.
import { SigningError } from "./errors.js";

export interface IdentityPolicy {
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
}

export interface CertIdentity {
  subjectAlternativeName?: string;
  issuer?: string;
}

export function hasIdentityPolicy(p: IdentityPolicy): boolean {
  return Boolean(
    p.certificateIdentity ||
      p.certificateIdentityRegexp ||
      p.certificateOidcIssuer ||
      p.certificateOidcIssuerRegexp,
  );
}

function compile(src: string, flag: string): RegExp {
  try {
    return new RegExp(src, "u");
  } catch (err) {
    throw new SigningError(
      "verification-failed",
      `invalid regular expression for ${flag}: ${(err as Error).message}`,
      src,
    );
  }
}

/** Returns the reasons the identity fails the policy (empty when it satisfies it). */
export function identityMismatches(id: CertIdentity, p: IdentityPolicy): string[] {
  const out: string[] = [];
  const san = id.subjectAlternativeName ?? "";
  const iss = id.issuer ?? "";
  if (p.certificateIdentity !== undefined && san !== p.certificateIdentity)
    out.push(`certificate identity "${san}" is not "${p.certificateIdentity}"`);
  if (
    p.certificateIdentityRegexp !== undefined &&
    !compile(p.certificateIdentityRegexp, "--certificate-identity-regexp").test(san)
  )
    out.push(`certificate identity "${san}" does not match /${p.certificateIdentityRegexp}/`);
  if (p.certificateOidcIssuer !== undefined && iss !== p.certificateOidcIssuer)
    out.push(`certificate OIDC issuer "${iss}" is not "${p.certificateOidcIssuer}"`);
  if (
    p.certificateOidcIssuerRegexp !== undefined &&
    !compile(p.certificateOidcIssuerRegexp, "--certificate-oidc-issuer-regexp").test(iss)
  )
    out.push(`certificate OIDC issuer "${iss}" does not match /${p.certificateOidcIssuerRegexp}/`);
  return out;
}
