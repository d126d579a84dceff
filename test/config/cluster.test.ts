// scan cluster against a loopback API endpoint serving real manifests (examples/ and upstream Pod
// Security fixtures): it must decide exactly as scan manifests over the same objects.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadParamFiles, loadPolicyFiles, vapFindings } from "../../src/admission/vap/index.js";
import { type ClusterScanOptions, ClusterUnavailableError, scanCluster } from "../../src/config/cluster.js";
import { CLUSTER_RESOURCES } from "../../src/config/cluster-resources.js";
import { MANIFEST_CHECKS } from "../../src/config/registry.js";
import { type ManifestScanOptions, scanManifests } from "../../src/config/scan.js";
import { isSetCheck } from "../../src/core/check.js";
import { KubeApi, KubeConfigError } from "../../src/core/kube-api.js";
import type { Finding, Report } from "../../src/core/model.js";
import { POD_KINDS } from "../../src/core/podspec.js";
import { type ApiServer, startApiServer, statusBody, uidOf } from "../helpers/kube-apiserver.js";
import {
  controllerCreated,
  exampleObjects,
  fixtureName,
  PSS_TESTDATA,
  pssFixturePods,
  ROOT,
  writeManifests,
} from "./cluster-fixtures.js";

type Obj = Record<string, unknown>;
const run = promisify(execFile);
const NOW = () => new Date("2026-11-27T09:00:00Z");

let tmp: string;
let applied: Obj[];
let created: Obj[];
let server: ApiServer;
let kubeconfig: string;
const servers: ApiServer[] = [];

async function serve(
  objects: Obj[],
  opts: Partial<Parameters<typeof startApiServer>[0]> = {},
): Promise<ApiServer> {
  const s = await startApiServer({ objects, ...opts });
  servers.push(s);
  return s;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "kw-cluster-"));
  const pssNamespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "pss-fixtures" } };
  const pods = [
    ...(await pssFixturePods("restricted", "v1.37", "fail", "pss-fixtures")),
    ...(await pssFixturePods("restricted", "v1.37", "pass", "pss-fixtures")),
  ];
  // An accepted exception on one fixture: the annotation must suppress alike in both scans.
  const annotated = pods.find((p) => (p.metadata as Obj).name === "restricted-fail-privileged1")!;
  (annotated.metadata as Obj).annotations = {
    "kubeward.io/ignore": "KW-POD-*",
    "kubeward.io/ignore-reason": "test",
  };
  applied = [...(await exampleObjects()), pssNamespace, ...pods];
  created = controllerCreated(applied);
  writeManifests(join(tmp, "applied"), applied);
  server = await serve([...applied, ...created]);
  kubeconfig = server.kubeconfig(tmp);
}, 120_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** What a finding decides, without where it was read from. */
function decision(f: Finding) {
  const { location: _, ...rest } = f;
  return rest;
}
const order = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

async function bothScans(base: ManifestScanOptions, extra: Partial<ClusterScanOptions> = {}) {
  const manifests = await scanManifests([join(tmp, "applied")], { ...base, now: NOW });
  const api = await KubeApi.connect({ kubeconfig });
  const cluster = await scanCluster(api, { ...base, now: NOW, request: { pageSize: 7 }, ...extra });
  return { manifests, cluster };
}

