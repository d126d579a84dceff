// Namespace requests under Pod Security, after upstream's TestValidateNamespace
// (kubernetes/pod-security-admission admission_test.go): label validation on create and update,
// and the dry run of the namespace's pods when an update tightens the enforce level. Upstream's
// test evaluator turns an "error" annotation into a forbidden reason; here real pods fail real
// checks, so the warnings carry the real reasons, in upstream's exact format.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { parseAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionEngine, type EngineOptions } from "../../src/admission/engine.js";
import { prioritizePods } from "../../src/admission/psa.js";
import type { AdmissionRequest } from "../../src/admission/review.js";

type Obj = Record<string, unknown>;
const ENFORCE = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";

/** Pods failing restricted for distinct sets of reasons (upstream's "message" values). */
const FAILING: Record<string, { spec: Obj; reasons: string }> = {
  plain: {
    spec: { containers: [{ name: "a", image: "pause" }] },
    reasons:
      "allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
  },
  privileged: {
    spec: { containers: [{ name: "a", image: "pause", securityContext: { privileged: true } }] },
    reasons:
      "privileged, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
  },
  hostNetwork: {
    spec: { hostNetwork: true, containers: [{ name: "a", image: "pause" }] },
    reasons:
      "host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
  },
  hostPort: {
    spec: { containers: [{ name: "a", image: "pause", ports: [{ containerPort: 80, hostPort: 80 }] }] },
    reasons:
      "hostPort, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
  },
  hostPath: {
    spec: { volumes: [{ name: "v", hostPath: { path: "/" } }], containers: [{ name: "a", image: "pause" }] },
    reasons:
      "hostPath volumes, allowPrivilegeEscalation != false, unrestricted capabilities, restricted volume types, runAsNonRoot != true, seccompProfile",
  },
  hostPID: {
    spec: { hostPID: true, containers: [{ name: "a", image: "pause" }] },
    reasons:
      "host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
  },
};

function makePod(
  name: string,
  failing: keyof typeof FAILING,
  extra: { runtimeClass?: string; owner?: string } = {},
): Obj {
  const spec: Obj = structuredClone(FAILING[failing]!.spec);
  if (extra.runtimeClass) spec.runtimeClassName = extra.runtimeClass;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "test",
      ...(extra.owner
        ? {
            ownerReferences: [
              { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: extra.owner, controller: true },
            ],
          }
        : {}),
    },
    spec,
  };
}

/** Upstream's default pods: two "message" pods, one per runtime class, and one "message, message2". */
const DEFAULT_PODS = [
  makePod("noruntimeclasspod", "plain"),
  makePod("runtimeclass1pod", "plain", { runtimeClass: "runtimeclass1" }),
  makePod("runtimeclass2pod", "plain", { runtimeClass: "runtimeclass2" }),
  makePod("runtimeclass3pod", "privileged"),
];
const PLAIN = FAILING.plain!.reasons;
const PRIVILEGED = FAILING.privileged!.reasons;

interface NsCase {
  name: string;
  exemptNamespaces?: string[];
  exemptRuntimeClasses?: string[];
  /** Default enforce level (upstream's test default: privileged). */
  defaultEnforce?: "privileged" | "restricted";
  subresource?: string;
  newLabels: Record<string, string>;
  /** Present: an UPDATE from these labels. */
  oldLabels?: Record<string, string>;
  pods?: Obj[];
  listDelayMs?: number;
  /** Milliseconds each read of the clock advances (stands for upstream's slow evaluation). */
  clockStepMs?: number;
  expectAllowed: boolean;
  expectError?: string;
  expectListPods: boolean;
  expectWarnings?: string[];
}

