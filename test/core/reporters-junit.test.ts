import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/core/model.js";
import { renderJunit, xmlAttr, xmlText } from "../../src/core/reporters/junit.js";
import { fixtureFindings, fixtureReport, RULES } from "./reporters-fixture.js";
import { all, parseXml, XML_CHAR_INVALID } from "./reporters-xml.js";

describe("JUnit reporter", () => {
  const xml = renderJunit(fixtureReport(), { color: false, rules: RULES });
  const root = parseXml(xml);
  const suites = all(root, "testsuite");

  it("is well-formed XML with a <testsuites> root", () => {
    expect(root.name).toBe("testsuites");
    expect(root.attrs.name).toBe("kubeward manifests deploy/");
  });

  it("has one suite per resource (with its file), plus target-level findings and scan errors", () => {
    expect(suites.map((s) => s.attrs.name)).toEqual([
      "deploy/",
      "deploy/api.yaml: Deployment api",
      "deploy/namespaces.yaml: Namespace shop",
      "deploy/rbac.yaml: ClusterRoleBinding all-admins",
      "deploy/rbac.yaml: Role shop/reader",
      "deploy/rbac.yaml: Role ops/ops",
      "deploy/web.yaml: Deployment shop/web",
      "kubeward scan errors",
    ]);
  });

  it("keeps the counters consistent with the testcases", () => {
    let tests = 0;
    let failures = 0;
    let errors = 0;
    let skipped = 0;
    for (const s of suites) {
      const cases = all(s, "testcase");
      const f = cases.filter((c) => all(c, "failure").length).length;
      const e = cases.filter((c) => all(c, "error").length).length;
      const k = cases.filter((c) => all(c, "skipped").length).length;
      expect(Number(s.attrs.tests)).toBe(cases.length);
      expect(Number(s.attrs.failures)).toBe(f);
      expect(Number(s.attrs.errors)).toBe(e);
      expect(Number(s.attrs.skipped)).toBe(k);
      tests += cases.length;
      failures += f;
      errors += e;
      skipped += k;
    }
    expect(root.attrs).toMatchObject({
      tests: String(tests),
      failures: String(failures),
      errors: String(errors),
      skipped: String(skipped),
    });
    // 13 findings + 2 errors; fail/warn findings fail, suppressed and manual are skipped, pass passes.
    expect([tests, failures, errors, skipped]).toEqual([15, 10, 2, 2]);
  });

  it("gives failures a message, a severity type and a body with the details", () => {
    const web = suites.find((s) => s.attrs.name === "deploy/web.yaml: Deployment shop/web")!;
    const priv = all(web, "testcase").find((c) => c.attrs.name?.startsWith("KW-POD-001"))!;
    expect(priv.attrs.name).toBe("KW-POD-001: Container allows privilege escalation [app] (line 17)");
    const failure = all(priv, "failure")[0]!;
    expect(failure.attrs).toEqual({
      message: 'container "app" sets securityContext.allowPrivilegeEscalation=true',
      type: "high",
    });
    expect(failure.text).toContain("Location: deploy/web.yaml:17");
    expect(failure.text).toContain("Remediation: Set securityContext.allowPrivilegeEscalation to false.");
    const target = suites[0]!;
    const cve = all(target, "testcase").find((c) => c.attrs.name?.startsWith("CVE-2024-1234"))!;
    expect(all(cve, "failure")[0]!.text).toContain(
      "Package: openssl 3.0.11-1~deb12u2 (Debian), fixed in 3.0.13-1~deb12u1",
    );
    const node = all(target, "testcase").find((c) => c.attrs.name?.startsWith("1.2.1"))!;
    expect(all(node, "failure")[0]!.text).toContain(
      'Evidence: kube-apiserver flag --anonymous-auth: actual "true"',
    );
  });

  it("reports passed findings as passing testcases and suppressed ones as skipped", () => {
    const api = suites.find((s) => s.attrs.name === "deploy/api.yaml: Deployment api")!;
    const passed = all(api, "testcase").find((c) => c.attrs.name?.startsWith("KW-POD-003"))!;
    expect(passed.children).toEqual([]);
    const reader = suites.find((s) => s.attrs.name === "deploy/rbac.yaml: Role shop/reader")!;
    expect(all(all(reader, "testcase")[0]!, "skipped")[0]!.attrs.message).toBe(
      "suppressed by ignore-file: the shop needs its TLS secret (until 2027-01-31)",
    );
  });

  it("round-trips hostile text: markup, quotes and control characters", () => {
    const api = suites.find((s) => s.attrs.name === "deploy/api.yaml: Deployment api")!;
    const failure = all(all(api, "testcase")[1]!, "failure")[0]!;
    expect(failure.attrs.message).toBe(
      'container "api" runs as root; label team="<ops> & \'dev\'" \\u001b[2J\\u0007',
    );
    expect(xml).not.toMatch(XML_CHAR_INVALID);
  });

  it("escapes every character XML cannot carry raw", () => {
    expect(xmlText("a<b>&c")).toBe("a&lt;b&gt;&amp;c");
    expect(xmlAttr(`"x"\t'y'\n\r`)).toBe("&quot;x&quot;&#9;&apos;y&apos;&#10;&#13;");
    expect(xmlText("\u0000\u0008\u000b\u001f\ufffe")).toBe("\\u0000\\u0008\\u000b\\u001f\\ufffe");
    // Lone surrogates are not XML characters; pairs are.
    expect(xmlText("\ud800x\udc00")).toBe("\\ud800x\\udc00");
    expect(xmlText("\ud83d\ude00")).toBe("\ud83d\ude00");
    const nasty: Finding = {
      ...fixtureFindings()[0]!,
      message: "]]></failure><x a='1'>\u0001",
      title: "<!-- -->",
    };
    const doc = parseXml(renderJunit(fixtureReport([nasty]), { color: false }));
    const failure = all(all(all(doc, "testsuite")[0]!, "testcase")[0]!, "failure")[0]!;
    expect(failure.attrs.message).toBe("]]></failure><x a='1'>\\u0001");
  });

  it("writes a suite even for an empty report", () => {
    const empty = fixtureReport([]);
    empty.errors = [];
    const doc = parseXml(renderJunit(empty, { color: false }));
    expect(all(doc, "testsuite")).toHaveLength(1);
    expect(doc.attrs.tests).toBe("0");
  });

  it("the checker itself rejects malformed XML", () => {
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a>')).toThrow(/closes/);
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a>x & y</a>')).toThrow(/reference/);
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a>\u0001</a>')).toThrow(/forbids/);
    expect(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="1" x="2"/>')).toThrow(/duplicate/);
  });
});