describe("scan cluster decides as scan manifests", () => {
  const cases: Array<[string, ManifestScanOptions]> = [
    ["restricted latest", { pssLevel: "restricted", pssVersion: "latest" }],
    ["baseline v1.24 with passes", { pssLevel: "baseline", pssVersion: "v1.24", includePassed: true }],
    ["cis framework", { pssLevel: "restricted", pssVersion: "latest", framework: "cis" }],
  ];
  it.each(cases)(
    "same findings (%s), controller-created objects reported on their controller",
    async (_, base) => {
      const { manifests, cluster } = await bothScans(base);
      expect(manifests.errors).toEqual([]);
      expect(cluster.errors).toEqual([]);
      expect(cluster.findings.length).toBeGreaterThan(100);
      expect(cluster.findings.every((f) => f.location === undefined && f.resource !== undefined)).toBe(true);
      expect(cluster.findings.map(decision).sort(order)).toEqual(
        manifests.findings.map(decision).sort(order),
      );
      expect(cluster.summary).toEqual(manifests.summary);
      if (base.framework) expect(cluster.compliance).toEqual(manifests.compliance);
      expect(cluster.scan).toMatchObject({ type: "cluster", target: "kw-test" });
      expect(cluster.cluster).toMatchObject({
        context: "kw-test",
        server: server.url,
        version: "v1.37.0",
        skippedOwned: { Job: 1, Pod: 5, ReplicaSet: 2 },
      });
      // the annotated fixture is suppressed (compared above: alike in both)
      expect(cluster.findings.some((f) => f.suppressed?.by === "annotation")).toBe(true);
    },
  );

  it("pages through lists with limit/continue and sets each item's kind", async () => {
    const before = server.requests.length;
    await bothScans({ pssLevel: "restricted", pssVersion: "latest" });
    const podRequests = server.requests.slice(before).filter((r) => r.startsWith("/api/v1/pods"));
    const pods = [...applied, ...created].filter((o) => o.kind === "Pod").length;
    expect(pods).toBeGreaterThan(90);
    expect(podRequests.length).toBe(Math.ceil(pods / 7));
    expect(podRequests[1]).toMatch(/^\/api\/v1\/pods\?limit=7&continue=/);
  });

  it("--policy findings (ValidatingAdmissionPolicy) are the same", async () => {
    const policies = await loadPolicyFiles([join(ROOT, "test/admission/fixtures/vap.yaml")]);
    const params = await loadParamFiles([join(ROOT, "test/admission/fixtures/params.yaml")]);
    const base: ManifestScanOptions = {
      pssLevel: "restricted",
      pssVersion: "latest",
      policyFindings: (objects) => vapFindings(objects, policies, params),
    };
    const { manifests, cluster } = await bothScans(base);
    const vap = (r: Report) =>
      r.findings
        .filter((f) => f.checkId.startsWith("VAP"))
        .map(decision)
        .sort(order);
    expect(vap(cluster)).toEqual(vap(manifests));
    expect(cluster.findings.map(decision).sort(order)).toEqual(manifests.findings.map(decision).sort(order));
  });
});

