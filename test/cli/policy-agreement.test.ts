// One engine, many gates: a ValidatingAdmissionPolicy with params decides the same way in CI
// (`scan manifests --policy`) and at admission (`admission review` with the same policy files).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding, Report } from "../../src/core/model.js";
import { ensureBuilt, kubeward } from "./helpers.js";

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: replica-limit }
spec:
  failurePolicy: Fail
  paramKind: { apiVersion: v1, kind: ConfigMap }
  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments"]
  validations:
    - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
      messageExpression: "'replicas must be at most ' + params.data.maxReplicas"
      reason: Invalid
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: { name: replica-limit-binding }
spec:
  policyName: replica-limit
  validationActions: [Deny]
  paramRef: { name: replica-limit-params, namespace: default, parameterNotFoundAction: Deny }
`;

const PARAMS = `apiVersion: v1
kind: ConfigMap
metadata: { name: replica-limit-params, namespace: default }
data: { maxReplicas: "3" }
`;

function deployment(name: string, replicas: number): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "shop" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
      },
    },
  };
}

function review(obj: Record<string, unknown>, uid: string): Record<string, unknown> {
  const meta = obj.metadata as { name: string; namespace: string };
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      name: meta.name,
      namespace: meta.namespace,
      operation: "CREATE",
      userInfo: { username: "alice" },
      object: obj,
      oldObject: null,
      dryRun: false,
    },
  };
}

let tmp: string;
beforeAll(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), "kw-policy-"));
  writeFileSync(join(tmp, "policy.yaml"), POLICY);
  writeFileSync(join(tmp, "params.yaml"), PARAMS);
  writeFileSync(
    join(tmp, "admission.yaml"),
    "apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\npolicies:\n  files: [policy.yaml]\n  params: [params.yaml]\n",
  );
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("scan manifests --policy agrees with admission review", () => {
  it("denies the same objects for the same reason", () => {
    const objects = [deployment("small", 2), deployment("big", 10)];
    const manifests = join(tmp, "manifests");
    writeFileSync(`${manifests}.yaml`, objects.map((o) => JSON.stringify(o)).join("\n---\n"));

    const scan = kubeward([
      "scan",
      "manifests",
      `${manifests}.yaml`,
      "--policy",
      join(tmp, "policy.yaml"),
      "--policy-params",
      join(tmp, "params.yaml"),
      "-f",
      "json",
    ]);
    expect(scan.code, scan.stderr).toBe(0);
    // the policy files change the results, so the report's effective options name them
    expect((JSON.parse(scan.stdout) as Report).scan.options).toMatchObject({
      policies: [join(tmp, "policy.yaml")],
      policyParams: [join(tmp, "params.yaml")],
    });
    const vap = ((JSON.parse(scan.stdout) as Report).findings as Finding[]).filter((f) =>
      f.checkId.startsWith("VAP/"),
    );
    expect(vap.map((f) => f.resource?.name)).toEqual(["big"]);
    expect(vap[0]).toMatchObject({ checkId: "VAP/replica-limit", layer: "admission", status: "fail" });
    expect(vap[0]!.message).toContain("replicas must be at most 3");

    const decisions = objects.map((obj, i) => {
      const file = join(tmp, `review-${i}.json`);
      writeFileSync(file, JSON.stringify(review(obj, `uid-${i}`)));
      const r = kubeward(["admission", "review", file, "--config", join(tmp, "admission.yaml")]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).response as { uid: string; allowed: boolean; status?: { message: string } };
    });
    expect(decisions.map((d) => d.allowed)).toEqual([true, false]);
    expect(decisions[1]!.uid).toBe("uid-1");
    expect(decisions[1]!.status?.message).toContain("replicas must be at most 3");
  });

  it("exits 2 on a missing or invalid policy file", () => {
    expect(kubeward(["scan", "manifests", "examples/", "--policy", join(tmp, "nope.yaml")]).code).toBe(2);
    writeFileSync(join(tmp, "bad-policy.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    const r = kubeward(["scan", "manifests", "examples/", "--policy", join(tmp, "bad-policy.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ValidatingAdmissionPolicy/);
  });
});
