// A suite of realistic AdmissionReview requests with the decisions they must get. Shared by the
// engine tests, the offline-vs-live equivalence test and the benchmark.
import { resolve } from "node:path";
import { expect } from "vitest";

export const FIXTURES = resolve(import.meta.dirname, "fixtures");
export const CONFIG = resolve(FIXTURES, "config.yaml");

type Obj = Record<string, unknown>;

let n = 0;
export function review(
  object: Obj | null,
  opts: {
    namespace?: string;
    operation?: string;
    oldObject?: Obj;
    subResource?: string;
    username?: string;
    apiVersion?: string;
    dryRun?: boolean;
  } = {},
): Obj {
  const o = (object ?? opts.oldObject)!;
  const apiVersion = String(o.apiVersion);
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const kind = String(o.kind);
  const resource = `${kind.toLowerCase()}s`;
  const meta = (o.metadata ?? {}) as Obj;
  return {
    apiVersion: opts.apiVersion ?? "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: `uid-${++n}-${String(meta.name)}`,
      kind: { group, version, kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind },
      requestResource: { group, version, resource },
      ...(opts.subResource ? { subResource: opts.subResource } : {}),
      name: meta.name,
      namespace: opts.namespace ?? meta.namespace,
      operation: opts.operation ?? "CREATE",
      userInfo: { username: opts.username ?? "alice@example.com", groups: ["system:authenticated"] },
      object,
      oldObject: opts.oldObject ?? null,
      dryRun: opts.dryRun ?? false,
      options: {
        apiVersion: "meta.k8s.io/v1",
        kind: opts.operation === "UPDATE" ? "UpdateOptions" : "CreateOptions",
      },
    },
  };
}

/** An UPDATE of Namespace `name` whose labels change from `oldLabels` to `labels`. */
export function namespaceUpdate(
  name: string,
  labels: Record<string, string>,
  oldLabels: Record<string, string> = {},
): Obj {
  const ns = (l: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...l } },
  });
  return review(ns(labels), { operation: "UPDATE", namespace: name, oldObject: ns(oldLabels) });
}

const restrictedSc = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

export function pod(
  name: string,
  namespace: string,
  containers: Obj[],
  extra: { spec?: Obj; labels?: Record<string, string> } = {},
): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: extra.labels ?? { team: "shop" } },
    spec: { containers, ...extra.spec },
  };
}

export const goodContainer = {
  name: "app",
  image: "ghcr.io/acme/app:1.4.2@sha256:4b7c1f1b7a2c9a1d8f1e3c5a7b9d0e2f4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a",
  resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
  securityContext: restrictedSc,
};

export const privilegedContainer = {
  name: "debug",
  image: "docker.io/library/busybox:1.36",
  securityContext: { privileged: true },
  resources: { limits: { cpu: "100m", memory: "64Mi" } },
};

/** Fails restricted (no securityContext) but passes baseline. */
export const plainContainer = {
  name: "web",
  image: "ghcr.io/acme/web:2.0",
  resources: { limits: { cpu: "200m", memory: "128Mi" } },
};

export function deployment(
  name: string,
  namespace: string,
  replicas: number,
  containers: Obj[],
  labels: Record<string, string> = { team: "shop" },
): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

export interface Case {
  name: string;
  endpoint: "validate" | "mutate";
  body: Obj;
  allowed: boolean;
  code?: number;
  /** Substrings the denial message must contain. */
  message?: string[];
  /** Substrings that some warning must contain (each). */
  warnings?: string[];
  noWarnings?: boolean;
  audit?: Record<string, string | RegExp>;
  patch?: boolean;
}

const privilegedPod = pod("priv", "team-a", [privilegedContainer]);