describe("what is listed", () => {
  it("lists every kind the checks read, and only those", () => {
    const listed = new Set(CLUSTER_RESOURCES.map((r) => r.kind));
    const read = new Set<string>([
      "Namespace",
      "ServiceAccount",
      "LimitRange",
      "NetworkPolicy",
      "PeerAuthentication",
    ]);
    for (const c of MANIFEST_CHECKS) {
      if (isSetCheck(c)) continue;
      for (const k of c.kinds) if (k !== "*") read.add(k);
    }
    for (const k of POD_KINDS) read.add(k);
    expect([...listed].sort()).toEqual([...read].sort());
    expect(listed.has("Secret")).toBe(false);
  });

  it("a resource type the credentials may not list is an error naming it; the rest is scanned", async () => {
    const s = await serve([...applied, ...created], {
      forbidden: ["roles.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io"],
    });
    const api = await KubeApi.connect({ kubeconfig: s.kubeconfig(tmp, { context: "forbidden" }) });
    const base: ManifestScanOptions = { pssLevel: "restricted", pssVersion: "latest" };
    const cluster = await scanCluster(api, { ...base, now: NOW });
    expect(cluster.errors.map((e) => e.code)).toEqual(["forbidden", "forbidden"]);
    expect(cluster.errors[0]!.message).toMatch(
      /^cannot list roles\.rbac\.authorization\.k8s\.io \(GET \/apis\/rbac\.authorization\.k8s\.io\/v1\/roles\?limit=500\): HTTP 403 Forbidden: roles\.rbac\.authorization\.k8s\.io is forbidden: .*; not scanned$/,
    );
    expect(cluster.errors[1]!.message).toContain("clusterroles.rbac.authorization.k8s.io");
    const withoutRoles = join(tmp, "without-roles");
    writeManifests(
      withoutRoles,
      applied.filter((o) => o.kind !== "Role" && o.kind !== "ClusterRole"),
    );
    const manifests = await scanManifests([withoutRoles], { ...base, now: NOW });
    expect(cluster.findings.map(decision).sort(order)).toEqual(manifests.findings.map(decision).sort(order));
  });

  it("every type forbidden: the cluster cannot be scanned", async () => {
    const s = await serve(applied, {
      forbidden: CLUSTER_RESOURCES.map((r) => (r.group ? `${r.resource}.${r.group}` : r.resource)),
    });
    const api = await KubeApi.connect({ kubeconfig: s.kubeconfig(tmp, { context: "none" }) });
    const scan = scanCluster(api, { pssLevel: "restricted", pssVersion: "latest" });
    await expect(scan).rejects.toBeInstanceOf(ClusterUnavailableError);
    await expect(scan).rejects.toThrow(
      /^no resource type could be listed on https:\/\/localhost:\d+: cannot list peerauthentications/,
    );
  });

  it("Istio's group is looked up: absent is no error; present, its PeerAuthentications are checked", async () => {
    const base: ManifestScanOptions = { pssLevel: "restricted", pssVersion: "latest" };
    const absent = await serve(applied, { absentGroups: ["security.istio.io"] });
    const r1 = await scanCluster(
      await KubeApi.connect({ kubeconfig: absent.kubeconfig(tmp, { context: "no-istio" }) }),
      base,
    );
    expect(r1.errors).toEqual([]);
    expect(r1.cluster).toMatchObject({ notInstalled: ["peerauthentications.security.istio.io"] });
    const pa = {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace: "shop" },
      spec: { mtls: { mode: "PERMISSIVE" } },
    };
    const present = await serve([...applied, pa]);
    const r2 = await scanCluster(
      await KubeApi.connect({ kubeconfig: present.kubeconfig(tmp, { context: "istio" }) }),
      base,
    );
    const net5 = r2.findings.filter((f) => f.checkId === "KW-NET-005");
    expect(net5.map((f) => f.message)).toContain(
      'PeerAuthentication sets mtls.mode PERMISSIVE for namespace "shop"',
    );
  });

  it("objects whose controller is not scanned are reported (mirror pods, orphans)", async () => {
    const web = applied.find((o) => o.kind === "Deployment")!;
    const spec = web.spec as { template: Obj };
    const mirror = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "etcd-node-1",
        namespace: "kube-system",
        ownerReferences: [
          {
            apiVersion: "v1",
            kind: "Node",
            name: "node-1",
            uid: uidOf("Node", undefined, "node-1"),
            controller: true,
          },
        ],
      },
      spec: (structuredClone(spec.template) as { spec: Obj }).spec,
    };
    const orphan = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: "web-old",
        namespace: "shop",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "0000-deleted", controller: true },
        ],
      },
      spec: { selector: (web.spec as Obj).selector, template: structuredClone(spec.template) },
    };
    const s = await serve([...applied, ...created, mirror, orphan]);
    const r = await scanCluster(
      await KubeApi.connect({ kubeconfig: s.kubeconfig(tmp, { context: "owners" }) }),
      {
        pssLevel: "restricted",
        pssVersion: "latest",
      },
    );
    const names = new Set(r.findings.map((f) => `${f.resource?.kind}/${f.resource?.name}`));
    expect(names.has("Pod/etcd-node-1")).toBe(true);
    expect(names.has("ReplicaSet/web-old")).toBe(true);
    expect(names.has("ReplicaSet/web-5d9c7f")).toBe(false);
    expect(r.cluster).toMatchObject({ skippedOwned: { Job: 1, Pod: 5, ReplicaSet: 2 } });
  });
});

