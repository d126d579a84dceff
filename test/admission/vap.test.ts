import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { evaluateVap, type VapSet } from "../../src/admission/vap/evaluate.js";
import {
  loadParamFiles,
  loadPolicyFiles,
  parsePolicyDocs,
  resourceOfKind,
  vapFindings,
} from "../../src/admission/vap/findings.js";
import { loadManifests } from "../../src/core/loader/index.js";
import { deployment, FIXTURES, goodContainer, pod, review } from "./suite.js";

type Obj = Record<string, unknown>;
const tmp = mkdtempSync(join(tmpdir(), "kw-vap-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function set(yamlDocs: string[], params: Obj[] = []): VapSet {
  return { ...parsePolicyDocs(yamlDocs.map((y, i) => ({ doc: parse(y), where: `doc${i}` }))), params };
}

const policy = (name: string, spec: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: ${name} }
spec:
${spec}`;
const binding = (
  name: string,
  policyName: string,
  extra = "",
  actions = "[Deny]",
) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: ${name} }
spec:
  policyName: ${policyName}
  validationActions: ${actions}
${extra}`;

const podRules = `  matchConstraints:
    resourceRules:
      - { apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods] }
`;

function req(r: Obj): Parameters<typeof evaluateVap>[1] {
  return r.request as never;
}

describe("ValidatingAdmissionPolicy matching", () => {
  const s = (resources: string, scope = "*") =>
    set([
      policy(
        "p",
        `  matchConstraints:\n    resourceRules:\n      - { apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ${resources}, scope: "${scope}" }\n  validations:\n    - expression: "false"\n      message: matched\n`,
      ),
      binding("b", "p"),
    ]);
  const p = pod("x", "team-a", [goodContainer]);
  const plain = req(review(p));
  const eph = req(review(p, { operation: "UPDATE", subResource: "ephemeralcontainers", oldObject: p }));

  it("a bare resource matches the resource but not its subresources; res/* matches both; */sub only the subresource", () => {
    expect(evaluateVap(s("[pods]"), plain).denials).toHaveLength(1);
    expect(evaluateVap(s("[pods]"), eph).denials).toHaveLength(0);
    expect(evaluateVap(s('["pods/*"]'), plain).denials).toHaveLength(1);
    expect(evaluateVap(s('["pods/*"]'), eph).denials).toHaveLength(1);
    expect(evaluateVap(s('["*/ephemeralcontainers"]'), eph).denials).toHaveLength(1);
    expect(evaluateVap(s('["*/ephemeralcontainers"]'), plain).denials).toHaveLength(0);
    expect(evaluateVap(s('["*"]'), eph).denials).toHaveLength(0);
    expect(evaluateVap(s('["*/*"]'), eph).denials).toHaveLength(1);
  });

  it("admission configuration objects are exempt, even from a policy matching everything", () => {
    const vwc = {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "w" },
    };
    const r = review(vwc);
    (r.request as Obj).resource = {
      group: "admissionregistration.k8s.io",
      version: "v1",
      resource: "validatingwebhookconfigurations",
    };
    (r.request as Obj).namespace = "";
    expect(evaluateVap(s('["*/*"]'), req(r)).denials).toHaveLength(0);
    const cm = review({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "team-a" } });
    (cm.request as Obj).resource = { group: "", version: "v1", resource: "configmaps" };
    expect(evaluateVap(s('["*/*"]'), req(cm)).denials).toHaveLength(1);
  });

  it("scope Cluster does not match namespaced requests", () => {
    expect(evaluateVap(s("[pods]", "Cluster"), plain).denials).toHaveLength(0);
    expect(evaluateVap(s("[pods]", "Namespaced"), plain).denials).toHaveLength(1);
  });

  it("excludeResourceRules, objectSelector and namespaceSelector narrow the match; a Namespace is selected by its own labels", () => {
    const vs = set([
      policy(
        "p",
        `  matchConstraints:
    resourceRules:
      - { apiGroups: ["", apps], apiVersions: [v1], operations: [CREATE], resources: [pods, namespaces, deployments] }
    excludeResourceRules:
      - { apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments] }
    objectSelector: { matchExpressions: [{ key: skip, operator: DoesNotExist }] }
    namespaceSelector: { matchLabels: { env: prod } }
  validations:
    - expression: "false"
`,
      ),
      binding("b", "p"),
    ]);
    const prod = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-b", labels: { env: "prod" } },
    };
    const dev = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a", labels: {} } };
    const inProd = req(review(pod("x", "team-b", [goodContainer])));
    expect(evaluateVap(vs, inProd, prod).denials).toHaveLength(1);
    expect(evaluateVap(vs, req(review(pod("x", "team-a", [goodContainer]))), dev).denials).toHaveLength(0);
    expect(
      evaluateVap(vs, req(review(pod("x", "team-b", [goodContainer], { labels: { skip: "1" } }))), prod)
        .denials,
    ).toHaveLength(0);
    expect(
      evaluateVap(vs, req(review(deployment("d", "team-b", 1, [goodContainer]))), prod).denials,
    ).toHaveLength(0);
    const nsReq = review(prod);
    (nsReq.request as Obj).resource = { group: "", version: "v1", resource: "namespaces" };
    (nsReq.request as Obj).namespace = "";
    expect(evaluateVap(vs, req(nsReq)).denials).toHaveLength(1);
    const devReq = review(dev);
    (devReq.request as Obj).resource = { group: "", version: "v1", resource: "namespaces" };
    (devReq.request as Obj).namespace = "";
    expect(evaluateVap(vs, req(devReq)).denials).toHaveLength(0);
  });
});

