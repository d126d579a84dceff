// The generated install, run for real: the Deployment's own container args (with its mounted
// ConfigMap and Secret written to disk) start `kubeward admission serve`, which talks to an API
// endpoint that authorizes every read with RBAC against the generated ClusterRole. A Namespace
// UPDATE that tightens enforce must get upstream's dry-run warnings, and a Pod must be judged by its
// namespace's live labels, with no request refused for want of permission.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admissionManifests } from "../../src/admission/manifests.js";
import { generateTls } from "../../src/admission/tls.js";
import { type ApiServer, type PolicyRule, startApiServer } from "../helpers/kube-apiserver.js";
import { BIN, ensureAdmissionBuilt, post, ROOT } from "./helpers.js";
import { namespaceUpdate, pod, privilegedContainer, review } from "./suite.js";

// biome-ignore lint/suspicious/noExplicitAny: the test walks generated objects freely
type Obj = Record<string, any>;

const tls = generateTls(["localhost"]);
const objects = admissionManifests({ tls }) as Obj[];
const one = (kind: string) => objects.find((o) => o.kind === kind)!;
const role = one("ClusterRole");
const binding = one("ClusterRoleBinding");
const deployment = one("Deployment");
const subject = binding.subjects[0];
const serviceAccount = `system:serviceaccount:${subject.namespace}:${subject.name}`;

let api: ApiServer;
let tmp: string;
let child: ChildProcess;
let port: number;

/** Writes each mounted volume where the container would see it; returns the path rewrites. */
function materializeVolumes(root: string): Array<[string, string]> {
  const spec = deployment.spec.template.spec;
  const container = spec.containers[0];
  return container.volumeMounts.map((m: Obj) => {
    const volume = spec.volumes.find((v: Obj) => v.name === m.name);
    const dir = join(root, m.name);
    mkdirSync(dir, { recursive: true });
    if (volume.configMap) {
      const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === volume.configMap.name)!;
      for (const [k, v] of Object.entries(cm.data as Record<string, string>)) writeFileSync(join(dir, k), v);
    } else {
      const secret = objects.find(
        (o) => o.kind === "Secret" && o.metadata.name === volume.secret.secretName,
      )!;
      for (const [k, v] of Object.entries(secret.data as Record<string, string>))
        writeFileSync(join(dir, k), Buffer.from(v, "base64"));
    }
    return [m.mountPath, dir];
  });
}

beforeAll(async () => {
  ensureAdmissionBuilt();
  const namespace = (name: string, labels: Record<string, string> = {}) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "kubernetes.io/metadata.name": name, ...labels } },
  });
  api = await startApiServer({
    rules: role.rules as PolicyRule[],
    user: serviceAccount,
    objects: [
      namespace("team-a"),
      namespace("team-b"),
      namespace("strict", { "pod-security.kubernetes.io/enforce": "baseline" }),
      pod("web-1", "team-a", [privilegedContainer]),
      pod("web-0", "team-a", [privilegedContainer]),
      pod("db-0", "team-b", [privilegedContainer]),
    ],
  });
  tmp = mkdtempSync(join(tmpdir(), "kw-adm-install-"));
  const mounts = materializeVolumes(tmp);
  const args = (deployment.spec.template.spec.containers[0].args as string[]).map((a) => {
    for (const [from, to] of mounts) if (a.startsWith(`${from}/`)) return to + a.slice(from.length);
    return a === "8443" ? "0" : a; // any free port: tests run side by side
  });
  expect(args).toContain("--kube");
  child = spawn(process.execPath, [BIN, ...args, "--host", "127.0.0.1"], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG: api.kubeconfig(tmp), KUBEWARD_DRAIN_MS: "0" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  port = await new Promise<number>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (c: Buffer) => {
      err += c.toString();
      const m = /serving https:\/\/[^:]+:(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  await api?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const ENFORCE = "pod-security.kubernetes.io/enforce";

describe("the generated install, served with its own args", () => {
  it("a Namespace UPDATE that tightens enforce dry-runs the pods listed under the generated ClusterRole", async () => {
    const r = await post(
      port,
      tls.caCert,
      "/validate?timeout=5s",
      JSON.stringify(namespaceUpdate("team-a", { [ENFORCE]: "baseline" })),
    );
    expect(r.status).toBe(200);
    const response = r.json().response as Obj;
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([
      'existing pods in namespace "team-a" violate the new PodSecurity enforce level "baseline:latest"',
      "web-0 (and 1 other pod): privileged",
    ]);
    expect(api.calls).toContainEqual({
      verb: "list",
      apiGroup: "",
      resource: "pods",
      namespace: "team-a",
      name: "",
      allowed: true,
    });
  });

  it("a Pod is judged by its namespace's live labels (get namespaces)", async () => {
    const r = await post(
      port,
      tls.caCert,
      "/validate?timeout=5s",
      JSON.stringify(review(pod("x", "strict", [privilegedContainer]))),
    );
    const response = r.json().response as Obj;
    expect(response.allowed).toBe(false);
    expect(response.status.message).toBe(
      'pods "x" is forbidden: violates PodSecurity "baseline:latest": privileged (container "debug" must not set securityContext.privileged=true)',
    );
    expect(api.calls).toContainEqual({
      verb: "get",
      apiGroup: "",
      resource: "namespaces",
      namespace: "strict",
      name: "strict",
      allowed: true,
    });
  });

  it("every API read the server made was allowed by the generated role", () => {
    expect(api.calls.length).toBeGreaterThanOrEqual(2);
    expect(api.calls.filter((c) => !c.allowed)).toEqual([]);
  });

  it("the role before this change (namespaces only) could not list pods: the dry run only warns that it failed", async () => {
    const before = api.rules;
    api.rules = [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] }];
    try {
      const r = await post(
        port,
        tls.caCert,
        "/validate",
        JSON.stringify(namespaceUpdate("team-b", { [ENFORCE]: "baseline" })),
      );
      expect((r.json().response as Obj).warnings).toEqual([
        "failed to list pods while checking new PodSecurity enforce level",
      ]);
      expect(api.calls.at(-1)).toMatchObject({
        verb: "list",
        resource: "pods",
        namespace: "team-b",
        allowed: false,
      });
    } finally {
      api.rules = before;
    }
  });

  it("upstream's Pod Security metrics count what the served reviews did", async () => {
    const r = await post(port, tls.caCert, "/metrics", "", "GET");
    expect(r.body).toContain(
      'pod_security_evaluations_total{decision="deny",mode="enforce",policy_level="baseline",policy_version="latest",request_operation="create",resource="pod",subresource=""} 1',
    );
    // Namespace requests are not evaluations
    expect(r.body).not.toContain('resource="namespace"');
  });
});
