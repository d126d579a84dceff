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
  oldObj?: Obj;
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
    skipDeployment: true,
    allowed: false,
    reason: "BadRequest",
    audit: [],
  },
  {
    desc: "invalid object",
    namespace: "baseline-ns",
    operation: "UPDATE",
    obj: { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } },
    skipDeployment: true,
    allowed: false,
    reason: "BadRequest",
    audit: [],
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
    audit: [],
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
  const old = c.oldObj ?? (asDeployment ? toDeployment(c.oldPod) : c.oldPod);
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

describe("Namespace labels (upstream ValidateNamespace)", () => {
  const nsReq = (
    operation: "CREATE" | "UPDATE",
    labels: Record<string, string>,
    old?: Record<string, string>,
  ): AdmissionRequest => ({
    uid: "n",
    name: "team-x",
    kind: { group: "", version: "v1", kind: "Namespace" },
    resource: { group: "", version: "v1", resource: "namespaces" },
    operation,
    userInfo: { username: "admin" },
    object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-x", labels } },
    oldObject: old
      ? { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-x", labels: old } }
      : null,
  });
  const bad = { "pod-security.kubernetes.io/enforce": "strict" };

  it("refuses invalid pod-security labels on create (422 Invalid), accepts valid ones", async () => {
    const r = (await engine.validate(nsReq("CREATE", bad))).response;
    expect(r.allowed).toBe(false);
    expect(r.status).toMatchObject({ code: 422, reason: "Invalid" });
    expect(r.status?.message).toBe(
      'Namespace "team-x" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
    expect(
      (await engine.validate(nsReq("CREATE", { "pod-security.kubernetes.io/enforce": "baseline" }))).response
        .allowed,
    ).toBe(true);
  });

  it("on update, refuses labels that became invalid but tolerates unchanged invalid labels", async () => {
    expect((await engine.validate(nsReq("UPDATE", bad, {}))).response.allowed).toBe(false);
    expect((await engine.validate(nsReq("UPDATE", { ...bad, other: "x" }, bad))).response.allowed).toBe(true);
    const worse = { ...bad, "pod-security.kubernetes.io/warn-version": "v2" };
    expect((await engine.validate(nsReq("UPDATE", worse, bad))).response.allowed).toBe(false);
  });
});
