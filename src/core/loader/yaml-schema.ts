// A js-yaml schema that resolves plain scalars the way Kubernetes does.
// kubectl and the API server read YAML through sigs.k8s.io/yaml, whose parser is
// go-yaml v2 (YAML 1.1 rules): `yes`/`on`/`y` are booleans, `0644` is octal,
// `1_000` is an integer, and timestamps stay strings when decoded into untyped data.
// Reading manifests with YAML 1.2 rules instead would, for example, see
// `privileged: yes` as the string "yes" and miss a privileged container.
import yaml from "js-yaml";

const TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"]);
const FALSE = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"]);
const NULL = new Set(["~", "null", "Null", "NULL", ""]);
const INF = new Set([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]);
const NEG_INF = new Set(["-.inf", "-.Inf", "-.INF"]);
const NAN = new Set([".nan", ".NaN", ".NAN"]);

// Go's strconv.ParseInt(s, 0, 64) after go-yaml removed underscores: decimal, 0x, 0o, 0b, leading-0 octal.
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
// go-yaml's yamlStyleFloat.
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

function startsLikeNumber(s: string): boolean {
  const c = s.charCodeAt(0);
  return (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46; // 0-9 + - .
}

const nullType = new yaml.Type("tag:yaml.org,2002:null", {
  kind: "scalar",
  resolve: (s: string | null) => s === null || NULL.has(s),
  construct: () => null,
});

const boolType = new yaml.Type("tag:yaml.org,2002:bool", {
  kind: "scalar",
  resolve: (s: string | null) => s !== null && (TRUE.has(s) || FALSE.has(s)),
  construct: (s: string) => TRUE.has(s),
});

const intType = new yaml.Type("tag:yaml.org,2002:int", {
  kind: "scalar",
  resolve: (s: string | null) => s !== null && startsLikeNumber(s) && GO_INT.test(s.replace(/_/g, "")),
  construct: (s: string) => parseGoInt(s.replace(/_/g, "")),
});

const floatType = new yaml.Type("tag:yaml.org,2002:float", {
  kind: "scalar",
  resolve: (s: string | null) =>
    s !== null &&
    (INF.has(s) ||
      NEG_INF.has(s) ||
      NAN.has(s) ||
      (startsLikeNumber(s) && GO_FLOAT.test(s.replace(/_/g, "")))),
  construct: (s: string) => {
    if (INF.has(s)) return Number.POSITIVE_INFINITY;
    if (NEG_INF.has(s)) return Number.NEGATIVE_INFINITY;
    if (NAN.has(s)) return Number.NaN;
    return Number.parseFloat(s.replace(/_/g, ""));
  },
});

/** `!!binary` and `!!timestamp` given explicitly keep their text, as go-yaml does for untyped data. */
const binaryAsText = new yaml.Type("tag:yaml.org,2002:binary", {
  kind: "scalar",
  resolve: () => true,
  construct: (s: string | null) => (s ?? "").replace(/\s+/g, ""),
});
const timestampAsText = new yaml.Type("tag:yaml.org,2002:timestamp", {
  kind: "scalar",
  resolve: () => true,
  construct: (s: string | null) => s ?? "",
});

function parseGoInt(s: string): number {
  let sign = 1;
  let body = s;
  if (body[0] === "+" || body[0] === "-") {
    if (body[0] === "-") sign = -1;
    body = body.slice(1);
  }
  let value: number;
  if (/^0[xX]/.test(body)) value = Number.parseInt(body.slice(2), 16);
  else if (/^0[oO]/.test(body)) value = Number.parseInt(body.slice(2), 8);
  else if (/^0[bB]/.test(body)) value = Number.parseInt(body.slice(2), 2);
  else if (body.length > 1 && body[0] === "0") value = Number.parseInt(body.slice(1), 8);
  else value = Number.parseInt(body, 10);
  return sign * value;
}

/** The schema used for every manifest: failsafe collections and strings plus go-yaml v2 scalars and merge keys. */
export const KUBE_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  // js-yaml exports its built-in types at runtime; @types/js-yaml does not declare them.
  implicit: [
    nullType,
    boolType,
    intType,
    floatType,
    (yaml as unknown as { types: { merge: yaml.Type } }).types.merge,
  ],
  explicit: [binaryAsText, timestampAsText],
});
