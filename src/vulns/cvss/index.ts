import { cvss2BaseScore, cvss3BaseScore } from "./v3.js";
import { cvss4BaseScore } from "./v4.js";

/** Base score of a CVSS vector of any supported version (2.0, 3.0, 3.1, 4.0); undefined when it does not parse. */
export function cvssScore(vector: string): { version: string; score: number } | undefined {
  const v = vector.trim();
  if (v.startsWith("CVSS:4.0/")) return cvss4BaseScore(v);
  if (v.startsWith("CVSS:3.")) return cvss3BaseScore(v);
  return cvss2BaseScore(v);
}

export { cvss2BaseScore, cvss3BaseScore, cvss4BaseScore };
