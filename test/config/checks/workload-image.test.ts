import { describe, expect, it } from "vitest";
import { parseImage } from "../../../src/config/checks/lib/image.js";
import { imageDigest } from "../../../src/config/checks/wl-image-digest.js";
import { imageLatest } from "../../../src/config/checks/wl-image-latest.js";
import { imagePullPolicy } from "../../../src/config/checks/wl-image-pull-policy.js";
import { cronJob, DC, DIGEST, deployment, goodContainer, goodPodSpec, pod } from "./fixtures.js";
import { ruleTester } from "./harness.js";

const withImage = (image: string, over: Record<string, unknown> = {}) =>
  deployment("web", goodPodSpec({ containers: [goodContainer({ image, ...over })] }));

describe("parseImage", () => {
  // Reference grammar of the distribution project: a ":" before the last "/" is a registry port.
  it.each([
    ["nginx", { name: "nginx" }],
    ["nginx:1.27", { name: "nginx", tag: "1.27" }],
    ["localhost:5000/app", { name: "localhost:5000/app" }],
    ["localhost:5000/app:v2", { name: "localhost:5000/app", tag: "v2" }],
    [`ghcr.io/org/app@${DIGEST}`, { name: "ghcr.io/org/app", digest: DIGEST }],
    [`ghcr.io/org/app:1.0@${DIGEST}`, { name: "ghcr.io/org/app", tag: "1.0", digest: DIGEST }],
    ["registry:443/a/b/c:latest", { name: "registry:443/a/b/c", tag: "latest" }],
  ])("%s", (ref, want) => {
    expect(parseImage(ref)).toEqual(want);
  });
});

ruleTester(imageLatest, {
  valid: [
    { name: "tag and digest", objects: [withImage(`nginx:1.27@${DIGEST}`)] },
    { name: "version tag", objects: [withImage("nginx:1.27.3")] },
    { name: "digest only", objects: [withImage(`nginx@${DIGEST}`)] },
    { name: "latest with digest pulls the digest", objects: [withImage(`nginx:latest@${DIGEST}`)] },
    { name: "registry port is not a tag", objects: [withImage("localhost:5000/app:2.0")] },
    {
      name: "not a workload",
      objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { image: "nginx" } }],
    },
  ],
  invalid: [
    {
      name: "no tag",
      objects: [withImage("nginx")],
      expected: [
        { id: "KW-WL-001", path: [...DC(), "image"], container: "app", message: ["has no tag", "nginx"] },
      ],
    },
    {
      name: "explicit latest",
      objects: [withImage("nginx:latest")],
      expected: [{ id: "KW-WL-001", path: [...DC(), "image"], container: "app", message: [":latest tag"] }],
    },
    {
      name: "registry port without tag",
      objects: [withImage("localhost:5000/app")],
      expected: [{ id: "KW-WL-001", path: [...DC(), "image"], container: "app" }],
    },
    {
      name: "init container of a Pod",
      objects: [
        pod("p", goodPodSpec({ initContainers: [goodContainer({ name: "init", image: "busybox" })] })),
      ],
      expected: [{ id: "KW-WL-001", path: ["spec", "initContainers", 0, "image"], container: "init" }],
    },
    {
      name: "CronJob",
      objects: [cronJob("job", goodPodSpec({ containers: [goodContainer({ image: "alpine:latest" })] }))],
      expected: [
        {
          id: "KW-WL-001",
          path: ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "image"],
          container: "app",
        },
      ],
    },
  ],
});

ruleTester(imageDigest, {
  valid: [
    { name: "pinned by digest", objects: [withImage(`nginx:1.27@${DIGEST}`)] },
    { name: "latest is KW-WL-001's job", objects: [withImage("nginx:latest")] },
    { name: "no tag is KW-WL-001's job", objects: [withImage("nginx")] },
  ],
  invalid: [
    {
      name: "version tag without digest",
      objects: [withImage("nginx:1.27")],
      expected: [{ id: "KW-WL-002", path: [...DC(), "image"], container: "app", message: ['tag "1.27"'] }],
    },
    {
      name: "registry with port",
      objects: [withImage("localhost:5000/team/app:v3")],
      expected: [{ id: "KW-WL-002", path: [...DC(), "image"], container: "app" }],
    },
  ],
});

ruleTester(imagePullPolicy, {
  valid: [
    { name: "unset policy", objects: [withImage("nginx:latest")] },
    { name: "Always with latest", objects: [withImage("nginx:latest", { imagePullPolicy: "Always" })] },
    {
      name: "IfNotPresent with digest",
      objects: [withImage(`nginx@${DIGEST}`, { imagePullPolicy: "IfNotPresent" })],
    },
    {
      name: "Never with tag and digest",
      objects: [withImage(`nginx:1@${DIGEST}`, { imagePullPolicy: "Never" })],
    },
  ],
  invalid: [
    {
      name: "IfNotPresent with latest",
      objects: [withImage("nginx:latest", { imagePullPolicy: "IfNotPresent" })],
      expected: [
        { id: "KW-WL-003", path: [...DC(), "imagePullPolicy"], container: "app", severity: "medium" },
      ],
    },
    {
      name: "Never with no tag",
      objects: [withImage("nginx", { imagePullPolicy: "Never" })],
      expected: [
        { id: "KW-WL-003", path: [...DC(), "imagePullPolicy"], container: "app", severity: "medium" },
      ],
    },
    {
      name: "IfNotPresent with tag without digest",
      objects: [withImage("nginx:1.27", { imagePullPolicy: "IfNotPresent" })],
      expected: [{ id: "KW-WL-003", path: [...DC(), "imagePullPolicy"], container: "app", severity: "low" }],
    },
  ],
});