const nsCases: NsCase[] = [
  // creation: labels are validated only
  {
    name: "create privileged",
    newLabels: { [ENFORCE]: "privileged", [ENFORCE_VERSION]: "v1.0" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "create baseline",
    newLabels: { [ENFORCE]: "baseline" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "create restricted",
    newLabels: { [ENFORCE]: "restricted" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "create malformed level",
    newLabels: { [ENFORCE]: "unknown" },
    expectAllowed: false,
    expectError: "must be one of privileged, baseline, restricted",
    expectListPods: false,
  },
  {
    name: "create malformed version",
    newLabels: { [ENFORCE]: "privileged", [ENFORCE_VERSION]: "unknown" },
    expectAllowed: false,
    expectError: 'must be "latest" or "v1.x"',
    expectListPods: false,
  },
  // updates that do not tighten the enforce level: no dry run
  {
    name: "update no-op",
    newLabels: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "v1.0" },
    oldLabels: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "v1.0" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "update no-op malformed level",
    newLabels: { [ENFORCE]: "unknown" },
    oldLabels: { [ENFORCE]: "unknown" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "update no-op malformed version",
    newLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "unknown" },
    oldLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "unknown" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "update relax level identical version",
    newLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "v1.0" },
    oldLabels: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "v1.0" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "update relax level explicit latest",
    newLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "latest" },
    oldLabels: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "latest" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "update relax level implicit latest",
    newLabels: { [ENFORCE]: "baseline" },
    oldLabels: { [ENFORCE]: "restricted" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "update to explicit privileged",
    newLabels: { [ENFORCE]: "privileged" },
    oldLabels: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "v1.0" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    name: "update to implicit privileged",
    newLabels: {},
    oldLabels: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "v1.0" },
    expectAllowed: true,
    expectListPods: false,
  },
  {
    // Since Kubernetes 1.25 an exempt namespace gets a warning that its labels are ignored.
    name: "update exempt to restricted",
    exemptNamespaces: ["test"],
    newLabels: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "v1.0" },
    oldLabels: {},
    expectAllowed: true,
    expectListPods: false,
    expectWarnings: [
      'namespace "test" is exempt from Pod Security, and the policy (enforce=restricted:v1.0) will be ignored',
    ],
  },
  // updates that introduce label errors
  {
    name: "update malformed level",
    newLabels: { [ENFORCE]: "unknown" },
    oldLabels: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "v1.0" },
    expectAllowed: false,
    expectError: "must be one of privileged, baseline, restricted",
    expectListPods: false,
  },
  {
    name: "update malformed version",
    newLabels: { [ENFORCE]: "privileged", [ENFORCE_VERSION]: "unknown" },
    oldLabels: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "v1.0" },
    expectAllowed: false,
    expectError: 'must be "latest" or "v1.x"',
    expectListPods: false,
  },
  // updates that tighten the enforce level: dry run of the existing pods
  {
    name: "update to implicit restricted",
    newLabels: {},
    oldLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "v1.0" },
    defaultEnforce: "restricted",
    expectAllowed: true,
    expectListPods: true,
    expectWarnings: [
      'existing pods in namespace "test" violate the new PodSecurity enforce level "restricted:latest"',
      `noruntimeclasspod (and 2 other pods): ${PLAIN}`,
      `runtimeclass3pod: ${PRIVILEGED}`,
    ],
  },
  {
    name: "update with runtimeclass exempt pods",
    exemptRuntimeClasses: ["runtimeclass1"],
    newLabels: { [ENFORCE]: "restricted" },
    oldLabels: { [ENFORCE]: "baseline" },
    expectAllowed: true,
    expectListPods: true,
    expectWarnings: [
      'existing pods in namespace "test" violate the new PodSecurity enforce level "restricted:latest"',
      `noruntimeclasspod (and 1 other pod): ${PLAIN}`,
      `runtimeclass3pod: ${PRIVILEGED}`,
    ],
  },
  {
    name: "timeout on list",
    newLabels: { [ENFORCE]: "restricted" },
    oldLabels: { [ENFORCE]: "baseline" },
    listDelayMs: 1100,
    expectAllowed: true,
    expectListPods: true,
    expectWarnings: ["failed to list pods while checking new PodSecurity enforce level"],
  },
  {
    name: "timeout on evaluate",
    newLabels: { [ENFORCE]: "restricted" },
    oldLabels: { [ENFORCE]: "baseline" },
    clockStepMs: 550, // two evaluations fit in the 1 s budget
    expectAllowed: true,
    expectListPods: true,
    expectWarnings: [
      "new PodSecurity enforce level only checked against the first 2 of 4 existing pods",
      'existing pods in namespace "test" violate the new PodSecurity enforce level "restricted:latest"',
      `noruntimeclasspod (and 1 other pod): ${PLAIN}`,
    ],
  },
  {
    name: "bound number of pods",
    newLabels: { [ENFORCE]: "restricted" },
    oldLabels: { [ENFORCE]: "baseline" },
    pods: ["pod1", "pod2", "pod3", "pod4", "pod5"].map((n) => makePod(n, "plain")),
    expectAllowed: true,
    expectListPods: true,
    expectWarnings: [
      "new PodSecurity enforce level only checked against the first 4 of 5 existing pods",
      'existing pods in namespace "test" violate the new PodSecurity enforce level "restricted:latest"',
      `pod1 (and 3 other pods): ${PLAIN}`,
    ],
  },
  {
    name: "prioritized pods",
    exemptRuntimeClasses: ["runtimeclass1"],
    newLabels: { [ENFORCE]: "restricted" },
    oldLabels: { [ENFORCE]: "baseline" },
    pods: [
      // exempt pods do not use up the limit of evaluated pods
      ...[1, 2, 3, 4].map((i) => makePod(`exemptpod${i}`, "privileged", { runtimeClass: "runtimeclass1" })),
      // nor do replicas of the same controller
      ...[1, 2, 3, 4].map((i) => makePod(`replicaset1pod${i}`, "plain", { owner: "1" })),
      ...[1, 2, 3, 4].map((i) => makePod(`replicaset2pod${i}`, "privileged", { owner: "2" })),
      // unique pods come before further replicas
      makePod("uniquepod1", "hostNetwork"),
      makePod("uniquepod2", "hostPort"),
      makePod("uniquepod3", "hostPath"),
      makePod("uniquepod4", "hostPID"),
    ],
    expectAllowed: true,
    expectListPods: true,
    expectWarnings: [
      "new PodSecurity enforce level only checked against the first 4 of 12 existing pods",
      'existing pods in namespace "test" violate the new PodSecurity enforce level "restricted:latest"',
      `replicaset1pod1: ${PLAIN}`,
      `replicaset2pod1: ${PRIVILEGED}`,
      `uniquepod1: ${FAILING.hostNetwork!.reasons}`,
      `uniquepod2: ${FAILING.hostPort!.reasons}`,
    ],
  },
];

