import { X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { bundleConfig } from "../../src/admission/bundle.js";
import { handleReview, loadEngine } from "../../src/admission/handler.js";
import { admissionManifests, manifestsYaml } from "../../src/admission/manifests.js";
import type { AdmissionRequest } from "../../src/admission/review.js";
import { generateTls, serviceDnsNames } from "../../src/admission/tls.js";
import { applicableBindings } from "../../src/admission/vap/evaluate.js";
import { parsePolicyDocs } from "../../src/admission/vap/load.js";
import { matchSelector } from "../../src/config/checks/lib/selector.js";
import { scanManifests } from "../../src/config/scan.js";
import { CONFIG, suite } from "./suite.js";

// biome-ignore lint/suspicious/noExplicitAny: tests walk the generated objects freely
type Obj = Record<string, any>;
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "kw-adm-m-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tls = generateTls(serviceDnsNames("kubeward-admission", "kubeward"));
const byKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);

describe("admission manifests", () => {
  const objects = admissionManifests({ tls, mutate: true }) as Obj[];

  it("contains every piece of a safe install", () => {
    const kinds = objects.map((o) => o.kind);
    for (const k of [
      "Namespace",
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "ConfigMap",
      "Secret",
      "Deployment",
      "PodDisruptionBudget",
      "Service",
      "ValidatingWebhookConfiguration",
      "MutatingWebhookConfiguration",
    ])
      expect(kinds).toContain(k);
    const dep = byKind(objects, "Deployment")[0]!;
    expect(dep.spec.replicas).toBe(2);
    expect(dep.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    expect(dep.spec.template.spec.containers[0].resources.limits).toEqual({ cpu: "1", memory: "256Mi" });
    expect(byKind(objects, "PodDisruptionBudget")[0]!.spec.minAvailable).toBe(1);
    // the config and the TLS material are separate mounts (never one inside the other) that the args name
    const c = dep.spec.template.spec.containers[0];
    expect(c.volumeMounts.map((m: Obj) => m.mountPath)).toEqual([
      "/etc/kubeward/config",
      "/etc/kubeward/tls",
    ]);
    expect(c.args).toEqual(
      expect.arrayContaining([
        "/etc/kubeward/config/config.yaml",
        "/etc/kubeward/tls/tls.crt",
        "/etc/kubeward/tls/tls.key",
      ]),
    );
    expect(c.args).toContain("--kube");
  });

  it("RBAC: read namespaces and list pods, nothing more, bound to the Deployment's service account", () => {
    const role = byKind(objects, "ClusterRole")[0]!;
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
    ]);
    for (const rule of role.rules as Obj[])
      for (const field of ["apiGroups", "resources", "verbs"])
        expect(rule[field], `${field} of ${JSON.stringify(rule)}`).not.toContain("*");
    expect(Object.keys(role)).not.toContain("aggregationRule");
    expect(byKind(objects, "Role")).toEqual([]);
    const binding = byKind(objects, "ClusterRoleBinding")[0]!;
    expect(binding.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: role.metadata.name,
    });
    const dep = byKind(objects, "Deployment")[0]!;
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: dep.spec.template.spec.serviceAccountName, namespace: "kubeward" },
    ]);
  });

  it("the validating webhook also gets Namespace CREATE/UPDATE (cluster scope); the mutating one does not", () => {
    const v = byKind(objects, "ValidatingWebhookConfiguration")[0]!.webhooks[0];
    const m = byKind(objects, "MutatingWebhookConfiguration")[0]!.webhooks[0];
    expect(v.rules).toContainEqual({
      apiGroups: [""],
      apiVersions: ["v1"],
      operations: ["CREATE", "UPDATE"],
      resources: ["namespaces"],
      scope: "Cluster",
    });
    expect((m.rules as Obj[]).flatMap((r) => r.resources)).not.toContain("namespaces");
  });

  it("webhooks: failure policies, timeout, no side effects, and never their own or system namespaces", () => {
    const v = byKind(objects, "ValidatingWebhookConfiguration")[0]!.webhooks[0];
    const m = byKind(objects, "MutatingWebhookConfiguration")[0]!.webhooks[0];
    expect(v.failurePolicy).toBe("Fail");
    expect(m.failurePolicy).toBe("Ignore");
    for (const w of [v, m]) {
      expect(w.timeoutSeconds).toBe(5);
      expect(w.sideEffects).toBe("None");
      for (const ns of ["kubeward", "kube-system", "kube-node-lease"])
        expect(matchSelector(w.namespaceSelector, { "kubernetes.io/metadata.name": ns })).toEqual({
          ok: true,
          matches: false,
        });
      expect(matchSelector(w.namespaceSelector, { "kubernetes.io/metadata.name": "team-a" })).toEqual({
        ok: true,
        matches: true,
      });
    }
    const custom = admissionManifests({
      tls,
      namespace: "sec-tools",
      validateFailurePolicy: "Ignore",
    }) as Obj[];
    const cv = byKind(custom, "ValidatingWebhookConfiguration")[0]!.webhooks[0];
    expect(cv.failurePolicy).toBe("Ignore");
    expect(
      matchSelector(cv.namespaceSelector, { "kubernetes.io/metadata.name": "sec-tools" }).ok &&
        matchSelector(cv.namespaceSelector, { "kubernetes.io/metadata.name": "sec-tools" }),
    ).toEqual({ ok: true, matches: false });
    expect(byKind(custom, "MutatingWebhookConfiguration")).toEqual([]);
  });

  it("ships a CA bundle that signed a serving certificate for the Service's names", () => {
    const v = byKind(objects, "ValidatingWebhookConfiguration")[0]!.webhooks[0];
    const ca = new X509Certificate(Buffer.from(v.clientConfig.caBundle, "base64"));
    const secret = byKind(objects, "Secret")[0]!;
    const cert = new X509Certificate(Buffer.from(secret.data["tls.crt"], "base64"));
    expect(cert.verify(ca.publicKey)).toBe(true);
    for (const name of ["kubeward-admission.kubeward.svc", "kubeward-admission.kubeward.svc.cluster.local"])
      expect(cert.checkHost(name)).toBe(name);
    expect(v.clientConfig.service).toEqual({
      name: "kubeward-admission",
      namespace: "kubeward",
      path: "/validate",
      port: 443,
    });
  });

  it("with cert-manager: an Issuer, a Certificate and CA injection instead of a Secret", () => {
    const cm = admissionManifests({ certManager: true }) as Obj[];
    expect(byKind(cm, "Secret")).toEqual([]);
    expect(byKind(cm, "Certificate")[0]!.spec.dnsNames).toContain("kubeward-admission.kubeward.svc");
    const vwc = byKind(cm, "ValidatingWebhookConfiguration")[0]!;
    expect(vwc.metadata.annotations["cert-manager.io/inject-ca-from"]).toBe("kubeward/kubeward-admission");
    expect(vwc.webhooks[0].clientConfig.caBundle).toBeUndefined();
  });

  it("passes kubeward's own restricted Pod Security scan", async () => {
    const file = join(tmp, "install.yaml");
    const text = manifestsYaml(objects);
    writeFileSync(file, text);
    expect(parseAllDocuments(text).length).toBe(objects.length);
    const report = await scanManifests([file], { pssLevel: "restricted", pssVersion: "latest" });
    expect(report.errors).toEqual([]);
    const pss = report.findings.filter((f) => f.checkId.startsWith("KW-POD-"));
    expect(pss).toEqual([]);
    // the scan did look at the Deployment (a broken variant is caught)
    const broken = structuredClone(objects);
    byKind(
      broken,
      "Deployment",
    )[0]!.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    writeFileSync(file, manifestsYaml(broken));
    const again = await scanManifests([file], { pssLevel: "restricted", pssVersion: "latest" });
    expect(again.findings.some((f) => f.checkId === "KW-POD-001")).toBe(true);
  });
});