describe("namespaces", () => {
  const base: ClusterScanOptions = { pssLevel: "restricted", pssVersion: "latest" };

  it("--namespace reads that namespace only, no cluster-scoped kinds but its Namespace", async () => {
    const before = server.requests.length;
    const r = await scanCluster(await KubeApi.connect({ kubeconfig }), { ...base, namespace: "shop" });
    const paths = server.requests.slice(before);
    expect(paths).toContain("/api/v1/namespaces/shop");
    expect(paths).toContain("/apis/apps/v1/namespaces/shop/deployments?limit=500");
    expect(paths.some((p) => p.includes("clusterrole"))).toBe(false);
    expect(r.errors).toEqual([]);
    expect(new Set(r.findings.map((f) => f.resource?.namespace))).toEqual(new Set(["shop"]));
    expect(r.scan.options).toMatchObject({ namespace: "shop" });
    await expect(
      scanCluster(await KubeApi.connect({ kubeconfig }), { ...base, namespace: "nope" }),
    ).rejects.toThrow(`namespace "nope" does not exist on ${server.url}`);
  });

  it("--exclude-namespaces leaves their objects and Namespace objects out", async () => {
    const r = await scanCluster(await KubeApi.connect({ kubeconfig }), {
      ...base,
      excludeNamespaces: ["shop", "default"],
    });
    const namespaces = new Set(r.findings.map((f) => f.resource?.namespace ?? f.resource?.name));
    expect(namespaces.has("shop")).toBe(false);
    expect(namespaces.has("default")).toBe(false);
    expect(namespaces.has("pss-fixtures")).toBe(true);
    expect(r.findings.some((f) => f.resource?.kind === "ClusterRoleBinding")).toBe(true);
    expect(r.scan.options).toMatchObject({ excludeNamespaces: ["default", "shop"] });
  });

  it("--namespace-pss evaluates each namespace at its enforce label, as upstream's fixtures say", async () => {
    const ns = (name: string, labels: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels },
    });
    const E = "pod-security.kubernetes.io/enforce";
    const spaces: Array<[string, Record<string, string>]> = [
      ["ns-restricted", { [E]: "restricted" }],
      ["ns-baseline", { [E]: "baseline" }],
      ["ns-privileged", { [E]: "privileged" }],
      ["ns-unlabelled", {}],
      ["ns-bogus", { [E]: "strict" }],
      ["ns-old", { [E]: "restricted", [`${E}-version`]: "v1.24" }],
    ];
    const objects: Obj[] = [];
    for (const [name, labels] of spaces) {
      objects.push(ns(name, labels), ...(await pssFixturePods("restricted", "v1.37", "fail", name)));
    }
    const s = await serve(objects);
    const r = await scanCluster(
      await KubeApi.connect({ kubeconfig: s.kubeconfig(tmp, { context: "psa" }) }),
      {
        pssLevel: "baseline",
        pssVersion: "latest",
        namespacePss: true,
      },
    );
    const pssFailing = (namespace: string) =>
      new Set(
        r.findings
          .filter((f) => f.resource?.namespace === namespace && f.frameworks?.pss && f.status === "fail")
          .map((f) => f.resource!.name!),
      );
    // restricted: every upstream restricted/fail fixture fails; baseline: at least those upstream
    // also lists under baseline/fail, and exactly what a plain baseline scan of the pods finds
    const all = readdirSync(join(PSS_TESTDATA, "restricted/v1.37/fail")).filter((f) => f.endsWith(".yaml"));
    const baselineFails = new Set(readdirSync(join(PSS_TESTDATA, "baseline/v1.37/fail")));
    const names = (files: string[]) => new Set(files.map((f) => fixtureName("restricted", "fail", f)));
    expect(pssFailing("ns-restricted")).toEqual(names(all));
    const baselineNs = pssFailing("ns-baseline");
    for (const n of names(all.filter((f) => baselineFails.has(f)))) expect(baselineNs).toContain(n);
    expect(baselineNs.size).toBeLessThan(all.length);
    const plain = await scanCluster(
      await KubeApi.connect({ kubeconfig: s.kubeconfig(tmp, { context: "psa" }) }),
      {
        pssLevel: "baseline",
        pssVersion: "latest",
        namespace: "ns-restricted",
      },
    );
    const plainFailing = new Set(
      plain.findings.filter((f) => f.frameworks?.pss && f.status === "fail").map((f) => f.resource!.name!),
    );
    expect(baselineNs).toEqual(plainFailing);
    expect(pssFailing("ns-privileged")).toEqual(new Set());
    // unlabelled: the --pss-level default (baseline); a bad level: restricted, reported
    expect(pssFailing("ns-unlabelled")).toEqual(pssFailing("ns-baseline"));
    expect(pssFailing("ns-bogus")).toEqual(pssFailing("ns-restricted"));
    expect(r.errors).toEqual([
      {
        code: "invalid-pss-label",
        message:
          'namespace "ns-bogus": metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted; evaluated at restricted:latest as Pod Security Admission does',
      },
    ]);
    const versions = new Set(
      r.findings
        .filter((f) => f.resource?.namespace === "ns-old" && f.frameworks?.pss)
        .map((f) => f.frameworks!.pss!.version),
    );
    expect(versions).toEqual(new Set(["v1.24"]));
    expect(pssFailing("ns-old").size).toBeGreaterThan(0);
    // non-PSS checks are not run once per namespace group
    const ids = r.findings.map(
      (f) =>
        `${f.checkId} ${f.resource?.namespace}/${f.resource?.name} ${f.resource?.container} ${f.message}`,
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("connection and bad answers", () => {
  const base: ClusterScanOptions = { pssLevel: "restricted", pssVersion: "latest" };

  it("client certificates authenticate; insecure-skip-tls-verify only when the kubeconfig says so", async () => {
    const byCert = await scanCluster(
      await KubeApi.connect({ kubeconfig: server.kubeconfig(tmp, { auth: "cert" }) }),
      base,
    );
    expect(byCert.errors).toEqual([]);
    const insecure = await scanCluster(
      await KubeApi.connect({ kubeconfig: server.kubeconfig(tmp, { insecure: true }) }),
      base,
    );
    expect(insecure.findings.length).toBe(byCert.findings.length);
    // no CA and no insecure flag: the self-made serving certificate is refused
    const noCa = join(tmp, "no-ca");
    writeFileSync(
      noCa,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: server.url } }],
        users: [{ name: "u", user: { token: server.token } }],
        contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
        "current-context": "x",
      }),
    );
    await expect(scanCluster(await KubeApi.connect({ kubeconfig: noCa }), base)).rejects.toThrow(
      new RegExp(`^cannot reach ${server.url}: .*certificate`),
    );
  });

  it("refused credentials, an unreachable server and bad kubeconfigs are one-line reasons", async () => {
    await expect(
      scanCluster(await KubeApi.connect({ kubeconfig: server.kubeconfig(tmp, { auth: "bad-token" }) }), base),
    ).rejects.toThrow(
      /refused the credentials of context "kw-test" \(HTTP 401 Unauthorized: Unauthorized\)$/,
    );
    const dead = await serve([]);
    const deadConfig = dead.kubeconfig(tmp, { context: "dead" });
    await dead.close();
    await expect(scanCluster(await KubeApi.connect({ kubeconfig: deadConfig }), base)).rejects.toThrow(
      /^cannot reach https:\/\/localhost:\d+: connect ECONNREFUSED/,
    );
    await expect(KubeApi.connect({ kubeconfig: join(tmp, "missing") })).rejects.toThrow(
      `cannot read kubeconfig "${join(tmp, "missing")}": no such file`,
    );
    await expect(KubeApi.connect({ kubeconfig, context: "prod" })).rejects.toThrow(
      `context "prod" is not in the kubeconfig (${kubeconfig})`,
    );
    const garbage = join(tmp, "garbage");
    writeFileSync(garbage, "clusters: [ {name: c, cluster: {}} ]\ncontexts: 7\n");
    await expect(KubeApi.connect({ kubeconfig: garbage })).rejects.toBeInstanceOf(KubeConfigError);
    const { HOME, KUBECONFIG } = process.env;
    try {
      process.env.HOME = tmp;
      delete process.env.KUBECONFIG;
      await expect(KubeApi.connect()).rejects.toThrow(/^no kubeconfig: give --kubeconfig/);
      process.env.KUBECONFIG = kubeconfig;
      expect((await KubeApi.connect()).server).toBe(server.url);
    } finally {
      process.env.HOME = HOME;
      if (KUBECONFIG === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = KUBECONFIG;
    }
  });

  it("broken, huge, truncated and slow answers are errors naming the resource; the rest is scanned", async () => {
    const s = await serve(applied, {
      intercept(req, res) {
        const url = req.url ?? "";
        if (url.startsWith("/apis/apps/v1/deployments")) {
          res
            .writeHead(200, { "content-type": "application/json" })
            .end('{"kind":"DeploymentList","items":[{');
          return true;
        }
        if (url.startsWith("/api/v1/services")) {
          // no content-length: the limit is enforced while reading
          res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          for (let i = 0; i < 40; i++) res.write(chunk);
          res.end("{}");
          return true;
        }
        if (url.startsWith("/apis/batch/v1/cronjobs")) return true; // never answers
        if (url.startsWith("/api/v1/serviceaccounts")) {
          res
            .writeHead(200, { "content-type": "application/json" })
            .end('{"kind":"ServiceAccountList","items":{}}');
          return true;
        }
        return false;
      },
    });
    const r = await scanCluster(
      await KubeApi.connect({ kubeconfig: s.kubeconfig(tmp, { context: "broken" }) }),
      {
        ...base,
        request: { maxBytes: 1024 * 1024, timeoutMs: 1500 },
      },
    );
    expect(r.errors.map((e) => [e.code, e.message.split(" (GET")[0]])).toEqual([
      ["response-too-large", "cannot list services"],
      ["bad-response", "cannot list serviceaccounts"],
      ["bad-response", "cannot list deployments.apps"],
      ["timeout", "cannot list cronjobs.batch"],
    ]);
    expect(r.errors[0]!.message).toContain("over the 1048576-byte limit");
    expect(r.errors[2]!.message).toContain("not valid JSON");
    expect(r.findings.some((f) => f.resource?.kind === "Ingress")).toBe(true);
  });

  it("an expired continue token restarts the list once, as client-go's pager does", async () => {
    let expired = 0;
    const s = await serve([...applied, ...created], {
      intercept(req, res) {
        if (req.url?.startsWith("/api/v1/pods?") && req.url.includes("continue=") && expired === 0) {
          expired++;
          res
            .writeHead(410, { "content-type": "application/json" })
            .end(JSON.stringify(statusBody(410, "Expired", "continue token expired")));
          return true;
        }
        return false;
      },
    });
    const r = await scanCluster(
      await KubeApi.connect({ kubeconfig: s.kubeconfig(tmp, { context: "expire" }) }),
      {
        ...base,
        request: { pageSize: 10 },
      },
    );
    expect(expired).toBe(1);
    expect(s.requests).toContain("/api/v1/pods");
    expect(r.errors).toEqual([]);
    const appliedPods = applied.filter((o) => o.kind === "Pod").length;
    expect(r.cluster).toMatchObject({ objects: { Pod: appliedPods }, skippedOwned: { Pod: 5 } });
  });
});