describe("ValidatingAdmissionPolicy evaluation", () => {
  const p = req(review(pod("web-1", "team-a", [goodContainer])));

  it("message, messageExpression (with fallback when it fails) and the default message", () => {
    const vs = set([
      policy(
        "msgs",
        `${podRules}  validations:
    - expression: "object.metadata.name.startsWith('api-')"
      message: "name must start with api-"
    - expression: "size(object.spec.containers) > 1"
      messageExpression: "'only ' + string(size(object.spec.containers)) + ' container'"
    - expression: "object.metadata.name == 'x'"
      message: static fallback
      messageExpression: "object.nope"
    - expression: "1 == 2"
`,
      ),
      binding("b", "msgs"),
    ]);
    const out = evaluateVap(vs, p);
    expect(out.denials).toEqual([
      "ValidatingAdmissionPolicy 'msgs' with binding 'b' denied request: name must start with api-",
      "ValidatingAdmissionPolicy 'msgs' with binding 'b' denied request: only 1 container",
      "ValidatingAdmissionPolicy 'msgs' with binding 'b' denied request: static fallback",
      "ValidatingAdmissionPolicy 'msgs' with binding 'b' denied request: failed expression: 1 == 2",
    ]);
    expect(out.denyCode).toBe(422);
  });

  it("reason sets the HTTP code", () => {
    const vs = set([
      policy("r", `${podRules}  validations:\n    - expression: "false"\n      reason: Forbidden\n`),
      binding("b", "r"),
    ]);
    expect(evaluateVap(vs, p).denyCode).toBe(403);
  });

  it("runtime errors follow failurePolicy: Fail denies, Ignore allows (and both report the error)", () => {
    const spec = (fp: string) =>
      `${podRules}  failurePolicy: ${fp}\n  validations:\n    - expression: "object.spec.nodeName == 'a'"\n`;
    const fail = evaluateVap(set([policy("f", spec("Fail")), binding("b", "f")]), p);
    expect(fail.denials[0]).toMatch(
      /^ValidatingAdmissionPolicy 'f' with binding 'b' denied request: expression 'object.spec.nodeName == 'a'' resulted in error: .*nodeName/,
    );
    const ignore = evaluateVap(set([policy("f", spec("Ignore")), binding("b", "f")]), p);
    expect(ignore.denials).toEqual([]);
    expect(ignore.errors).toHaveLength(1);
  });

  it("a non-boolean validation is an error", () => {
    const out = evaluateVap(
      set([policy("nb", `${podRules}  validations:\n    - expression: "'yes'"\n`), binding("b", "nb")]),
      p,
    );
    expect(out.denials[0]).toContain("must evaluate to bool");
  });

  it("matchConditions: all true to apply; an error follows failurePolicy", () => {
    const spec = (cond: string) =>
      `${podRules}  matchConditions:\n    - name: c\n      expression: "${cond}"\n  validations:\n    - expression: "false"\n`;
    expect(evaluateVap(set([policy("m", spec("true")), binding("b", "m")]), p).denials).toHaveLength(1);
    expect(evaluateVap(set([policy("m", spec("false")), binding("b", "m")]), p).denials).toHaveLength(0);
    expect(evaluateVap(set([policy("m", spec("object.nope")), binding("b", "m")]), p).denials[0]).toContain(
      "matchCondition 'c' resulted in error",
    );
  });

  it("variables compose; request, namespaceObject and the Kubernetes regex, list and quantity libraries are available", () => {
    const vs = set([
      policy(
        "v",
        `${podRules}  variables:
    - name: images
      expression: "object.spec.containers.map(c, c.image)"
    - name: registries
      expression: "variables.images.map(i, i.find('^[^/]+'))"
  validations:
    - expression: "variables.registries.all(r, r == 'docker.io')"
      messageExpression: "'registries: ' + variables.registries.join(',') + ' by ' + request.userInfo.username + ' in ' + namespaceObject.metadata.name"
    - expression: "'abc-123-def'.findAll('[0-9]+') == ['123']"
    - expression: "[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && [1, 2, 2].isSorted() && ![2, 1].isSorted() && [1, 2, 3].sum() == 6 && [0.5, 1.5].sum() == 2.0"
    - expression: "['a', 'b', 'a'].indexOf('a') == 0 && ['a', 'b', 'a'].lastIndexOf('a') == 2 && [1, 2].indexOf(5) == -1 && object.spec.containers.map(c, c.name).indexOf('app') == 0"
    - expression: "[].min() == 0"
      message: "unreachable"
    - expression: "quantity('1Gi').isGreaterThan(quantity('1000Mi')) && quantity('500m').isLessThan(quantity('1')) && quantity('1k').compareTo(quantity('1000')) == 0 && quantity('1.5').add(quantity('500m')).asInteger() == 2 && quantity('2Gi').sub(quantity('1Gi')) == quantity('1Gi') && !quantity('1.5').isInteger() && quantity('-1').sign() == -1 && quantity('250m').asApproximateFloat() == 0.25 && isQuantity('128Mi') && !isQuantity('12 Mi') && object.spec.containers.all(c, quantity(c.resources.limits.memory).isLessThan(quantity('1Gi')))"
    - expression: "quantity('lots').sign() == 1"
      message: "unreachable"
`,
      ),
      binding("b", "v"),
    ]);
    const out = evaluateVap(vs, p, { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    expect(out.denials[0]).toBe(
      "ValidatingAdmissionPolicy 'v' with binding 'b' denied request: registries: ghcr.io by alice@example.com in team-a",
    );
    // the list helpers hold; min() of an empty list is an error (failurePolicy Fail denies)
    expect(out.denials).toHaveLength(3);
    expect(out.denials[1]).toMatch(/expression '\[\]\.min\(\) == 0' resulted in error: .*empty list/);
    expect(out.denials[2]).toMatch(/resulted in error: .*invalid quantity "lots"/);
  });

  it("params by name, by selector (each param evaluated), and parameterNotFoundAction", () => {
    const pk = `  paramKind: { apiVersion: v1, kind: ConfigMap }\n${podRules}  validations:\n    - expression: "object.metadata.name != params.data.forbidden"\n      messageExpression: "'forbidden by ' + params.metadata.name"\n`;
    const cm = (name: string, ns: string, forbidden: string, labels: Obj = {}) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: ns, labels },
      data: { forbidden },
    });
    const params = [
      cm("a", "team-a", "web-1", { set: "x" }),
      cm("b", "team-a", "web-1", { set: "x" }),
      cm("c", "team-a", "other", { set: "x" }),
      cm("d", "other-ns", "web-1", { set: "x" }),
    ];
    const bySelector = set(
      [
        policy("pp", pk),
        binding(
          "b",
          "pp",
          "  paramRef:\n    selector: { matchLabels: { set: x } }\n    parameterNotFoundAction: Deny\n",
        ),
      ],
      params,
    );
    expect(evaluateVap(bySelector, p).denials.map((d) => d.split(": ")[1])).toEqual([
      "forbidden by a",
      "forbidden by b",
    ]);
    const byName = set(
      [policy("pp", pk), binding("b", "pp", "  paramRef:\n    name: c\n    parameterNotFoundAction: Deny\n")],
      params,
    );
    expect(evaluateVap(byName, p).denials).toEqual([]);
    const missingDeny = set(
      [
        policy("pp", pk),
        binding("b", "pp", "  paramRef:\n    name: zzz\n    parameterNotFoundAction: Deny\n"),
      ],
      params,
    );
    expect(evaluateVap(missingDeny, p).denials[0]).toContain(
      "no params found for policy binding with `Deny` parameterNotFoundAction",
    );
    const missingAllow = set(
      [
        policy("pp", pk),
        binding("b", "pp", "  paramRef:\n    name: zzz\n    parameterNotFoundAction: Allow\n"),
      ],
      params,
    );
    expect(evaluateVap(missingAllow, p).denials).toEqual([]);
    const otherNs = set(
      [policy("pp", pk), binding("b", "pp", "  paramRef:\n    name: d\n    namespace: other-ns\n")],
      params,
    );
    expect(evaluateVap(otherNs, p).denials).toHaveLength(1);
  });

  it("validationActions: Warn and Audit do not deny", () => {
    const vs = set([
      policy("w", `${podRules}  validations:\n    - expression: "false"\n      message: nope\n`),
      binding("b", "w", "", "[Warn, Audit]"),
    ]);
    const out = evaluateVap(vs, p);
    expect(out.denials).toEqual([]);
    expect(out.warnings).toEqual([
      "Validation failed for ValidatingAdmissionPolicy 'w' with binding 'b': nope",
    ]);
    expect(JSON.parse(out.auditAnnotations["vap-validation-failure"]!)).toEqual([
      {
        message: "nope",
        policy: "w",
        binding: "b",
        expressionIndex: 0,
        validationActions: ["Warn", "Audit"],
      },
    ]);
  });
});