export function suite(): Case[] {
  return [
    {
      name: "restricted pod in a restricted namespace",
      endpoint: "validate",
      body: review(pod("ok", "team-a", [goodContainer])),
      allowed: true,
      noWarnings: true,
      audit: { "enforce-policy": "restricted:latest" },
    },
    {
      name: "privileged pod denied by enforce=restricted",
      endpoint: "validate",
      body: review(privilegedPod),
      allowed: false,
      code: 403,
      message: [
        'pods "priv" is forbidden: violates PodSecurity "restricted:latest"',
        'privileged (container "debug" must not set securityContext.privileged=true)',
      ],
    },
    {
      name: "baseline-passing pod in the default namespace: allowed with restricted warnings",
      endpoint: "validate",
      body: review(pod("plain", "default", [plainContainer])),
      allowed: true,
      warnings: ['would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false'],
      audit: {
        "enforce-policy": "baseline:latest",
        "audit-violations":
          /^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
      },
    },
    {
      name: "workload controllers are warned, not enforced",
      endpoint: "validate",
      body: review(deployment("priv-deploy", "team-a", 1, [privilegedContainer])),
      allowed: true,
      warnings: ['would violate PodSecurity "restricted:latest": privileged'],
    },
    {
      name: "exempt user",
      endpoint: "validate",
      body: review(privilegedPod, { username: "system:serviceaccount:ops:break-glass" }),
      allowed: true,
      audit: { exempt: "user" },
    },
    {
      name: "exempt namespace",
      endpoint: "validate",
      body: review(pod("priv", "tools", [privilegedContainer])),
      allowed: true,
      audit: { exempt: "namespace" },
    },
    {
      name: "exempt runtime class",
      endpoint: "validate",
      body: review(pod("kata", "team-a", [privilegedContainer], { spec: { runtimeClassName: "kata-fc" } })),
      allowed: true,
      audit: { exempt: "runtimeClass" },
    },
    {
      name: "metadata-only update of a violating pod is allowed",
      endpoint: "validate",
      body: review(
        {
          ...privilegedPod,
          metadata: { ...(privilegedPod.metadata as Obj), labels: { team: "shop", touched: "yes" } },
        },
        { operation: "UPDATE", oldObject: privilegedPod },
      ),
      allowed: true,
      noWarnings: true,
    },
    {
      name: "image change on update is evaluated",
      endpoint: "validate",
      body: review(
        pod("priv", "team-a", [{ ...privilegedContainer, image: "docker.io/library/busybox:1.37" }]),
        { operation: "UPDATE", oldObject: privilegedPod },
      ),
      allowed: false,
      code: 403,
    },
    {
      name: "ephemeral container adding privileges is denied",
      endpoint: "validate",
      body: review(
        pod("ok", "team-a", [goodContainer], {
          spec: {
            ephemeralContainers: [{ name: "dbg", image: "busybox", securityContext: { privileged: true } }],
          },
        }),
        {
          operation: "UPDATE",
          subResource: "ephemeralcontainers",
          oldObject: pod("ok", "team-a", [goodContainer]),
        },
      ),
      allowed: false,
      code: 403,
      message: ['container "dbg"'],
    },
    {
      name: "status subresource is ignored",
      endpoint: "validate",
      body: review(privilegedPod, { operation: "UPDATE", subResource: "status", oldObject: privilegedPod }),
      allowed: true,
      noWarnings: true,
    },
    {
      name: "privileged namespace on every mode: nothing evaluated",
      endpoint: "validate",
      body: review(pod("priv", "legacy", [privilegedContainer])),
      allowed: true,
      noWarnings: true,
    },
    {
      name: "invalid namespace label: enforce falls back to restricted and the error is audited",
      endpoint: "validate",
      body: review(pod("plain", "typo", [plainContainer])),
      allowed: false,
      code: 403,
      message: ['pods "plain" is forbidden: violates PodSecurity "restricted:latest"'],
      audit: { error: /Failed to parse policy/ },
    },
    {
      name: "image and check rules in a prod namespace",
      endpoint: "validate",
      body: review(
        pod("latest", "team-b", [
          { name: "web", image: "nginx", resources: { limits: { cpu: "100m", memory: "64Mi" } } },
        ]),
      ),
      allowed: false,
      code: 403,
      message: [
        'image-registry (container "web", field spec.containers[0].image)',
        "image-digest",
        "image-latest",
        'KW-WL-001 (container "web", field spec.containers[0].image)',
      ],
    },
    {
      name: "resource maximum enforced per namespace selector",
      endpoint: "validate",
      body: review(
        pod("big", "team-b", [{ ...goodContainer, resources: { limits: { cpu: "1", memory: "8Gi" } } }]),
      ),
      allowed: false,
      code: 403,
      message: ["resources-max", "resources.limits.memory 8Gi exceeds the maximum 4Gi"],
    },
    {
      name: "check in warn mode and resource rule in audit mode",
      endpoint: "validate",
      body: review(pod("nolimits", "team-a", [{ ...goodContainer, resources: {} }])),
      allowed: true,
      warnings: ['KW-WL-004: container "app" has no resources.limits.cpu or resources.limits.memory'],
      audit: {
        "kubeward-audit-violations":
          /resources-required \(container "app", field spec\.containers\[0\]\.resources\): container "app" has no resources\.limits\.memory/,
      },
    },
    {
      name: "VAP with params denies too many replicas in prod",
      endpoint: "validate",
      body: review(deployment("web", "team-b", 5, [goodContainer])),
      allowed: false,
      code: 422,
      message: [
        "ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit-prod' denied request: replicas 5 exceed the limit 3",
      ],
      audit: { "vap-replica-limit-replicas": "5" },
    },
    {
      name: "VAP with params allows few replicas",
      endpoint: "validate",
      body: review(deployment("web", "team-b", 2, [goodContainer])),
      allowed: true,
      audit: { "vap-replica-limit-replicas": "2" },
    },
    {
      name: "VAP binding does not select non-prod namespaces",
      endpoint: "validate",
      body: review(deployment("web", "team-a", 9, [goodContainer])),
      allowed: true,
      noWarnings: true,
    },
    {
      name: "VAP warn and audit actions",
      endpoint: "validate",
      body: review(deployment("nolabel", "team-a", 1, [goodContainer], {})),
      allowed: true,
      warnings: ["ValidatingAdmissionPolicy 'team-label': every workload needs a team label"],
      audit: {
        "vap-validation-failure":
          /"policy":"team-label","binding":"team-label-warn","expressionIndex":0,"validationActions":\["Warn","Audit"\]/,
      },
    },
    {
      name: "VAP matchCondition skips temporary objects",
      endpoint: "validate",
      body: review(deployment("tmp-x", "team-a", 1, [goodContainer], {})),
      allowed: true,
      noWarnings: true,
    },
    {
      name: "v1beta1 review answered in kind",
      endpoint: "validate",
      body: review(privilegedPod, { apiVersion: "admission.k8s.io/v1beta1" }),
      allowed: false,
      code: 403,
    },
    {
      name: "dry run is evaluated the same way",
      endpoint: "validate",
      body: review(privilegedPod, { dryRun: true }),
      allowed: false,
      code: 403,
    },
    {
      name: "DELETE is allowed",
      endpoint: "validate",
      body: review(null, { operation: "DELETE", oldObject: privilegedPod }),
      allowed: true,
      noWarnings: true,
    },
    {
      name: "mutation hardens a failing pod",
      endpoint: "mutate",
      body: review(pod("plain", "team-a", [plainContainer])),
      allowed: true,
      patch: true,
    },
  ];
}

