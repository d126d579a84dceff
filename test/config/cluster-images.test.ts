// Which image each workload container runs, and the per-image time limit against a registry that
// accepts connections and never answers (a real loopback socket, as a hung registry behaves).
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageUses, scanWorkloadImages } from "../../src/config/cluster-images.js";
import { objectFromData } from "../../src/core/object.js";

const digest = `sha256:${"a".repeat(64)}`;

describe("imageUses", () => {
  it("takes containers, init and ephemeral containers; a Pod's imageID digest when it names a repository", () => {
    const pod = objectFromData({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "ns" },
      spec: {
        initContainers: [{ name: "init", image: "reg.example/init:1" }],
        containers: [
          { name: "app", image: "reg.example/app:1" },
          { name: "local", image: "reg.example/local:1" },
          { name: "nostatus", image: "reg.example/nostatus:1" },
        ],
        ephemeralContainers: [{ name: "debug", image: "busybox" }],
      },
      status: {
        initContainerStatuses: [{ name: "init", imageID: `docker-pullable://reg.example/init@${digest}` }],
        containerStatuses: [
          { name: "app", imageID: `reg.example/app@${digest}` },
          // A runtime's local image id: no registry serves it, so the spec's reference is pulled.
          { name: "local", imageID: digest },
        ],
        ephemeralContainerStatuses: [{ name: "debug", imageID: "" }],
      },
    });
    const cronJob = objectFromData({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "c", namespace: "ns" },
      spec: {
        jobTemplate: {
          spec: { template: { spec: { containers: [{ name: "job", image: "reg.example/job:2" }] } } },
        },
      },
    });
    const service = objectFromData({ apiVersion: "v1", kind: "Service", metadata: { name: "s" } });
    expect(
      imageUses([pod, cronJob, service]).map((u) => `${u.workload.kind}/${u.container} ${u.image}`),
    ).toEqual([
      `Pod/init reg.example/init@${digest}`,
      `Pod/app reg.example/app@${digest}`,
      "Pod/local reg.example/local:1",
      "Pod/nostatus reg.example/nostatus:1",
      "Pod/debug busybox",
      "CronJob/job reg.example/job:2",
    ]);
  });
});

describe("scanWorkloadImages time limit", () => {
  let hung: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    hung = createServer((s) => {
      sockets.push(s); // read nothing, answer nothing
    });
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hung.close(r));
  });

  it("gives up on an image that does not answer in time, naming it and its workload", async () => {
    const port = (hung.address() as { port: number }).port;
    const deploy = objectFromData({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "slow", namespace: "ns" },
      spec: { template: { spec: { containers: [{ name: "app", image: `127.0.0.1:${port}/app:1` }] } } },
    });
    const started = Date.now();
    const r = await scanWorkloadImages([deploy], { vulns: { dbPath: "/nonexistent" }, timeoutMs: 1500 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(10_000);
    expect(r.findings).toEqual([]);
    expect(r.images).toEqual([]);
    expect(r.errors).toEqual([
      {
        code: "image-timeout",
        message: `image 127.0.0.1:${port}/app:1 (used by Deployment ns/slow container app): image 127.0.0.1:${port}/app:1: not done within 1.5s (--image-timeout); its vulnerabilities are not reported`,
      },
    ]);
  });
});