/**
 * Whether the API server would call a webhook for a request: its rules and namespaceSelector run
 * through the API server's matching as kubeward implements it for ValidatingAdmissionPolicy
 * matchConstraints (the same rule, scope and namespace-selector semantics upstream shares).
 */
function routes(webhook: Obj, req: AdmissionRequest, namespaceLabels: Record<string, string> = {}): boolean {
  const set = {
    ...parsePolicyDocs([
      {
        doc: {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "ValidatingAdmissionPolicy",
          metadata: { name: "webhook" },
          spec: {
            matchConstraints: { namespaceSelector: webhook.namespaceSelector, resourceRules: webhook.rules },
            validations: [{ expression: "true" }],
          },
        },
        where: "webhook",
      },
      {
        doc: {
          apiVersion: "admissionregistration.k8s.io/v1",
          kind: "ValidatingAdmissionPolicyBinding",
          metadata: { name: "webhook" },
          spec: { policyName: "webhook", validationActions: ["Deny"] },
        },
        where: "binding",
      },
    ]),
    params: [],
  };
  const namespace = req.namespace ?? "";
  return (
    applicableBindings(set, {
      request: req,
      object: req.object ?? null,
      oldObject: req.oldObject ?? null,
      ...(namespace
        ? {
            namespaceObject: {
              apiVersion: "v1",
              kind: "Namespace",
              metadata: {
                name: namespace,
                labels: { "kubernetes.io/metadata.name": namespace, ...namespaceLabels },
              },
            },
          }
        : {}),
    }).length === 1
  );
}

/** A Namespace request as the API server sends it: the namespace's own name is the request's namespace. */
function namespaceRequest(
  name: string,
  operation: AdmissionRequest["operation"],
  subResource?: string,
): AdmissionRequest {
  const ns = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
  };
  return {
    uid: "u",
    kind: { group: "", version: "v1", kind: "Namespace" },
    resource: { group: "", version: "v1", resource: "namespaces" },
    ...(subResource ? { subResource } : {}),
    name,
    namespace: name,
    operation,
    userInfo: { username: "admin" },
    object: operation === "DELETE" ? null : ns,
    oldObject: operation === "CREATE" ? null : ns,
  };
}

