// Pod Security Admission behaviour, case by case after upstream's TestValidatePodAndController
// (kubernetes/pod-security-admission admission_test.go): every pod case also runs as a Deployment
// carrying the pod as its template, where enforce never applies.
import { describe, expect, it } from "vitest";
import { parseAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionEngine } from "../../src/admission/engine.js";
import type { AdmissionRequest } from "../../src/admission/review.js";

type Obj = Record<string, unknown>;

const NAMESPACES: Record<string, Record<string, string>> = {};
const ns = (name: string, enforce?: string, warn?: string, audit?: string) => {
  const l: Record<string, string> = {};
  if (enforce) l["pod-security.kubernetes.io/enforce"] = enforce;
  if (warn) l["pod-security.kubernetes.io/warn"] = warn;
  if (audit) l["pod-security.kubernetes.io/audit"] = audit;
  NAMESPACES[name] = l;
};
ns("exempt-ns", "restricted", "restricted", "restricted");
ns("implicit-ns");
ns("privileged-ns", "privileged", "privileged", "privileged");
ns("baseline-ns", "baseline", "baseline", "baseline");
ns("baseline-warn-ns", undefined, "baseline");
ns("baseline-audit-ns", undefined, undefined, "baseline");
ns("restricted-ns", "restricted", "restricted", "restricted");
ns("invalid-ns", "not-a-valid-level");

const config = parseAdmissionConfig(
  `apiVersion: kubeward.io/v1alpha1
kind: AdmissionConfig
podSecurity:
  exemptions: { namespaces: [exempt-ns], usernames: [exempt-user], runtimeClasses: [exempt-runtimeclass] }
`,
  "psa.yaml",
);
// Namespace labels come through the same injection point the server's API lookup uses; unknown namespaces fail.
const engine = new AdmissionEngine(config, {
  namespaceLabels: async (name) => {
    const labels = NAMESPACES[name];
    if (!labels) throw new Error(`namespaces "${name}" not found`);
    return labels;
  },
});

const meta = { name: "test-pod", labels: { foo: "bar" } };
const restrictedPod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: meta,
  spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
      {
        name: "a",
        image: "registry.k8s.io/pause",
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      },
    ],
  },
};
const baselinePod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: meta,
  spec: { containers: [{ name: "a", image: "registry.k8s.io/pause" }] },
};
const privilegedPod = structuredClone(baselinePod);
(privilegedPod.spec.containers[0] as Obj).securityContext = { privileged: true };
const exemptRCPod = structuredClone(privilegedPod) as Obj;
(exemptRCPod.spec as Obj).runtimeClassName = "exempt-runtimeclass";
const tolerantPod = structuredClone(privilegedPod) as Obj;
(tolerantPod.spec as Obj).tolerations = [{ operator: "Exists" }];
const differentPrivilegedPod = structuredClone(privilegedPod);
privilegedPod.spec.containers[0]!.image = "registry.k8s.io/pause";
differentPrivilegedPod.spec.containers[0]!.image = "https://example.com/a-different-image";
const differentRestrictedPod = structuredClone(restrictedPod);
differentRestrictedPod.spec.containers[0]!.image = "https://example.com/a-different-image";

interface Case {
  desc: string;
  namespace: string;
  username?: string;
  pod?: Obj;
  oldPod?: Obj;
  obj?: Obj | null;
  oldObj?: Obj | null;
  operation?: "CREATE" | "UPDATE";
  subresource?: string;
  skipPod?: boolean;
  skipDeployment?: boolean;
  allowed: boolean;
  reason?: string;
  warning?: boolean;
  /** Exact audit annotation keys expected on the pod request. */
  audit: string[];
  /** Audit keys on the Deployment variant, when they differ from the pod's minus enforce-policy. */
  deploymentAudit?: string[];
}

