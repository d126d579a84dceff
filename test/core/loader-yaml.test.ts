// Scalar resolution must match what kubectl and the API server see. They decode YAML with
// go-yaml v2 (through sigs.k8s.io/yaml); the cases below are the YAML 1.1 spec examples that
// go-yaml v2's own decode tests use, with the values v2 produces for untyped (interface{}) data.
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { buildLineTree, lookupLine } from "../../src/core/loader/lines.js";
import { KUBE_YAML_SCHEMA } from "../../src/core/loader/yaml-schema.js";

const load = (text: string) => yaml.load(text, { schema: KUBE_YAML_SCHEMA });

const CASES: Array<[string, Record<string, unknown>]> = [
  // Booleans (YAML 1.1 forms)
  ["canonical: y", { canonical: true }],
  ["answer: NO", { answer: false }],
  ["logical: True", { logical: true }],
  ["option: on", { option: true }],
  ["option: Off", { option: false }],
  ["option: yes", { option: true }],
  ["option: other", { option: "other" }],
  // Integers
  ["canonical: 685230", { canonical: 685230 }],
  ["decimal: +685_230", { decimal: 685230 }],
  ["octal: 02472256", { octal: 685230 }],
  ["octal: -02472256", { octal: -685230 }],
  ["octal: 0o2472256", { octal: 685230 }],
  ["hexa: 0x_0A_74_AE", { hexa: 685230 }],
  ["bin: 0b1010_0111_0100_1010_1110", { bin: 685230 }],
  ["bin: -0b101010", { bin: -42 }],
  ["v: 4294967296", { v: 4294967296 }],
  ["v: -10", { v: -10 }],
  // Floats
  ["canonical: 6.8523e+5", { canonical: 685230 }],
  ["expo: 685.230_15e+03", { expo: 685230.15 }],
  ["fixed: 685_230.15", { fixed: 685230.15 }],
  ["neginf: -.inf", { neginf: Number.NEGATIVE_INFINITY }],
  ["v: .Inf", { v: Number.POSITIVE_INFINITY }],
  ["v: .1", { v: 0.1 }],
  ["v: -.1", { v: -0.1 }],
  ["v: 0.1", { v: 0.1 }],
  ["a: 5.5", { a: 5.5 }],
  // Nulls
  ["empty:", { empty: null }],
  ["canonical: ~", { canonical: null }],
  ["english: null", { english: null }],
  ["~: null key", { null: "null key" }],
  // Strings that only look special
  ["a: 1:1", { a: "1:1" }], // base 60 is not supported
  ["a: -b_c", { a: "-b_c" }],
  ["a: <foo>", { a: "<foo>" }],
  ["a: 2015-01-01", { a: "2015-01-01" }], // timestamps stay text in untyped data
  ["a: 2015-02-24T18:19:39.12Z", { a: "2015-02-24T18:19:39.12Z" }],
  ["a: 'Hello #comment'", { a: "Hello #comment" }],
  ["'1': '\"2\"'", { "1": '"2"' }],
  // Explicit tags
  ["v: !!float '1.1'", { v: 1.1 }],
  ["v: !!float 0", { v: 0 }],
  ["v: !!null ''", { v: null }],
  ["v: ! test", { v: "test" }],
  ["a: !!str 2015-01-01", { a: "2015-01-01" }],
  ["a: !!timestamp 2015-01-01", { a: "2015-01-01" }],
  // Anchors and aliases (spec example 7.1: an anchor can be redefined)
  [
    "First occurrence: &anchor Foo\nSecond occurrence: *anchor\nOverride anchor: &anchor Bar\nReuse anchor: *anchor\n",
    {
      "First occurrence": "Foo",
      "Second occurrence": "Foo",
      "Override anchor": "Bar",
      "Reuse anchor": "Bar",
    },
  ],
  // Merge keys
  ["a: &a {p: 1, q: 2}\nb:\n  <<: *a\n  q: 3\n", { a: { p: 1, q: 2 }, b: { p: 1, q: 3 } }],
  // Keys resolve like values; sigs.k8s.io/yaml then writes non-string keys as text.
  ["y: 1\n0644: x", { true: 1, "420": "x" }],
];

describe("Kubernetes YAML schema (go-yaml v2 resolution)", () => {
  for (const [text, want] of CASES) {
    it(JSON.stringify(text), () => {
      expect(load(text)).toEqual(want);
    });
  }

  it("quoted scalars are always strings", () => {
    expect(load(`a: "yes"\nb: '0644'\nc: "~"\nd: "1e3"`)).toEqual({ a: "yes", b: "0644", c: "~", d: "1e3" });
  });
});

describe("field lines", () => {
  const TEXT = `root:
  block: |
    text: not a key
    - not an item
  flow: [a, [b, c], {d: 1}]
  seq:
    - - x
      - y
    - key: v
      other:
        deep: 1
    -
      late: 2
  "quoted key": 3
  anchored: &a
    inner: 4
  alias: *a
  ? explicit
  : 5
  after: 6
`;
  const tree = buildLineTree(TEXT);
  const line = (...path: Array<string | number>) => (tree ? lookupLine(tree, path) + 1 : undefined);

  it("maps keys, items, nested compact sequences, flow collections and explicit keys", () => {
    expect(line("root")).toBe(1);
    expect(line("root", "block")).toBe(2);
    expect(line("root", "flow")).toBe(5);
    expect(line("root", "flow", 1, 0)).toBe(5);
    expect(line("root", "seq", 0)).toBe(7);
    expect(line("root", "seq", 0, 1)).toBe(8);
    expect(line("root", "seq", 1, "other", "deep")).toBe(11);
    expect(line("root", "seq", 2, "late")).toBe(13);
    expect(line("root", "quoted key")).toBe(14);
    expect(line("root", "anchored", "inner")).toBe(16);
    expect(line("root", "alias")).toBe(17);
    expect(line("root", "after")).toBe(20);
  });

  it("falls back to the nearest ancestor for paths that do not exist", () => {
    expect(line("root", "seq", 1, "missing", "deeper")).toBe(9);
    expect(line("root", "seq", 9)).toBe(6);
    expect(line("nope")).toBe(1);
  });

  it("returns undefined for text that does not parse", () => {
    expect(buildLineTree("a: [unclosed")).toBeUndefined();
  });
});
