// `scan cluster --images` end to end with real parts: the real Debian image pushed by skopeo to a real
// registry (Debian's docker-registry), the shared Debian vulnerability data imported by `db import`,
// and the loopback API server serving a Deployment (image by tag), a Pod whose status names the digest
// it runs (its spec tag does not exist in the registry), and workloads whose images cannot be pulled.
// A recording pass-through in front of the registry counts the layer downloads.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding, Report } from "../../src/core/model.js";
import { type ApiServer, startApiServer } from "../helpers/kube-apiserver.js";
import { ensureDebianImage, SHARED } from "../images/helpers/debian-image.js";
import { type RunningRegistry, startRegistry } from "../images/helpers/registry.js";
import { expectedDebianPairs } from "../vulns/debian-oracle.js";
import { runInProcess } from "./helpers.js";

const DEBIAN_ZIP = join(SHARED, "vulndb", "debian", "Debian.zip");

let tmp: string;
let image: { oci: string; rootfs: string; tag: string };
let registry: RunningRegistry;
let proxy: Server;
let proxyHost: string;
const proxied: string[] = [];
let api: ApiServer;
let kubeconfig: string;
let db: string;
let manifestDigest: string;

/** Forwards every request to the registry unchanged and records "METHOD path". */
async function startRecordingProxy(target: string): Promise<Server> {
  const [host, port] = target.split(":");
  const server = createServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`);
    const up = request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return server;
}

const deployment = (name: string, image: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "shop" },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "app", image }] },
    },
  },
});

beforeAll(async () => {
  image = ensureDebianImage();
  tmp = mkdtempSync(join(tmpdir(), "kw-cluster-images-"));
  registry = await startRegistry(join(tmp, "registry"));
  execFileSync(
    "skopeo",
    [
      "copy",
      "--quiet",
      "--dest-tls-verify=false",
      `oci:${image.oci}:${image.tag}`,
      `docker://${registry.host}/debian:bookworm`,
    ],
    { stdio: "ignore" },
  );
  const head = await fetch(`http://${registry.host}/v2/debian/manifests/bookworm`, {
    method: "HEAD",
    headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  manifestDigest = head.headers.get("docker-content-digest") ?? "";
  expect(manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  proxy = await startRecordingProxy(registry.host);
  proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  db = join(tmp, "db");
  const imported = await runInProcess(["db", "import", DEBIAN_ZIP, "--db", db]);
  expect(imported.code, imported.stderr).toBe(0);

  api = await startApiServer({
    objects: [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
      deployment("web", `${proxyHost}/debian:bookworm`),
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "batch", namespace: "shop" },
        // The tag was moved away since the Pod started: only the digest it runs can be pulled.
        spec: { containers: [{ name: "worker", image: `${proxyHost}/debian:retired` }] },
        status: {
          phase: "Running",
          containerStatuses: [
            {
              name: "worker",
              image: `${proxyHost}/debian:retired`,
              imageID: `${proxyHost}/debian@${manifestDigest}`,
            },
          ],
        },
      },
      deployment("gone", `${proxyHost}/no-such-repo:1.0`),
      // An image field naming a local OCI layout must not make kubeward read this machine's files.
      deployment("local", `oci:${image.oci}:${image.tag}`),
    ],
  });
  kubeconfig = api.kubeconfig(tmp);
}, 600_000);