const cases: Case[] = [
  {
    desc: "ignored subresource",
    namespace: "restricted-ns",
    pod: privilegedPod,
    subresource: "status",
    allowed: true,
    audit: [],
  },
  { desc: "exempt namespace", namespace: "exempt-ns", pod: privilegedPod, allowed: true, audit: ["exempt"] },
  {
    desc: "exempt user",
    namespace: "restricted-ns",
    username: "exempt-user",
    pod: privilegedPod,
    allowed: true,
    audit: ["exempt"],
  },
  {
    desc: "exempt runtimeClass",
    namespace: "restricted-ns",
    pod: exemptRCPod,
    allowed: true,
    audit: ["exempt"],
  },
  {
    desc: "namespace not found",
    namespace: "missing-ns",
    pod: restrictedPod,
    allowed: false,
    reason: "InternalError",
    audit: ["error"],
    deploymentAudit: ["error"],
  },
  {
    desc: "short-circuit privileged:latest (implicit)",
    namespace: "implicit-ns",
    pod: privilegedPod,
    allowed: true,
    audit: ["enforce-policy"],
  },
  {
    desc: "short-circuit privileged:latest (explicit)",
    namespace: "privileged-ns",
    pod: privilegedPod,
    allowed: true,
    audit: ["enforce-policy"],
  },
  {
    desc: "failed decode (no object)",
    namespace: "baseline-ns",
    obj: null,
    allowed: false,
    reason: "BadRequest",
    audit: ["error"],
  },
  {
    desc: "invalid object",
    namespace: "baseline-ns",
    operation: "UPDATE",
    obj: { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } },
    allowed: false,
    reason: "BadRequest",
    audit: ["error"],
  },
  {
    desc: "failed decode old object (none sent)",
    namespace: "baseline-ns",
    operation: "UPDATE",
    pod: restrictedPod,
    oldObj: null,
    skipDeployment: true,
    allowed: false,
    reason: "BadRequest",
    audit: ["error"],
  },
  {
    desc: "invalid old object",
    namespace: "baseline-ns",
    operation: "UPDATE",
    pod: restrictedPod,
    oldObj: { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } },
    skipDeployment: true,
    allowed: false,
    reason: "BadRequest",
    audit: ["error"],
  },
  {
    desc: "insignificant update",
    namespace: "restricted-ns",
    operation: "UPDATE",
    pod: tolerantPod,
    oldPod: privilegedPod,
    skipDeployment: true,
    allowed: true,
    audit: [],
  },
  {
    desc: "significant update denied",
    namespace: "restricted-ns",
    operation: "UPDATE",
    pod: differentPrivilegedPod,
    oldPod: privilegedPod,
    allowed: false,
    reason: "Forbidden",
    warning: true,
    audit: ["enforce-policy", "audit-violations"],
  },
  {
    desc: "significant update allowed",
    namespace: "restricted-ns",
    operation: "UPDATE",
    pod: differentRestrictedPod,
    oldPod: restrictedPod,
    allowed: true,
    audit: ["enforce-policy"],
  },
  {
    desc: "invalid namespace labels",
    namespace: "invalid-ns",
    pod: baselinePod,
    allowed: false,
    reason: "Forbidden",
    audit: ["enforce-policy", "error"],
  },
  {
    desc: "enforce deny",
    namespace: "restricted-ns",
    pod: privilegedPod,
    allowed: false,
    reason: "Forbidden",
    warning: true,
    audit: ["enforce-policy", "audit-violations"],
  },
  {
    desc: "enforce allow",
    namespace: "baseline-ns",
    pod: baselinePod,
    allowed: true,
    audit: ["enforce-policy"],
  },
  {
    desc: "warn deny",
    namespace: "baseline-warn-ns",
    pod: privilegedPod,
    allowed: true,
    warning: true,
    audit: ["enforce-policy"],
  },
  {
    desc: "audit deny",
    namespace: "baseline-audit-ns",
    pod: privilegedPod,
    allowed: true,
    audit: ["enforce-policy", "audit-violations"],
  },
  {
    desc: "no pod template",
    namespace: "restricted-ns",
    obj: { apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: {} },
    skipPod: true,
    allowed: true,
    audit: [],
  },
];

const toDeployment = (pod: Obj | undefined): Obj | undefined =>
  pod && {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: pod.metadata,
    spec: { template: { metadata: pod.metadata, spec: pod.spec } },
  };

function request(c: Case, asDeployment: boolean): AdmissionRequest {
  const withNs = (o: Obj | null | undefined) =>
    o ? { ...o, metadata: { ...(o.metadata as Obj), namespace: c.namespace } } : o;
  const object = c.obj !== undefined ? c.obj : asDeployment ? toDeployment(c.pod) : c.pod;
  const old = c.oldObj !== undefined ? c.oldObj : asDeployment ? toDeployment(c.oldPod) : c.oldPod;
  return {
    uid: "1",
    name: "test-pod",
    namespace: c.namespace,
    kind: asDeployment
      ? { group: "apps", version: "v1", kind: "Deployment" }
      : { group: "", version: "v1", kind: "Pod" },
    resource: asDeployment
      ? { group: "apps", version: "v1", resource: "deployments" }
      : { group: "", version: "v1", resource: "pods" },
    ...(c.subresource ? { subResource: c.subresource } : {}),
    operation: c.operation ?? "CREATE",
    userInfo: { username: c.username ?? "test-user" },
    object: withNs(object) ?? null,
    oldObject: withNs(old) ?? null,
  };
}

