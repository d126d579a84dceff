// Label selector semantics proved with the upstream cases of apimachinery's
// TestRequirementSelectorMatching (pkg/labels/selector_test.go), re-expressed as
// metav1.LabelSelector matchExpressions, plus the LabelSelector validation rules.
import { describe, expect, it } from "vitest";
import { policyTypesOf } from "../../../src/config/checks/lib/netpol.js";
import { matchSelector } from "../../../src/config/checks/lib/selector.js";

const expr = (key: string, operator: string, values?: string[]) => ({
  key,
  operator,
  ...(values ? { values } : {}),
});

describe("matchSelector: upstream requirement matching", () => {
  const cases: Array<[Record<string, string>, unknown[], boolean]> = [
    [{ x: "foo", y: "baz" }, [expr("x", "In", ["foo"]), expr("y", "NotIn", ["alpha"])], true],
    [{ x: "foo", y: "baz" }, [expr("x", "In", ["foo"]), expr("y", "In", ["alpha"])], false],
    [{ y: "" }, [expr("x", "NotIn", [""]), expr("y", "Exists")], true],
    [{ y: "" }, [expr("x", "DoesNotExist"), expr("y", "Exists")], true],
    [{ y: "" }, [expr("x", "NotIn", [""]), expr("y", "DoesNotExist")], false],
    [{ y: "baz" }, [expr("x", "In", [""])], false],
  ];
  it.each(cases)("%j against %j is %s", (labels, matchExpressions, want) => {
    expect(matchSelector({ matchExpressions }, labels)).toEqual({ ok: true, matches: want });
  });
});

describe("matchSelector: LabelSelector rules", () => {
  it("empty or absent selector selects everything", () => {
    expect(matchSelector({}, {})).toEqual({ ok: true, matches: true });
    expect(matchSelector(undefined, { a: "b" })).toEqual({ ok: true, matches: true });
  });
  it("matchLabels and matchExpressions are ANDed", () => {
    const sel = { matchLabels: { app: "web" }, matchExpressions: [expr("tier", "In", ["front", "edge"])] };
    expect(matchSelector(sel, { app: "web", tier: "edge" })).toEqual({ ok: true, matches: true });
    expect(matchSelector(sel, { app: "web", tier: "back" })).toEqual({ ok: true, matches: false });
    expect(matchSelector(sel, { app: "api", tier: "edge" })).toEqual({ ok: true, matches: false });
  });
  it("inherited object properties are not labels", () => {
    expect(matchSelector({ matchExpressions: [expr("constructor", "Exists")] }, {})).toEqual({
      ok: true,
      matches: false,
    });
    expect(matchSelector({ matchLabels: { toString: "x" } }, {})).toEqual({ ok: true, matches: false });
  });
  it.each([
    ["In without values", { matchExpressions: [expr("a", "In", [])] }, "In needs values"],
    ["NotIn without values", { matchExpressions: [expr("a", "NotIn")] }, "NotIn needs values"],
    ["Exists with values", { matchExpressions: [expr("a", "Exists", ["x"])] }, "takes no values"],
    ["unknown operator", { matchExpressions: [expr("a", "Gt", ["1"])] }, "unknown operator"],
    ["missing key", { matchExpressions: [{ operator: "Exists" }] }, "has no key"],
    ["non-string label value", { matchLabels: { a: 1 } }, "is not a string"],
    ["selector not an object", "app=web", "not an object"],
    ["expressions not a list", { matchExpressions: { key: "a" } }, "not a list"],
  ])("%s is an error", (_n, sel, msg) => {
    const r = matchSelector(sel, { a: "x" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(msg);
  });
});

describe("policyTypesOf: the API server's defaulting", () => {
  // The five cases of upstream TestSetDefaultNetworkPolicy (pkg/apis/networking/v1/defaults_test.go).
  const sel = { matchLabels: { a: "b" } };
  const peer = { namespaceSelector: { matchLabels: { c: "d" } } };
  it.each([
    ["empty policy", { podSelector: sel }, ["Ingress"]],
    ["empty ingress list", { podSelector: sel, ingress: [] }, ["Ingress"]],
    [
      "ingress and egress rules",
      {
        podSelector: sel,
        ingress: [{ from: [{ podSelector: { matchLabels: { c: "d" } }, ...peer }] }],
        egress: [{ to: [peer] }],
      },
      ["Ingress", "Egress"],
    ],
    [
      "egress rules, policyTypes unset",
      { podSelector: sel, egress: [{ to: [peer] }] },
      ["Ingress", "Egress"],
    ],
    [
      "egress rules, policyTypes Egress",
      { podSelector: sel, egress: [{ to: [peer] }], policyTypes: ["Egress"] },
      ["Egress"],
    ],
  ])("upstream: %s", (_n, spec, want) => {
    expect([...policyTypesOf(spec)].sort()).toEqual([...want].sort());
  });

  it.each([
    [{}, ["Ingress"]],
    [{ ingress: [{}] }, ["Ingress"]],
    [{ egress: [{}] }, ["Ingress", "Egress"]],
    [{ egress: [] }, ["Ingress"]],
    [{ policyTypes: [], egress: [{}] }, ["Ingress", "Egress"]],
    [{ policyTypes: ["Egress"] }, ["Egress"]],
    [{ policyTypes: ["Egress"], ingress: [{}] }, ["Egress"]],
    [{ policyTypes: ["Ingress", "Egress"] }, ["Ingress", "Egress"]],
  ])("%j -> %j", (spec, want) => {
    expect([...policyTypesOf(spec)].sort()).toEqual([...want].sort());
  });
});
