// Live namespace labels through @kubernetes/client-node, against a local HTTP endpoint that answers
// the Namespace API like an API server does (GET /api/v1/namespaces/NAME) over TLS.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionEngine } from "../../src/admission/engine.js";
import { cachedLabels, kubeNamespaceLabels, kubeNamespacePods } from "../../src/admission/namespaces.js";
import { generateTls } from "../../src/admission/tls.js";
import { CONFIG, pod, privilegedContainer, review } from "./suite.js";

let server: Server;
let tmp: string;
let hits = 0;
const live: Record<string, Record<string, string>> = {
  "team-a": { "pod-security.kubernetes.io/enforce": "privileged", "kubernetes.io/metadata.name": "team-a" },
};

/** Pods the API lists per namespace; a namespace not here answers 403 (no RBAC to list). */
const livePods: Record<string, unknown[]> = {
  "team-a": [
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-2", namespace: "team-a" },
      // fields newer than a client model (appArmorProfile) must reach the engine as the API sent them
      spec: {
        hostUsers: false,
        containers: [
          { name: "web", image: "nginx", securityContext: { appArmorProfile: { type: "Unconfined" } } },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-1", namespace: "team-a" },
      spec: {
        hostUsers: false,
        containers: [
          { name: "web", image: "nginx", securityContext: { appArmorProfile: { type: "Unconfined" } } },
        ],
      },
    },
  ],
};

const tls = generateTls(["localhost"]);

beforeAll(async () => {
  server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    hits++;
    const m = /^\/api\/v1\/namespaces\/([^/?]+)/.exec(req.url ?? "");
    if (req.headers.authorization !== "Bearer test-token") {
      res.writeHead(401, { "content-type": "application/json" }).end('{"kind":"Status","code":401}');
      return;
    }
    const pods = /^\/api\/v1\/namespaces\/([^/?]+)\/pods(\?|$)/.exec(req.url ?? "");
    if (pods) {
      const items = livePods[pods[1]!];
      if (!items) {
        res.writeHead(403, { "content-type": "application/json" }).end('{"kind":"Status","code":403}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items }));
      return;
    }
    if (m?.[1] === "broken") {
      res
        .writeHead(500, { "content-type": "application/json" })
        .end('{"kind":"Status","code":500,"message":"etcd down"}');
      return;
    }
    const labels = m ? live[m[1]!] : undefined;
    if (!labels) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "NotFound",
          code: 404,
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ kind: "Namespace", apiVersion: "v1", metadata: { name: m![1], labels } }));
  });
  await new Promise<void>((r) => server.listen(0, "localhost", r));
  tmp = mkdtempSync(join(tmpdir(), "kw-adm-kube-"));
  const kubeconfig = join(tmp, "config");
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://localhost:${(server.address() as AddressInfo).port}", certificate-authority-data: ${Buffer.from(tls.caCert).toString("base64")} } }]
users: [{ name: u, user: { token: test-token } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
  );
  process.env.KUBECONFIG = kubeconfig;
});
afterAll(() => {
  server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe("live namespace labels", () => {
  it("reads labels, answers undefined for a missing namespace, and fails on API errors", async () => {
    const lookup = await kubeNamespaceLabels();
    expect(await lookup("team-a")).toEqual(live["team-a"]);
    expect(await lookup("nope")).toBeUndefined();
    await expect(lookup("broken")).rejects.toBeDefined();
  });

  it("caches for the TTL on the injected clock", async () => {
    let now = 0;
    const lookup = cachedLabels(await kubeNamespaceLabels(), 1000, () => now);
    const before = hits;
    await lookup("team-a");
    await lookup("team-a");
    expect(hits - before).toBe(1);
    now = 1500;
    await lookup("team-a");
    expect(hits - before).toBe(2);
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
    const ns = (name: string, labels: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels },
    });
    const update = (name: string) =>
      review(ns(name, { "pod-security.kubernetes.io/enforce": "baseline" }), {
        operation: "UPDATE",
        namespace: name,
        oldObject: ns(name, { "pod-security.kubernetes.io/enforce": "privileged" }),
      }).request as never;
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
