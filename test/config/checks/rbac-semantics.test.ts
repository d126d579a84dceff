// RBAC rule matching proved with the cases of the upstream authorizer's TestRuleMatches
// (kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/rbac_test.go) and its
// subresource resolution test, re-expressed as data for our ruleGrants.
import { describe, expect, it } from "vitest";
import { type Access, type Rule, ruleGrants } from "../../../src/config/checks/lib/rbac.js";

function rule(verbs: string[], apiGroups: string[], resources: string[], resourceNames: string[] = []): Rule {
  return { verbs, apiGroups, resources, resourceNames, nonResourceURLs: [], index: 0, path: ["rules", 0] };
}
const req = (verb: string, apiGroup: string, resource: string, unnamed = false): Access => ({
  verb,
  apiGroup,
  resource,
  unnamed,
});

type Row = [Access, boolean];
const upstream: Array<{ name: string; rule: Rule; rows: Row[] }> = [
  {
    name: "star verb, exact match other",
    rule: rule(["*"], ["group1"], ["resource1"]),
    rows: [
      [req("verb1", "group1", "resource1"), true],
      [req("verb1", "group2", "resource1"), false],
      [req("verb1", "group1", "resource2"), false],
      [req("verb1", "group2", "resource2"), false],
      [req("verb2", "group1", "resource1"), true],
      [req("verb2", "group2", "resource1"), false],
      [req("verb2", "group1", "resource2"), false],
      [req("verb2", "group2", "resource2"), false],
    ],
  },
  {
    name: "star group, exact match other",
    rule: rule(["verb1"], ["*"], ["resource1"]),
    rows: [
      [req("verb1", "group1", "resource1"), true],
      [req("verb1", "group2", "resource1"), true],
      [req("verb1", "group1", "resource2"), false],
      [req("verb1", "group2", "resource2"), false],
      [req("verb2", "group1", "resource1"), false],
      [req("verb2", "group2", "resource1"), false],
      [req("verb2", "group1", "resource2"), false],
      [req("verb2", "group2", "resource2"), false],
    ],
  },
  {
    name: "star resource, exact match other",
    rule: rule(["verb1"], ["group1"], ["*"]),
    rows: [
      [req("verb1", "group1", "resource1"), true],
      [req("verb1", "group2", "resource1"), false],
      [req("verb1", "group1", "resource2"), true],
      [req("verb1", "group2", "resource2"), false],
      [req("verb2", "group1", "resource1"), false],
      [req("verb2", "group2", "resource1"), false],
      [req("verb2", "group1", "resource2"), false],
      [req("verb2", "group2", "resource2"), false],
    ],
  },
  {
    name: "tuple expansion",
    rule: rule(["verb1", "verb2"], ["group1", "group2"], ["resource1", "resource2"]),
    rows: [
      [req("verb1", "group1", "resource1"), true],
      [req("verb1", "group2", "resource1"), true],
      [req("verb1", "group1", "resource2"), true],
      [req("verb1", "group2", "resource2"), true],
      [req("verb2", "group1", "resource1"), true],
      [req("verb2", "group2", "resource1"), true],
      [req("verb2", "group1", "resource2"), true],
      [req("verb2", "group2", "resource2"), true],
    ],
  },
  {
    name: "subresource expansion",
    rule: rule(["*"], ["*"], ["resource1/subresource1"]),
    rows: [
      [req("verb1", "group1", "resource1/subresource1"), true],
      [req("verb1", "group2", "resource1/subresource2"), false],
      [req("verb1", "group1", "resource2/subresource1"), false],
      [req("verb1", "group2", "resource2/subresource1"), false],
      [req("verb2", "group1", "resource1/subresource1"), true],
      [req("verb2", "group2", "resource1/subresource2"), false],
      [req("verb2", "group1", "resource2/subresource1"), false],
      [req("verb2", "group2", "resource2/subresource1"), false],
    ],
  },
  {
    name: "subresource resolution: pods/status does not grant pods",
    rule: rule(["*"], ["*"], ["pods/status"]),
    rows: [
      [req("get", "", "pods/status"), true],
      [req("get", "", "pods"), false],
    ],
  },
];

describe("ruleGrants follows the RBAC authorizer", () => {
  for (const t of upstream) {
    it(t.name, () => {
      for (const [access, want] of t.rows)
        expect(ruleGrants(t.rule, access), JSON.stringify(access)).toBe(want);
    });
  }

  it("a resource does not cover its subresources; */sub covers that subresource of every resource", () => {
    expect(ruleGrants(rule(["create"], [""], ["pods"]), req("create", "", "pods/exec"))).toBe(false);
    expect(ruleGrants(rule(["create"], [""], ["*/exec"]), req("create", "", "pods/exec"))).toBe(true);
    expect(ruleGrants(rule(["create"], [""], ["*/exec"]), req("create", "", "pods"))).toBe(false);
    expect(ruleGrants(rule(["create"], [""], ["*"]), req("create", "", "pods/exec"))).toBe(true);
  });

  it("the core group is the empty string", () => {
    expect(ruleGrants(rule(["get"], ["apps"], ["secrets"]), req("get", "", "secrets"))).toBe(false);
    expect(ruleGrants(rule(["get"], [""], ["secrets"]), req("get", "", "secrets"))).toBe(true);
  });

  it("resourceNames cannot grant create on a collection or deletecollection, but do grant named requests", () => {
    const named = rule(
      ["create", "get", "deletecollection"],
      [""],
      ["pods", "serviceaccounts/token"],
      ["web"],
    );
    expect(ruleGrants(named, { verb: "create", apiGroup: "", resource: "pods" })).toBe(false);
    expect(ruleGrants(named, { verb: "deletecollection", apiGroup: "", resource: "pods" })).toBe(false);
    expect(ruleGrants(named, { verb: "get", apiGroup: "", resource: "pods" })).toBe(true);
    // TokenRequest names the service account, so the name restriction applies instead.
    expect(ruleGrants(named, { verb: "create", apiGroup: "", resource: "serviceaccounts/token" })).toBe(true);
  });
});