/** Asserts that an answer matches a case's expectations. */
export function checkCase(c: Case, payload: Obj, requestApiVersion: string): void {
  expect(payload.apiVersion).toBe(requestApiVersion);
  expect(payload.kind).toBe("AdmissionReview");
  const r = payload.response as Obj & {
    status?: { code: number; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
  expect(r.uid).toBe((c.body.request as Obj).uid as string);
  expect(r.allowed, JSON.stringify(r)).toBe(c.allowed);
  if (c.code !== undefined) expect(r.status?.code).toBe(c.code);
  for (const m of c.message ?? []) expect(r.status?.message).toContain(m);
  for (const w of c.warnings ?? [])
    expect(
      r.warnings?.some((x) => x.includes(w)),
      `${w} in ${JSON.stringify(r.warnings)}`,
    ).toBe(true);
  // kubeward's own warnings stay short; Pod Security's are upstream's, whole and one per evaluation
  const podSecurity = (r.warnings ?? []).filter((w) => w.startsWith("would violate PodSecurity "));
  expect(podSecurity.length).toBeLessThanOrEqual(1);
  for (const w of r.warnings ?? []) if (!podSecurity.includes(w)) expect(w.length).toBeLessThan(120);
  if (c.noWarnings) expect(r.warnings).toBeUndefined();
  for (const [k, v] of Object.entries(c.audit ?? {})) {
    if (typeof v === "string") expect(r.auditAnnotations?.[k]).toBe(v);
    else expect(r.auditAnnotations?.[k]).toMatch(v);
  }
  if (c.patch) expect(r.patchType).toBe("JSONPatch");
}
