// The Kubernetes CEL `format` library (Kubernetes 1.31+): format.<name>() and format.named(name)
// give a kubernetes.NamedFormat whose validate(s) is optional.none() for a valid string, else an
// optional list of the messages the Kubernetes API validators give (their exact wording).
import { CelScalar, celFunc, celList, celMethod } from "@bufbuild/cel";
import { optionalNone, optionalOf } from "./optional.js";
import { FORMAT_DESC, FORMAT_TYPE, fieldsOf, newValue, OPTIONAL_TYPE } from "./types.js";
import { parseRequestURI } from "./url.js";

const maxLen = (n: number) => `must be no more than ${n} characters`;
const maxBytes = (n: number) => `must be no more than ${n} bytes`;
function regexError(msg: string, re: string, ...examples: string[]): string {
  const eg = examples.map((e) => `'${e}', `).join(" or ");
  return `${msg} (${examples.length > 0 ? `e.g. ${eg}` : ""}regex used for validation is '${re}')`;
}

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const DNS1035 = "[a-z]([-a-z0-9]*[a-z0-9])?";
const KEY_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE = `(${KEY_NAME})?`;
const whole = (re: string) => new RegExp(`^(?:${re})$`);
const LABEL_RE = whole(LABEL);
const SUBDOMAIN_RE = whole(SUBDOMAIN);
const DNS1035_RE = whole(DNS1035);
const KEY_NAME_RE = whole(KEY_NAME);
const LABEL_VALUE_RE = whole(LABEL_VALUE);
// Go measures lengths in bytes.
const byteLength = (s: string) => Buffer.byteLength(s);

function dns1123Label(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > 63) errs.push(maxLen(63));
  if (!LABEL_RE.test(s)) {
    if (SUBDOMAIN_RE.test(s)) errs.push("must not contain dots");
    else
      errs.push(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          LABEL,
          "my-name",
          "123-abc",
        ),
      );
  }
  return errs;
}

function dns1123Subdomain(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > 253) errs.push(maxLen(253));
  if (!SUBDOMAIN_RE.test(s))
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        SUBDOMAIN,
        "example.com",
      ),
    );
  return errs;
}

function dns1035Label(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > 63) errs.push(maxLen(63));
  if (!DNS1035_RE.test(s))
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035,
        "my-name",
        "abc-123",
      ),
    );
  return errs;
}

const KEY_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function qualifiedName(s: string): string[] {
  const errs: string[] = [];
  const parts = s.split("/");
  if (parts.length > 2)
    return [
      `a valid label key ${regexError(KEY_MSG, KEY_NAME, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === "") errs.push("prefix part must be non-empty");
    else errs.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === "") errs.push("name part must be non-empty");
  else if (byteLength(name) > 63) errs.push(`name part ${maxBytes(63)}`);
  if (!KEY_NAME_RE.test(name))
    errs.push(`name part ${regexError(KEY_MSG, KEY_NAME, "MyName", "my.name", "123-abc")}`);
  return errs;
}

function labelValue(s: string): string[] {
  const errs: string[] = [];
  if (byteLength(s) > 63) errs.push(maxBytes(63));
  if (!LABEL_VALUE_RE.test(s))
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE,
        "MyValue",
        "my_value",
        "12345",
      ),
    );
  return errs;
}

// A generated-name prefix may end in '-'. Upstream replaces the last two characters with "a" before
// validating (not just the dash), and this keeps that.
const maskTrailingDash = (s: string) => (s.endsWith("-") ? `${s.slice(0, Math.max(0, s.length - 2))}a` : s);

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

// RFC 3339 date-time (upper or lower case T and Z, optional fraction, Z or ±hh:mm offset).
function isDateTime(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/.exec(s);
  if (!m || !isDate(m[1]!)) return false;
  const [h, mi, se] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (h > 23 || mi > 59 || se > 59) return false;
  return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
}

const FORMATS: Record<string, (s: string) => string[]> = {
  dns1123Label,
  dns1123Subdomain,
  dns1035Label,
  qualifiedName,
  dns1123LabelPrefix: (s) => dns1123Label(maskTrailingDash(s)),
  dns1123SubdomainPrefix: (s) => dns1123Subdomain(maskTrailingDash(s)),
  dns1035LabelPrefix: (s) => dns1035Label(maskTrailingDash(s)),
  labelValue,
  uri: (s) => {
    try {
      parseRequestURI(s);
      return [];
    } catch (err) {
      return [(err as Error).message];
    }
  },
  uuid: (s) => (UUID_RE.test(s) ? [] : ["does not match the UUID format"]),
  byte: (s) => (BASE64_RE.test(s) ? [] : ["invalid base64"]),
  date: (s) => (isDate(s) ? [] : ["invalid date"]),
  datetime: (s) => (isDateTime(s) ? [] : ["invalid datetime"]),
};

/** The format names, as `format.<name>()` and `format.named('<name>')` know them. */
export const FORMAT_NAMES = Object.keys(FORMATS);

const formatValue = (name: string) => newValue(FORMAT_DESC, { name });

export const formatFuncs = [
  ...FORMAT_NAMES.map((name) => celFunc(`format.${name}`, [], FORMAT_TYPE, () => formatValue(name))),
  celFunc("format.named", [CelScalar.STRING], OPTIONAL_TYPE, (name: string) =>
    Object.hasOwn(FORMATS, name) ? optionalOf(formatValue(name)) : optionalNone(),
  ),
  celMethod("validate", FORMAT_TYPE, [CelScalar.STRING], OPTIONAL_TYPE, function (s: string) {
    const name = fieldsOf<{ name: string }>(this).name;
    const validate = Object.hasOwn(FORMATS, name) ? FORMATS[name] : undefined;
    if (!validate) throw new Error(`unknown format ${JSON.stringify(name)}`);
    const errs = validate(s);
    return errs.length === 0 ? optionalNone() : optionalOf(celList(errs));
  }),
];