describe("bad policy input", () => {
  const bad = (docs: string[], part: string) => {
    expect(() => set(docs)).toThrow(
      expect.objectContaining({ code: "policy-invalid", message: expect.stringContaining(part) }),
    );
  };
  it("CEL syntax errors name the policy and field", () =>
    bad(
      [policy("x", `${podRules}  validations:\n    - expression: "object.("\n`)],
      "doc0 (x).spec.validations[0].expression: CEL compile error",
    ));
  it("a binding to an unknown policy", () => bad([binding("b", "ghost")], "names unknown policy ghost"));
  it("Deny with Warn", () =>
    bad(
      [
        policy("x", `${podRules}  validations:\n    - expression: "true"\n`),
        binding("b", "x", "", "[Deny, Warn]"),
      ],
      "Deny and Warn cannot be combined",
    ));
  it("missing matchConstraints", () =>
    bad([policy("x", `  validations:\n    - expression: "true"\n`)], "resourceRules are required"));
  it("other kinds and versions", () => {
    bad(
      ["apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n"],
      "apiVersion must be admissionregistration.k8s.io/v1",
    );
    bad(
      ["apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingAdmissionPolicy\nmetadata: { name: x }\n"],
      "expected ValidatingAdmissionPolicy",
    );
  });
  it("unreadable or broken files", async () => {
    await expect(loadPolicyFiles(["/nonexistent.yaml"])).rejects.toMatchObject({ code: "policy-invalid" });
    const f = join(tmp, "broken.yaml");
    writeFileSync(f, "a: [\n");
    await expect(loadPolicyFiles([f])).rejects.toMatchObject({ code: "policy-invalid" });
    writeFileSync(f, "- just a list\n");
    await expect(loadParamFiles([f])).rejects.toMatchObject({ code: "params-invalid" });
  });
});

