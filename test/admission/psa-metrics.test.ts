// Upstream's Pod Security metrics (pod_security_evaluations_total, pod_security_exemptions_total,
// pod_security_errors_total) on /metrics: real reviews sent over HTTPS to the server, namespace
// labels read through the Kubernetes API client from a loopback API endpoint, then /metrics scraped.
// Expected counts follow upstream's recording points (admission.go) and labels (metrics.go).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEngine } from "../../src/admission/handler.js";
import { CLUSTER_ROLE_RULES } from "../../src/admission/manifests.js";
import { kubeNamespaceLabels } from "../../src/admission/namespaces.js";
import type { RunningServer } from "../../src/admission/server.js";
import type { TlsMaterial } from "../../src/admission/tls.js";
import { type ApiServer, startApiServer } from "../helpers/kube-apiserver.js";
import { post, serveAdmission } from "./helpers.js";
import { goodContainer, plainContainer, pod, privilegedContainer, review } from "./suite.js";

type Obj = Record<string, unknown>;

const CONFIG = `apiVersion: kubeward.io/v1alpha1
kind: AdmissionConfig
podSecurity:
  defaults: { enforce: privileged, warn: privileged, audit: privileged }
  exemptions: { namespaces: [tools], usernames: [break-glass], runtimeClasses: [kata] }
namespaces:
  strict:
    labels:
      pod-security.kubernetes.io/enforce: restricted
      pod-security.kubernetes.io/audit: restricted
      pod-security.kubernetes.io/warn: restricted
  pinned:
    labels:
      pod-security.kubernetes.io/enforce: baseline
      pod-security.kubernetes.io/enforce-version: v1.25
      pod-security.kubernetes.io/warn: restricted
      pod-security.kubernetes.io/warn-version: v1.99
  mislabelled:
    labels: { pod-security.kubernetes.io/enforce: strict }
`;

let tmp: string;
let api: ApiServer;
let srv: RunningServer;
let tls: TlsMaterial;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kw-adm-metrics-"));
  const config = join(tmp, "config.yaml");
  writeFileSync(config, CONFIG);
  // Reading "broken" fails in the API; other namespaces are unknown there, so the config's labels apply.
  api = await startApiServer({ objects: [], rules: CLUSTER_ROLE_RULES, brokenNamespaces: ["broken"] });
  process.env.KUBECONFIG = api.kubeconfig(tmp);
  const namespaceLabels = await kubeNamespaceLabels();
  ({ srv, tls } = await serveAdmission(tmp, { engine: await loadEngine(config, { namespaceLabels }) }));
});
afterAll(async () => {
  await srv?.close();
  await api?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function send(body: Obj, endpoint = "validate"): Promise<Obj> {
  const r = await post(srv.port, tls.caCert, `/${endpoint}`, JSON.stringify(body));
  expect(r.status, r.body).toBe(200);
  return r.json().response as Obj;
}

async function podSecurityLines(): Promise<string[]> {
  const r = await post(srv.port, tls.caCert, "/metrics", "", "GET");
  return r.body.split("\n").filter((l) => l.startsWith("pod_security_") || l.includes(" pod_security_"));
}

const deployment = (name: string, namespace: string, containers: Obj[], spec: Obj = {}): Obj => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace },
  spec: { template: { metadata: {}, spec: { containers, ...spec } } },
});

const evaluation = (
  decision: string,
  mode: string,
  level: string,
  version: string,
  op: string,
  resource: string,
  sub = "",
) =>
  `pod_security_evaluations_total{decision="${decision}",mode="${mode}",policy_level="${level}",policy_version="${version}",request_operation="${op}",resource="${resource}",subresource="${sub}"}`;