describe("real kubectl accepts the endpoint", () => {
  const kubectl = (args: string[]) =>
    run("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", join(tmp, "kubectl-cache"), ...args], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, HOME: tmp },
    });

  it("kubectl get pods -A -o json lists the served pods, paging with --chunk-size", async () => {
    const { stdout } = await kubectl(["get", "pods", "-A", "-o", "json", "--chunk-size=9"]);
    const list = JSON.parse(stdout) as { items: Obj[] };
    const served = [...applied, ...created].filter((o) => o.kind === "Pod");
    expect(list.items.map((p) => (p.metadata as Obj).name).sort()).toEqual(
      served.map((p) => (p.metadata as Obj).name).sort(),
    );
    expect(list.items.every((p) => p.kind === "Pod" && p.apiVersion === "v1")).toBe(true);
  });

  it("kubectl reads deployments, a single namespace, and authenticates with the client certificate", async () => {
    const { stdout } = await kubectl(["get", "deployments.apps", "-n", "shop", "-o", "json"]);
    expect(
      (JSON.parse(stdout) as { items: Obj[] }).items.map((d) => (d.metadata as Obj).name).sort(),
    ).toEqual(["image-worker", "web"]);
    const { stdout: ns } = await run(
      "kubectl",
      [
        "--kubeconfig",
        server.kubeconfig(tmp, { auth: "cert" }),
        "--cache-dir",
        join(tmp, "kc2"),
        "get",
        "namespace",
        "shop",
        "-o",
        "json",
      ],
      { env: { ...process.env, HOME: tmp } },
    );
    expect((JSON.parse(ns) as Obj).kind).toBe("Namespace");
  });

  it("kubectl shows the 403 of a forbidden resource type as the API server's message", async () => {
    const s = await serve(applied, { forbidden: ["roles.rbac.authorization.k8s.io"] });
    const err = await run(
      "kubectl",
      [
        "--kubeconfig",
        s.kubeconfig(tmp, { context: "k403" }),
        "--cache-dir",
        join(tmp, "kc3"),
        "get",
        "roles",
        "-A",
        "-o",
        "json",
      ],
      { env: { ...process.env, HOME: tmp } },
    ).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toMatch(
      /roles\.rbac\.authorization\.k8s\.io is forbidden: User "system:serviceaccount:kubeward:scanner" cannot list resource "roles"/,
    );
  });
});