afterAll(async () => {
  await api?.close();
  await new Promise((r) => proxy?.close(r));
  registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const pair = (f: Finding) =>
  `${f.checkId} ${(f.vulnerability as { package: { name: string } }).package.name}`;

describe("scan cluster --images", () => {
  it("reports scan image's CVE/package pairs on every workload running the image, pulled once", async () => {
    proxied.length = 0;
    const started = performance.now();
    const r = await runInProcess([
      "scan",
      "cluster",
      "--kubeconfig",
      kubeconfig,
      "--images",
      "--db",
      db,
      "-f",
      "json",
      "--no-progress",
    ]);
    const seconds = (performance.now() - started) / 1000;
    console.log(`scan cluster --images: ${seconds.toFixed(1)} s`);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.scan.options).toMatchObject({
      images: true,
      platform: "linux/amd64",
      ignoreUnfixed: false,
    });

    // The same pairs `scan image` finds in the same image, and the oracle's (kubeward-free) pairs.
    const single = await runInProcess([
      "scan",
      "image",
      `oci:${image.oci}:${image.tag}`,
      "--db",
      db,
      "-f",
      "json",
      "--no-progress",
    ]);
    expect(single.code, single.stderr).toBe(0);
    const imagePairs = (JSON.parse(single.stdout) as Report).findings
      .filter((f) => f.layer === "vulnerability")
      .map(pair)
      .sort();
    const oracle = expectedDebianPairs(join(image.rootfs, "var", "lib", "dpkg", "status"), DEBIAN_ZIP);
    expect(imagePairs).toEqual(oracle);
    expect(oracle.length).toBeGreaterThan(0);

    const vulns = report.findings.filter((f) => f.layer === "vulnerability");
    const on = (kind: string, name: string) =>
      vulns.filter((f) => f.resource?.kind === kind && f.resource.name === name);
    const web = on("Deployment", "web");
    const batch = on("Pod", "batch");
    expect(web.map(pair).sort()).toEqual(imagePairs);
    expect(batch.map(pair).sort()).toEqual(imagePairs);
    expect(vulns.length).toBe(2 * imagePairs.length);
    for (const f of web) {
      expect(f.resource).toEqual({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: "shop",
        name: "web",
        container: "app",
      });
      expect(f.image).toBe(`${proxyHost}/debian:bookworm`);
    }
    for (const f of batch) {
      expect(f.resource?.container).toBe("worker");
      expect(f.image).toBe(`${proxyHost}/debian@${manifestDigest}`);
      const v = f.vulnerability as { id: string; package: { ecosystem: string }; fixState: string };
      expect(v.id).toBe(f.checkId);
      expect(v.package.ecosystem).toBe("Debian");
      expect(f.location).toBeUndefined();
    }

    // One image, pulled once: each layer blob downloaded a single time for both workloads.
    expect((report.cluster as { images: unknown[] }).images).toEqual([
      {
        image: `${proxyHost}/debian@${manifestDigest}`,
        digest: manifestDigest,
        references: [`${proxyHost}/debian:bookworm`, `${proxyHost}/debian@${manifestDigest}`],
        workloads: 2,
        vulnerabilities: imagePairs.length,
      },
    ]);
    const manifest = (await (
      await fetch(`http://${registry.host}/v2/debian/manifests/${manifestDigest}`, {
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
      })
    ).json()) as { layers: Array<{ digest: string }> };
    expect(manifest.layers.length).toBeGreaterThan(0);
    for (const l of manifest.layers)
      expect(proxied.filter((p) => p === `GET /v2/debian/blobs/${l.digest}`)).toHaveLength(1);
    // The retired tag was never asked for: the Pod's running digest was.
    expect(proxied.some((p) => p.includes("/manifests/retired"))).toBe(false);

    // The images that cannot be pulled are errors naming image and workload; the rest was scanned.
    const imageErrors = report.errors.filter((e) => e.code === "image-unavailable");
    expect(imageErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^image ${proxyHost.replace(/\./g, "\\.")}/no-such-repo:1\\.0 \\(used by Deployment shop/gone container app\\): \\[not-found\\]`,
        ),
      ),
      expect.stringMatching(
        /^image oci:.* \(used by Deployment shop\/local container app\): \[bad-reference\]/,
      ),
    ]);
    expect(on("Deployment", "gone")).toEqual([]);
    expect(on("Deployment", "local")).toEqual([]);
    // The manifest checks still ran on the same objects.
    expect(report.findings.some((f) => f.layer === "workload" && f.resource?.name === "gone")).toBe(true);
  });

  it("pulls nothing without --images, and refuses image options without it (exit 2)", async () => {
    proxied.length = 0;
    const plain = await runInProcess(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json"]);
    expect(plain.code, plain.stderr).toBe(0);
    const report = JSON.parse(plain.stdout) as Report;
    expect(report.findings.some((f) => f.layer === "vulnerability")).toBe(false);
    expect(proxied).toEqual([]);

    const stray = await runInProcess(["scan", "cluster", "--kubeconfig", kubeconfig, "--db", db]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("--db only apply with --images");
    const badCount = await runInProcess(["scan", "cluster", "--images", "--image-concurrency", "0"]);
    expect(badCount.code).toBe(2);
    expect(badCount.stderr).toContain("--image-concurrency");
    const noDb = await runInProcess([
      "scan",
      "cluster",
      "--kubeconfig",
      kubeconfig,
      "--images",
      "--db",
      join(tmp, "none"),
    ]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/no vulnerability database .*db (update|import)/);
    expect(proxied).toEqual([]);
  });
});
