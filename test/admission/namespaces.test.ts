// Live namespace labels and namespace pods through core/kube-api,
// against the loopback API endpoint of test/helpers (GET /api/v1/namespaces/NAME, pod lists) over TLS.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionEngine } from "../../src/admission/engine.js";
import { cachedLabels, kubeNamespaceLabels, kubeNamespacePods } from "../../src/admission/namespaces.js";
import { type ApiServer, startApiServer } from "../helpers/kube-apiserver.js";
import { CONFIG, namespaceUpdate, pod, privilegedContainer, review } from "./suite.js";

let api: ApiServer;
let tmp: string;
const teamA = { "pod-security.kubernetes.io/enforce": "privileged", "kubernetes.io/metadata.name": "team-a" };

/** Pods newer than a client model (appArmorProfile): they must reach the engine as the API sent them. */
const appArmorPod = (name: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "team-a" },
  spec: {
    hostUsers: false,
    containers: [
      { name: "web", image: "nginx", securityContext: { appArmorProfile: { type: "Unconfined" } } },
    ],
  },
});

beforeAll(async () => {
  api = await startApiServer({
    objects: [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a", labels: teamA } },
      appArmorPod("web-2"),
      appArmorPod("web-1"),
    ],
    brokenNamespaces: ["broken"],
    forbidden: ["team-z/pods"], // no RBAC to list there
    // an answer no API server gives: label values that are not strings
    intercept(req, res) {
      if (req.url !== "/api/v1/namespaces/odd-labels") return false;
      const body = {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "odd-labels", labels: { a: 1 } },
      };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      return true;
    },
  });
  tmp = mkdtempSync(join(tmpdir(), "kw-adm-kube-"));
  process.env.KUBECONFIG = api.kubeconfig(tmp);
});
afterAll(async () => {
  await api?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("live namespace labels", () => {
  it("reads labels, answers undefined for a missing namespace, and fails on API errors", async () => {
    const lookup = await kubeNamespaceLabels();
    expect(await lookup("team-a")).toEqual(teamA);
    expect(await lookup("nope")).toBeUndefined();
    await expect(lookup("broken")).rejects.toMatchObject({ code: "http", status: 500 });
    await expect(lookup("odd-labels")).rejects.toThrow(
      'namespace "odd-labels": metadata.labels is not a map of strings',
    );
  });

  it("caches for the TTL on the injected clock", async () => {
    let now = 0;
    const lookup = cachedLabels(await kubeNamespaceLabels(), 1000, () => now);
    const before = api.requests.length;
    await lookup("team-a");
    await lookup("team-a");
    expect(api.requests.length - before).toBe(1);
    now = 1500;
    await lookup("team-a");
    expect(api.requests.length - before).toBe(2);
  });

  it("live labels win over the config; unknown namespaces use the config; a failed lookup fails a Pod (500)", async () => {
    const config = await loadAdmissionConfig(CONFIG);
    const engine = new AdmissionEngine(config, { namespaceLabels: await kubeNamespaceLabels() });
    // team-a is enforce=restricted in the config but privileged live
    const a = await engine.validate(review(pod("priv", "team-a", [privilegedContainer])).request as never);
    expect(a.response.allowed).toBe(true);
    // team-b is unknown to the API: the config's labels (enforce baseline) deny a privileged pod
    const b = await engine.validate(review(pod("priv", "team-b", [privilegedContainer])).request as never);
    expect(b.response.allowed).toBe(false);
    const c = await engine.validate(review(pod("priv", "broken", [privilegedContainer])).request as never);
    expect(c.response.status?.code).toBe(500);
    expect(c.response.status?.message).toBe('Internal error occurred: failed to lookup namespace "broken"');
    expect(c.response.auditAnnotations?.error).toMatch(
      /^Internal error occurred: failed to lookup namespace "broken": /,
    );
  });

  it("lists a namespace's pods for the dry run of a tightened enforce level (upstream's warnings)", async () => {
    const config = await loadAdmissionConfig(CONFIG);
    const engine = new AdmissionEngine(config, {
      namespaceLabels: await kubeNamespaceLabels(),
      namespacePods: await kubeNamespacePods(),
    });
    const update = (name: string) =>
      namespaceUpdate(
        name,
        { "pod-security.kubernetes.io/enforce": "baseline" },
        { "pod-security.kubernetes.io/enforce": "privileged" },
      ).request as never;
    const r = (await engine.validate(update("team-a"))).response;
    expect(r.allowed).toBe(true);
    expect(r.warnings).toEqual([
      'existing pods in namespace "team-a" violate the new PodSecurity enforce level "baseline:latest"',
      "web-1 (and 1 other pod): forbidden AppArmor profile",
    ]);
    // no permission to list: upstream's warning, the update still allowed
    const denied = (await engine.validate(update("team-z"))).response;
    expect(denied.allowed).toBe(true);
    expect(denied.warnings).toEqual(["failed to list pods while checking new PodSecurity enforce level"]);
  });
});
