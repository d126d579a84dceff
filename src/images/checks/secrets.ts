// Shared by the ENV and label secret checks (and the Dockerfile ones): what looks like a secret.

const NAME_RE =
  /(^|_|-|\.)(PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|APIKEY|PRIVATE_?KEY|ACCESS_?KEY|SECRET_?KEY|CREDENTIALS?|AUTH)($|_|-|\.)/i;
const NOT_SECRET_NAME = /(_FILE|_PATH|_DIR|_URL|_HOST|_PORT|_USER|_USERNAME|_NAME|_LENGTH|_TTL|_EXPIRY)$/i;

const VALUE_PATTERNS: [string, RegExp][] = [
  ["AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ["GitLab token", /\bglpat-[A-Za-z0-9_-]{20,}\b/],
  ["Slack token", /\bxox[baprs]-[A-Za-z0-9-]{10,}\b/],
  ["private key", /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/],
  ["Google API key", /\bAIza[0-9A-Za-z_-]{35}\b/],
  ["Stripe secret key", /\bsk_live_[0-9a-zA-Z]{24,}\b/],
];

/** Why a name=value pair looks like a secret, or undefined. Values are never echoed back. */
export function secretReason(name: string, value: string): string | undefined {
  for (const [what, re] of VALUE_PATTERNS) if (re.test(value)) return `value looks like a ${what}`;
  if (!value || value.length < 4) return undefined;
  if (/^\$\{?[A-Za-z_]\w*\}?$/.test(value) || value.startsWith("/")) return undefined;
  if (NAME_RE.test(name) && !NOT_SECRET_NAME.test(name)) return `name "${name}" suggests a secret`;
  return undefined;
}

export function splitEnv(entry: string): [string, string] {
  const eq = entry.indexOf("=");
  return eq < 0 ? [entry, ""] : [entry.slice(0, eq), entry.slice(eq + 1)];
}