function engineFor(
  c: NsCase,
  listed: { called: boolean },
  extra: Partial<EngineOptions> = {},
): AdmissionEngine {
  const config = parseAdmissionConfig(
    `apiVersion: kubeward.io/v1alpha1
kind: AdmissionConfig
podSecurity:
  defaults: { enforce: ${c.defaultEnforce ?? "privileged"} }
  exemptions:
    namespaces: ${JSON.stringify(c.exemptNamespaces ?? [])}
    runtimeClasses: ${JSON.stringify(c.exemptRuntimeClasses ?? [])}
`,
    "ns-case.yaml",
  );
  let clock = 0;
  return new AdmissionEngine(config, {
    namespacePods: async (namespace, signal) => {
      listed.called = true;
      expect(namespace).toBe("test");
      if (c.listDelayMs) await sleep(c.listDelayMs, undefined, { signal });
      return c.pods ?? DEFAULT_PODS;
    },
    namespacePodCheckLimit: 4,
    ...(c.clockStepMs
      ? {
          now: () => {
            const t = clock;
            clock += c.clockStepMs!;
            return t;
          },
        }
      : {}),
    ...extra,
  });
}

function nsRequest(
  labels: Record<string, string>,
  oldLabels?: Record<string, string>,
  subResource?: string,
): AdmissionRequest {
  const ns = (l: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "test", labels: l },
  });
  return {
    uid: "ns",
    name: "test",
    namespace: "test",
    kind: { group: "", version: "v1", kind: "Namespace" },
    resource: { group: "", version: "v1", resource: "namespaces" },
    ...(subResource ? { subResource } : {}),
    operation: oldLabels ? "UPDATE" : "CREATE",
    userInfo: { username: "admin" },
    object: ns(labels),
    oldObject: oldLabels ? ns(oldLabels) : null,
  };
}

describe("Namespace requests, upstream TestValidateNamespace", () => {
  for (const c of nsCases) {
    it(c.name, async () => {
      const listed = { called: false };
      const { response } = await engineFor(c, listed).validate(
        nsRequest(c.newLabels, c.oldLabels, c.subresource),
      );
      expect(response.allowed).toBe(c.expectAllowed);
      if (c.expectError) {
        expect(response.status?.code).toBe(422);
        expect(response.status?.reason).toBe("Invalid");
        expect(response.status?.message).toContain(c.expectError);
      } else expect(response.status).toBeUndefined();
      expect(listed.called).toBe(c.expectListPods);
      expect(response.warnings).toEqual(c.expectWarnings);
    });
  }
});