describe("Pod Security admission, upstream cases", () => {
  for (const c of cases) {
    if (!c.skipPod)
      it(`pod: ${c.desc}`, async () => {
        const { response } = await engine.validate(request(c, false));
        expect(response.allowed).toBe(c.allowed);
        if (c.allowed) expect(response.status).toBeUndefined();
        else expect(response.status?.reason).toBe(c.reason);
        // warnings only come with an allowed request
        if (c.warning && c.allowed) expect(response.warnings?.length).toBeGreaterThan(0);
        else expect(response.warnings).toBeUndefined();
        expect(Object.keys(response.auditAnnotations ?? {}).sort()).toEqual([...c.audit].sort());
      });
    if (!c.skipDeployment)
      it(`deployment: ${c.desc}`, async () => {
        const { response } = await engine.validate(request(c, true));
        // controllers are never enforced
        expect(response.allowed).toBe(true);
        expect(response.status).toBeUndefined();
        if (c.warning) expect(response.warnings?.length).toBeGreaterThan(0);
        else expect(response.warnings).toBeUndefined();
        const expected = c.deploymentAudit ?? c.audit.filter((k) => k !== "enforce-policy");
        expect(Object.keys(response.auditAnnotations ?? {}).sort()).toEqual([...expected].sort());
      });
  }
});

