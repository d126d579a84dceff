import type { ObjectCheck, Violation } from "../../core/check.js";
import { containersOf, POD_KINDS, podOf } from "../../core/podspec.js";
import { recordList } from "./lib/k8s.js";

/** Variable names that say "credential". Matched on the upper-cased name split at "_", "-", ".". */
const NAME_PATTERN =
  /(^|_)(PASSWORD|PASSWD|PASS|SECRET|SECRETS|TOKEN|TOKENS|APIKEY|API_KEY|ACCESS_KEY|SECRET_KEY|PRIVATE_KEY|CLIENT_SECRET|CREDENTIALS?|AUTH_KEY|SIGNING_KEY|ENCRYPTION_KEY)(_|$)/;

/** Names that mention a credential but hold a reference to it (a path, a URL, a Secret's name). */
const REFERENCE_SUFFIX =
  /_(FILE|PATH|DIR|URL|URI|ENDPOINT|NAME|REF|KEY_ID|ID|LENGTH|TTL|EXPIRY|HEADER|ENABLED)$/;

/** Values that are credentials whatever the variable is called. */
const VALUE_PATTERNS: ReadonlyArray<{ label: string; re: RegExp }> = [
  { label: "an AWS access key id", re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { label: "a PEM private key", re: /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/ },
  { label: "a GitHub token", re: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/ },
  { label: "a Slack token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { label: "a Google API key", re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { label: "a Stripe secret key", re: /\b[sr]k_live_[0-9A-Za-z]{16,}\b/ },
  { label: "credentials in a URL", re: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
];

/** Which rule makes this env entry look like a literal secret; undefined when it does not. */
export function secretReason(name: string, value: string): string | undefined {
  if (value.trim() === "") return undefined;
  for (const p of VALUE_PATTERNS) if (p.re.test(value)) return `its value looks like ${p.label}`;
  // A flag or a $(VAR) reference to another variable is not a credential, whatever the name says.
  if (/^(true|false|yes|no|on|off|enabled|disabled)$/i.test(value.trim())) return undefined;
  if (/^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$/.test(value.trim())) return undefined;
  const upper = name.toUpperCase().replace(/[-.]/g, "_");
  if (NAME_PATTERN.test(upper) && !REFERENCE_SUFFIX.test(upper)) return "its name says it holds a credential";
  return undefined;
}

/**
 * KW-WL-009: credentials written as literal env values. They end up in the manifest, in Git, in
 * the Deployment object readable by anyone with get on it, and in `kubectl describe` output.
 * valueFrom (secretKeyRef) is the fix and is never reported; the value itself is never echoed.
 */
export const envSecrets: ObjectCheck = {
  id: "KW-WL-009",
  title: "Secret passed as a literal environment variable",
  severity: "high",
  layer: "workload",
  description:
    "An env entry with a credential-like name (PASSWORD, TOKEN, SECRET, API_KEY, PRIVATE_KEY...) or a value that " +
    "looks like a key (AWS access key id, PEM private key, GitHub/Slack/Google tokens) is set with a literal " +
    "`value`. The secret is then stored in plain text wherever the manifest goes.",
  remediation:
    "Move the value into a Secret and reference it with env[].valueFrom.secretKeyRef, or better mount the " +
    "Secret as a file; rotate the exposed credential.",
  references: [
    "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables",
    "https://kubernetes.io/docs/concepts/security/secrets-good-practices/",
  ],
  frameworks: { cis: ["5.4.1"], nsa: ["network-separation"] },
  kinds: POD_KINDS,
  run(obj) {
    const pod = podOf(obj);
    if (!pod) return [];
    const out: Violation[] = [];
    for (const c of containersOf(pod)) {
      for (const { item, index } of recordList(c.container.env)) {
        const { name, value } = item;
        if (typeof name !== "string" || typeof value !== "string") continue;
        const reason = secretReason(name, value);
        if (!reason) continue;
        out.push({
          message: `container "${c.name}" sets env ${name} to a literal value; ${reason}`,
          path: [...c.path, "env", index, "value"],
          container: c.name,
        });
      }
    }
    return out;
  },
};
