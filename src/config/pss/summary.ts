// One-line summaries of an evaluation, in the shape Pod Security Admission uses for its denials and
// warnings: the forbidden reasons joined with ", ", each followed by its detail in parentheses.
import type { PssLevel, PssResult } from "./types.js";

/** "host namespaces (hostNetwork=true), privileged (container "a" must not ...)". Empty for no results. */
export function pssSummary(results: readonly PssResult[]): string {
  return results.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(", ");
}

/**
 * The message an admission response or a warning can carry, e.g.
 * `violates PodSecurity "restricted:v1.37": allowPrivilegeEscalation != false (...)`.
 * `version` is printed as given ("latest" stays "latest", like the namespace label).
 */
export function pssViolationMessage(results: readonly PssResult[], level: PssLevel, version: string): string {
  return `violates PodSecurity ${JSON.stringify(`${level}:${version}`)}: ${pssSummary(results)}`;
}