describe("Namespace requests: exact answers", () => {
  it("invalid labels: 422 with upstream's message and one cause per label", async () => {
    const listed = { called: false };
    const engine = engineFor({ name: "", newLabels: {}, expectAllowed: true, expectListPods: false }, listed);
    const { response } = await engine.validate(
      nsRequest({ [ENFORCE]: "strict", "pod-security.kubernetes.io/audit-version": "v2" }),
    );
    expect(response.status).toEqual({
      code: 422,
      reason: "Invalid",
      status: "Failure",
      message:
        'Namespace "test" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "v2": must be "latest" or "v1.x"]',
      details: {
        kind: "Namespace",
        name: "test",
        causes: [
          {
            type: "FieldValueInvalid",
            field: "metadata.labels[pod-security.kubernetes.io/enforce]",
            message: 'Invalid value: "strict": must be one of privileged, baseline, restricted',
          },
          {
            type: "FieldValueInvalid",
            field: "metadata.labels[pod-security.kubernetes.io/audit-version]",
            message: 'Invalid value: "v2": must be "latest" or "v1.x"',
          },
        ],
      },
    });
  });

  it("an exempt namespace is warned that its non-privileged labels are ignored (enforce, audit, warn order)", async () => {
    const base: NsCase = {
      name: "",
      exemptNamespaces: ["test"],
      newLabels: {},
      expectAllowed: true,
      expectListPods: false,
    };
    const engine = engineFor(base, { called: false });
    const warned = async (labels: Record<string, string>) =>
      (await engine.validate(nsRequest(labels))).response.warnings;
    expect(
      await warned({
        "pod-security.kubernetes.io/warn": "restricted",
        [ENFORCE]: "baseline",
        "pod-security.kubernetes.io/audit-version": "v1.30", // audit stays privileged: not listed
      }),
    ).toEqual([
      'namespace "test" is exempt from Pod Security, and the policy (enforce=baseline:latest, warn=restricted:latest) will be ignored',
    ]);
    // fully privileged, or the same as the defaults: nothing to say
    expect(
      await warned({ [ENFORCE]: "privileged", "pod-security.kubernetes.io/warn": "privileged" }),
    ).toBeUndefined();
    expect(await warned({ [ENFORCE_VERSION]: "v1.20" })).toBeUndefined();
    // a namespace that is not exempt gets no such warning
    const other = engineFor({ ...base, exemptNamespaces: [] }, { called: false });
    expect((await other.validate(nsRequest({ [ENFORCE]: "baseline" }))).response.warnings).toBeUndefined();
  });

  it("bad requests: subresources pass; a missing or foreign object is a 400 with upstream's text", async () => {
    const engine = engineFor(
      { name: "", newLabels: {}, expectAllowed: true, expectListPods: false },
      { called: false },
    );
    expect((await engine.validate(nsRequest({ [ENFORCE]: "bogus" }, undefined, "status"))).response).toEqual({
      uid: "ns",
      allowed: true,
    });
    const foreign = {
      ...nsRequest({}),
      object: { apiVersion: "v1", kind: "Pod", metadata: { name: "test" } },
    };
    expect((await engine.validate(foreign)).response.status?.message).toBe("failed to decode namespace");
    const noOld = { ...nsRequest({}, {}), oldObject: null };
    const r = (await engine.validate(noOld)).response;
    expect(r.status).toEqual({
      code: 400,
      reason: "BadRequest",
      status: "Failure",
      message: "failed to decode  old object",
    });
    expect(r.auditAnnotations).toEqual({
      error: "failed to decode  old object: request.oldObject is missing",
    });
  });

  it("a failing pod list gives upstream's warning; without a pod source no dry run is done", async () => {
    const c: NsCase = {
      name: "",
      newLabels: { [ENFORCE]: "restricted" },
      oldLabels: {},
      expectAllowed: true,
      expectListPods: true,
    };
    const failing = engineFor(
      c,
      { called: false },
      {
        namespacePods: async () => {
          throw new Error("forbidden");
        },
      },
    );
    expect((await failing.validate(nsRequest(c.newLabels, c.oldLabels))).response.warnings).toEqual([
      "failed to list pods while checking new PodSecurity enforce level",
    ]);
    const offline = new AdmissionEngine(
      parseAdmissionConfig("apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\n", "offline.yaml"),
    );
    expect((await offline.validate(nsRequest(c.newLabels, c.oldLabels))).response).toEqual({
      uid: "ns",
      allowed: true,
    });
  });
});

describe("prioritizePods (upstream TestPrioritizePods)", () => {
  it("one pod per controller first, then the remaining replicas; exempt runtime classes dropped", () => {
    const pods = [
      makePod("a1", "plain", { owner: "A" }),
      makePod("a2", "plain", { owner: "A" }),
      makePod("b1", "plain", { owner: "B" }),
      makePod("x", "plain", { runtimeClass: "kata" }),
      makePod("a3", "plain", { owner: "A" }),
      makePod("free", "plain"),
      makePod("c1", "plain", { owner: "C" }),
      makePod("b2", "plain", { owner: "B" }),
    ];
    const names = prioritizePods(pods, ["kata"]).map((p) => (p.metadata as Obj).name);
    expect(names).toEqual(["a1", "b1", "free", "c1", "a2", "a3", "b2"]);
  });
});