// The exact observable strings of upstream's answers for the cases above.
describe("Pod Security admission, upstream's exact answers", () => {
  const privilegedAtRestricted =
    'privileged (container "a" must not set securityContext.privileged=true), ' +
    'allowPrivilegeEscalation != false (container "a" must set securityContext.allowPrivilegeEscalation=false), ' +
    'unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]), ' +
    'runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true), ' +
    'seccompProfile (pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';
  const byDesc = (d: string) => cases.find((c) => c.desc === d)!;

  it("enforce deny: a 403 Forbidden status naming the pod, every reason with its detail; no warning", async () => {
    const { response } = await engine.validate(request(byDesc("enforce deny"), false));
    expect(response.status).toEqual({
      code: 403,
      reason: "Forbidden",
      status: "Failure",
      message: `pods "test-pod" is forbidden: violates PodSecurity "restricted:latest": ${privilegedAtRestricted}`,
      details: { kind: "pods", name: "test-pod" },
    });
    expect(response.warnings).toBeUndefined();
    expect(response.auditAnnotations).toEqual({
      "enforce-policy": "restricted:latest",
      "audit-violations": `would violate PodSecurity "restricted:latest": ${privilegedAtRestricted}`,
    });
  });

  it("a pod without a name yet (generateName) is forbidden as `pods is forbidden: ...`", async () => {
    const req = request(byDesc("enforce deny"), false);
    delete req.name;
    const { response } = await engine.validate(req);
    expect(response.status?.message).toBe(
      `pods is forbidden: violates PodSecurity "restricted:latest": ${privilegedAtRestricted}`,
    );
    expect(response.status?.details).toEqual({ kind: "pods" });
  });

  it("warn: ONE warning `would violate PodSecurity ...` with every reason, on pods and templates alike", async () => {
    const warnOnly = `would violate PodSecurity "baseline:latest": privileged (container "a" must not set securityContext.privileged=true)`;
    const pod = await engine.validate(request(byDesc("warn deny"), false));
    expect(pod.response.warnings).toEqual([warnOnly]);
    expect(pod.response.auditAnnotations).toEqual({ "enforce-policy": "privileged:latest" });
    const deployment = await engine.validate(request(byDesc("enforce deny"), true));
    expect(deployment.response.warnings).toEqual([
      `would violate PodSecurity "restricted:latest": ${privilegedAtRestricted}`,
    ]);
    expect(deployment.response.auditAnnotations).toEqual({
      "audit-violations": `would violate PodSecurity "restricted:latest": ${privilegedAtRestricted}`,
    });
  });

  it("exemptions are recorded as exempt: namespace | user | runtimeClass", async () => {
    for (const [desc, why] of [
      ["exempt namespace", "namespace"],
      ["exempt user", "user"],
      ["exempt runtimeClass", "runtimeClass"],
    ] as const) {
      const { response } = await engine.validate(request(byDesc(desc), false));
      expect(response.auditAnnotations).toEqual({ exempt: why });
    }
  });

  it("a failed namespace lookup: 500 Internal error for a pod, an error annotation on an allowed workload", async () => {
    const pod = await engine.validate(request(byDesc("namespace not found"), false));
    expect(pod.response.status).toEqual({
      code: 500,
      reason: "InternalError",
      status: "Failure",
      message: 'Internal error occurred: failed to lookup namespace "missing-ns"',
      details: { causes: [{ message: 'failed to lookup namespace "missing-ns"' }] },
    });
    expect(pod.response.auditAnnotations).toEqual({
      error:
        'Internal error occurred: failed to lookup namespace "missing-ns": namespaces "missing-ns" not found',
    });
    const deployment = await engine.validate(request(byDesc("namespace not found"), true));
    expect(deployment.response.allowed).toBe(true);
    expect(deployment.response.auditAnnotations).toEqual({
      error: 'failed to lookup namespace "missing-ns": namespaces "missing-ns" not found',
    });
  });

  it("bad requests: upstream's status messages, the cause in the error annotation", async () => {
    const expectations: Array<[string, string, string]> = [
      [
        "failed decode (no object)",
        "failed to decode object",
        "failed to decode object: request.object is missing",
      ],
      ["invalid object", "failed to decode pod", "failed to decode pod"],
      [
        "failed decode old object (none sent)",
        "failed to decode old object",
        "failed to decode old object: request.oldObject is missing",
      ],
      ["invalid old object", "failed to decode old pod", "failed to decode old pod"],
    ];
    for (const [desc, message, error] of expectations) {
      const { response } = await engine.validate(request(byDesc(desc), false));
      expect(response.status).toEqual({ code: 400, reason: "BadRequest", status: "Failure", message });
      expect(response.auditAnnotations).toEqual({ error });
    }
    // a workload whose object is not a pod-carrying kind is allowed, with the extraction error
    const { response } = await engine.validate(request(byDesc("invalid object"), true));
    expect(response.allowed).toBe(true);
    expect(response.auditAnnotations).toEqual({
      error: "failed to extract pod template: unexpected object type: /v1, Kind=Namespace",
    });
  });

  it("invalid namespace labels: enforce falls back to restricted, the parse error is audited", async () => {
    const { response } = await engine.validate(request(byDesc("invalid namespace labels"), false));
    expect(response.status?.message).toMatch(
      /^pods "test-pod" is forbidden: violates PodSecurity "restricted:latest": /,
    );
    expect(response.auditAnnotations?.error).toBe(
      'Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "not-a-valid-level": must be one of privileged, baseline, restricted',
    );
    // several label errors aggregate in brackets
    NAMESPACES["two-bad-ns"] = {
      "pod-security.kubernetes.io/enforce": "strict",
      "pod-security.kubernetes.io/warn-version": "v2",
    };
    const two = await engine.validate(
      request({ ...byDesc("invalid namespace labels"), namespace: "two-bad-ns" }, false),
    );
    expect(two.response.auditAnnotations?.error).toBe(
      'Failed to parse policy: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "v2": must be "latest" or "v1.x"]',
    );
  });

  it("every workload kind with a pod template is evaluated (warn), other resources are not", async () => {
    const template = { metadata: meta, spec: privilegedPod.spec };
    const kinds: Array<[string, string, string, Obj]> = [
      ["", "replicationcontrollers", "ReplicationController", { template }],
      ["", "podtemplates", "PodTemplate", {}],
      ["apps", "replicasets", "ReplicaSet", { template }],
      ["apps", "statefulsets", "StatefulSet", { template }],
      ["apps", "daemonsets", "DaemonSet", { template }],
      ["batch", "jobs", "Job", { template }],
      ["batch", "cronjobs", "CronJob", { jobTemplate: { spec: { template } } }],
    ];
    for (const [group, resource, kind, spec] of kinds) {
      const object: Obj = {
        apiVersion: group ? `${group}/v1` : "v1",
        kind,
        metadata: { ...meta, namespace: "baseline-warn-ns" },
        ...(kind === "PodTemplate" ? { template } : { spec }),
      };
      const { response } = await engine.validate({
        ...request(byDesc("warn deny"), false),
        kind: { group, version: "v1", kind },
        resource: { group, version: "v1", resource },
        object,
      });
      expect(response.warnings, kind).toEqual([
        'would violate PodSecurity "baseline:latest": privileged (container "a" must not set securityContext.privileged=true)',
      ]);
    }
    const { response } = await engine.validate({
      ...request(byDesc("warn deny"), false),
      kind: { group: "", version: "v1", kind: "ConfigMap" },
      resource: { group: "", version: "v1", resource: "configmaps" },
      object: { apiVersion: "v1", kind: "ConfigMap", metadata: meta },
    });
    expect(response).toEqual({ uid: "1", allowed: true });
  });
});