describe("pod_security_* metrics", () => {
  it("before any request: upstream's pre-created series at 0, and no error series", async () => {
    const lines = await podSecurityLines();
    expect(lines.filter((l) => !l.startsWith("#"))).toEqual([
      `${evaluation("allow", "enforce", "privileged", "latest", "create", "pod")} 0`,
      `${evaluation("allow", "enforce", "privileged", "latest", "update", "pod")} 0`,
      'pod_security_exemptions_total{request_operation="create",resource="controller",subresource=""} 0',
      'pod_security_exemptions_total{request_operation="create",resource="pod",subresource=""} 0',
      'pod_security_exemptions_total{request_operation="update",resource="controller",subresource=""} 0',
      'pod_security_exemptions_total{request_operation="update",resource="pod",subresource=""} 0',
    ]);
    expect(lines).toContain("# TYPE pod_security_evaluations_total counter");
    expect(lines).toContain("# TYPE pod_security_exemptions_total counter");
    expect(lines.some((l) => l.includes("pod_security_errors_total"))).toBe(false);
  });

  it("counts evaluations, exemptions and errors where upstream does, with upstream's labels", async () => {
    // fully privileged namespace: the pod is counted as an enforce allow; a workload is not counted
    await send(review(pod("p1", "open", [privilegedContainer])));
    await send(review(deployment("d1", "open", [privilegedContainer])));
    // restricted everywhere: enforce denies, audit records; no warn evaluation on a denied request
    expect((await send(review(pod("p2", "strict", [privilegedContainer])))).allowed).toBe(false);
    // a workload: audit and warn (never enforce)
    expect((await send(review(deployment("d2", "strict", [privilegedContainer])))).warnings).toHaveLength(1);
    // a compliant pod: one enforce allow, nothing for audit/warn
    await send(review(pod("p3", "strict", [goodContainer])));
    // pinned versions: v1.25 is known; v1.99 is newer than the newest known version ("future")
    await send(review(pod("p4", "pinned", [plainContainer])));
    // ephemeral containers are evaluated, with their subresource
    const old = pod("p5", "strict", [goodContainer]);
    const withDebug = { ...old, spec: { ...(old.spec as Obj), ephemeralContainers: [privilegedContainer] } };
    await send(
      review(withDebug, { operation: "UPDATE", oldObject: old, subResource: "ephemeralcontainers" }),
    );
    // exemptions: namespace, user, runtime class
    await send(review(pod("e1", "tools", [privilegedContainer])));
    await send(review(deployment("e2", "strict", [privilegedContainer]), { username: "break-glass" }));
    await send(review(pod("e3", "strict", [privilegedContainer], { spec: { runtimeClassName: "kata" } })));
    // a bad enforce label: a non-fatal error, then evaluation as restricted
    await send(review(pod("b1", "mislabelled", [goodContainer])));
    // fatal errors: the namespace lookup fails; an update without its old object
    expect(((await send(review(pod("f1", "broken", [goodContainer])))).status as Obj).code).toBe(500);
    await send(review(deployment("f2", "broken", [goodContainer])));
    const noOld = review(pod("f3", "strict", [goodContainer]), { operation: "UPDATE" });
    expect(((await send(noOld)).status as Obj).code).toBe(400);
    // not counted at all: ignored subresources, insignificant updates, namespaces, deletes, /mutate
    await send(
      review(pod("i1", "strict", [privilegedContainer]), { operation: "UPDATE", subResource: "status" }),
    );
    await send(review(old, { operation: "UPDATE", oldObject: old }));
    await send(
      review(
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "strict", labels: { a: "b" } } },
        {
          namespace: "strict",
          operation: "UPDATE",
          oldObject: { apiVersion: "v1", kind: "Namespace", metadata: { name: "strict" } },
        },
      ),
    );
    await send(review(null, { operation: "DELETE", oldObject: pod("i2", "strict", [privilegedContainer]) }));
    await send(review(pod("i3", "strict", [privilegedContainer])), "mutate");

    const series = (await podSecurityLines()).filter((l) => !l.startsWith("#"));
    expect(series).toEqual([
      'pod_security_errors_total{fatal="false",request_operation="create",resource="pod",subresource=""} 1',
      'pod_security_errors_total{fatal="true",request_operation="create",resource="controller",subresource=""} 1',
      'pod_security_errors_total{fatal="true",request_operation="create",resource="pod",subresource=""} 1',
      'pod_security_errors_total{fatal="true",request_operation="update",resource="pod",subresource=""} 1',
      `${evaluation("allow", "enforce", "baseline", "v1.25", "create", "pod")} 1`,
      `${evaluation("allow", "enforce", "privileged", "latest", "create", "pod")} 1`,
      `${evaluation("allow", "enforce", "privileged", "latest", "update", "pod")} 0`,
      `${evaluation("allow", "enforce", "restricted", "latest", "create", "pod")} 2`,
      `${evaluation("deny", "audit", "restricted", "latest", "create", "controller")} 1`,
      `${evaluation("deny", "audit", "restricted", "latest", "create", "pod")} 1`,
      `${evaluation("deny", "audit", "restricted", "latest", "update", "pod", "ephemeralcontainers")} 1`,
      `${evaluation("deny", "enforce", "restricted", "latest", "create", "pod")} 1`,
      `${evaluation("deny", "enforce", "restricted", "latest", "update", "pod", "ephemeralcontainers")} 1`,
      `${evaluation("deny", "warn", "restricted", "future", "create", "pod")} 1`,
      `${evaluation("deny", "warn", "restricted", "latest", "create", "controller")} 1`,
      'pod_security_exemptions_total{request_operation="create",resource="controller",subresource=""} 1',
      'pod_security_exemptions_total{request_operation="create",resource="pod",subresource=""} 2',
      'pod_security_exemptions_total{request_operation="update",resource="controller",subresource=""} 0',
      'pod_security_exemptions_total{request_operation="update",resource="pod",subresource=""} 0',
    ]);
    expect(api.calls.filter((c) => !c.allowed)).toEqual([]);
  });
});