describe("vapFindings: the same policies over manifests", () => {
  it("reports a Deployment that the cluster would deny, at its file and line", async () => {
    const f = join(tmp, "app.yaml");
    writeFileSync(
      f,
      `apiVersion: v1
kind: Namespace
metadata:
  name: team-b
  labels: { env: prod }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team-b
spec:
  replicas: 5
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: ghcr.io/acme/web:1 }]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: small
  namespace: team-b
  labels: { team: shop }
spec:
  replicas: 1
  selector: { matchLabels: { app: small } }
  template:
    metadata: { labels: { app: small } }
    spec:
      containers: [{ name: web, image: ghcr.io/acme/web:1 }]
`,
    );
    const loaded = await loadManifests([f]);
    const policies = await loadPolicyFiles([resolve(FIXTURES, "vap.yaml")]);
    const params = await loadParamFiles([resolve(FIXTURES, "params.yaml")]);
    const findings = vapFindings(loaded.objects, policies, params);
    expect(
      findings.map((x) => [x.checkId, x.status, x.severity, x.resource?.name, x.location?.line]),
    ).toEqual([
      ["VAP/replica-limit", "fail", "high", "web", 7],
      ["VAP/team-label", "warn", "medium", "web", 7],
    ]);
    expect(findings[0]!.message).toContain("replicas 5 exceed the limit 3");
    expect(findings[0]!.layer).toBe("admission");
  });

  it("maps kinds to resources like the API does for built-in kinds", () => {
    expect(
      [
        "Pod",
        "Deployment",
        "Ingress",
        "NetworkPolicy",
        "ConfigMap",
        "ClusterRole",
        "StorageClass",
        "Endpoints",
      ].map(resourceOfKind),
    ).toEqual([
      "pods",
      "deployments",
      "ingresses",
      "networkpolicies",
      "configmaps",
      "clusterroles",
      "storageclasses",
      "endpoints",
    ]);
  });
});