function podRequest(
  namespace: string,
  operation: AdmissionRequest["operation"],
  subResource?: string,
): AdmissionRequest {
  return {
    uid: "u",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    ...(subResource ? { subResource } : {}),
    name: "p",
    namespace,
    operation,
    userInfo: { username: "admin" },
    object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace } },
  };
}

describe("what the generated webhooks are sent (the API server's rule and selector matching)", () => {
  const objects = admissionManifests({ tls, mutate: true }) as Obj[];
  const validate = byKind(objects, "ValidatingWebhookConfiguration")[0]!.webhooks[0];
  const mutate = byKind(objects, "MutatingWebhookConfiguration")[0]!.webhooks[0];

  it("routes a Namespace UPDATE and CREATE to the validating webhook only", () => {
    for (const op of ["UPDATE", "CREATE"] as const) {
      expect(routes(validate, namespaceRequest("team-a", op)), op).toBe(true);
      expect(routes(mutate, namespaceRequest("team-a", op)), op).toBe(false);
    }
  });

  it("never routes requests for the Namespace objects of kube-system, kube-node-lease or kubeward's own namespace", () => {
    for (const name of ["kube-system", "kube-node-lease", "kubeward"])
      for (const op of ["UPDATE", "CREATE"] as const)
        expect(routes(validate, namespaceRequest(name, op)), `${op} ${name}`).toBe(false);
  });

  it("does not route what Pod Security ignores on namespaces: DELETE and subresources", () => {
    expect(routes(validate, namespaceRequest("team-a", "DELETE"))).toBe(false);
    expect(routes(validate, namespaceRequest("team-a", "UPDATE", "status"))).toBe(false);
    expect(routes(validate, namespaceRequest("team-a", "UPDATE", "finalize"))).toBe(false);
  });

  it("still routes pods (and ephemeral containers) outside the excluded namespaces, and not their status", () => {
    expect(routes(validate, podRequest("team-a", "CREATE"))).toBe(true);
    expect(routes(validate, podRequest("team-a", "UPDATE", "ephemeralcontainers"))).toBe(true);
    expect(routes(validate, podRequest("team-a", "UPDATE", "status"))).toBe(false);
    expect(routes(mutate, podRequest("team-a", "CREATE"))).toBe(true);
    for (const ns of ["kube-system", "kube-node-lease", "kubeward"]) {
      expect(routes(validate, podRequest(ns, "CREATE")), ns).toBe(false);
      expect(routes(mutate, podRequest(ns, "CREATE")), ns).toBe(false);
    }
  });
});

describe("shipping a config with its policy files", () => {
  it("puts the policy and param files in the ConfigMap and the mounted copy decides like the original", async () => {
    const b = await bundleConfig(CONFIG);
    expect(Object.keys(b.files).sort()).toEqual(["params.yaml", "vap.yaml"]);
    const cm = byKind(
      admissionManifests({ tls, configYaml: b.configYaml, configFiles: b.files }) as Obj[],
      "ConfigMap",
    )[0]!;
    const mount = join(tmp, "mount");
    mkdirSync(mount, { recursive: true });
    for (const [k, v] of Object.entries(cm.data as Record<string, string>)) writeFileSync(join(mount, k), v);
    const original = await loadEngine(CONFIG);
    const mounted = await loadEngine(join(mount, "config.yaml"));
    for (const c of suite()) {
      const body = JSON.stringify(c.body);
      expect((await handleReview(mounted, c.endpoint, body)).payload, c.name).toEqual(
        (await handleReview(original, c.endpoint, body)).payload,
      );
    }
  });

  it("refuses two files with the same name and files it cannot read, naming them", async () => {
    const dir = join(tmp, "dup");
    mkdirSync(join(dir, "a"), { recursive: true });
    mkdirSync(join(dir, "b"), { recursive: true });
    writeFileSync(join(dir, "a", "p.yaml"), "x: 1\n");
    writeFileSync(join(dir, "b", "p.yaml"), "x: 2\n");
    const cfg = join(dir, "c.yaml");
    writeFileSync(
      cfg,
      "apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\npolicies:\n  files: [a/p.yaml, b/p.yaml]\n",
    );
    await expect(bundleConfig(cfg)).rejects.toMatchObject({
      code: "config-invalid",
      message: expect.stringContaining("share the name p.yaml"),
    });
    writeFileSync(
      cfg,
      "apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\npolicies:\n  files: [missing.yaml]\n",
    );
    await expect(bundleConfig(cfg)).rejects.toMatchObject({
      code: "config-unreadable",
      message: expect.stringContaining("policies.files[0]"),
    });
  });
});
