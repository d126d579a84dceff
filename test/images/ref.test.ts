import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ImageError } from "../../src/images/errors.js";
import { parseDockerRef, parseImageRef } from "../../src/images/ref.js";

describe("Docker references (distribution/reference normalisation)", () => {
  const cases: [string, ReturnType<typeof parseDockerRef>][] = [
    ["alpine", { registry: "docker.io", repository: "library/alpine", tag: "latest" }],
    ["alpine:3.20", { registry: "docker.io", repository: "library/alpine", tag: "3.20" }],
    ["bitnami/redis:7.2", { registry: "docker.io", repository: "bitnami/redis", tag: "7.2" }],
    ["index.docker.io/library/nginx", { registry: "docker.io", repository: "library/nginx", tag: "latest" }],
    ["ghcr.io/org/app:v1.2.3", { registry: "ghcr.io", repository: "org/app", tag: "v1.2.3" }],
    ["localhost:5000/app", { registry: "localhost:5000", repository: "app", tag: "latest" }],
    ["localhost/app:1", { registry: "localhost", repository: "app", tag: "1" }],
    ["127.0.0.1:5000/a/b/c:x", { registry: "127.0.0.1:5000", repository: "a/b/c", tag: "x" }],
    [
      `quay.io/app@sha256:${"a".repeat(64)}`,
      { registry: "quay.io", repository: "app", digest: `sha256:${"a".repeat(64)}` },
    ],
    [
      `app:1.0@sha256:${"b".repeat(64)}`,
      { registry: "docker.io", repository: "library/app", tag: "1.0", digest: `sha256:${"b".repeat(64)}` },
    ],
  ];
  for (const [input, want] of cases) {
    it(input, () => expect(parseDockerRef(input)).toEqual(want));
  }

  it("rejects invalid names with bad-reference", () => {
    for (const bad of ["docker.io/Upper/case", "Upper", "app:bad tag", "app@sha256:short", "a//b", ""]) {
      let code: string | undefined;
      try {
        if (bad === "") parseImageRef(bad);
        else parseDockerRef(bad);
      } catch (e) {
        code = (e as ImageError).code;
      }
      expect(code, bad).toBe("bad-reference");
    }
  });

  it("refuses transport prefixes and malformed hosts posing as a registry", () => {
    // A pod's image "rootfs:/etc" must never read as registry "rootfs:" (an admission gate scans registry images only).
    for (const bad of [
      "rootfs:/etc",
      "oci:/var/lib/x",
      "docker-archive:/tmp/a.tar",
      "reg_istry.io/app",
      "host:port/app",
    ]) {
      let code: string | undefined;
      try {
        parseDockerRef(bad);
      } catch (e) {
        code = (e as ImageError).code;
      }
      expect(code, bad).toBe("bad-reference");
    }
    expect(parseDockerRef("[::1]:5000/app:1").registry).toBe("[::1]:5000");
    expect(parseDockerRef("localhost:5000/app").registry).toBe("localhost:5000");
  });
});

describe("transport prefixes and bare paths", () => {
  it("parses skopeo-style prefixes", () => {
    expect(parseImageRef("docker://alpine:3")).toEqual({
      transport: "docker",
      ref: { registry: "docker.io", repository: "library/alpine", tag: "3" },
    });
    expect(parseImageRef("oci:/x/layout:v1")).toEqual({ transport: "oci", path: "/x/layout", tag: "v1" });
    expect(parseImageRef("oci:/x/layout")).toEqual({ transport: "oci", path: "/x/layout" });
    expect(parseImageRef("oci-archive:/x/img.tar:latest")).toEqual({
      transport: "oci-archive",
      path: "/x/img.tar",
      tag: "latest",
    });
    expect(parseImageRef("docker-archive:/x/img.tar")).toEqual({
      transport: "docker-archive",
      path: "/x/img.tar",
    });
    expect(parseImageRef("rootfs:/x/root")).toEqual({ transport: "rootfs", path: "/x/root" });
  });

  it("recognises an existing directory by its contents", () => {
    const d = mkdtempSync(join(tmpdir(), "kw-ref-"));
    mkdirSync(join(d, "layout"));
    writeFileSync(join(d, "layout", "oci-layout"), "{}");
    writeFileSync(join(d, "layout", "index.json"), "{}");
    mkdirSync(join(d, "root", "etc"), { recursive: true });
    expect(parseImageRef(join(d, "layout")).transport).toBe("oci");
    expect(parseImageRef(`${join(d, "layout")}:tag`)).toEqual({
      transport: "oci",
      path: join(d, "layout"),
      tag: "tag",
    });
    expect(parseImageRef(join(d, "root")).transport).toBe("rootfs");
  });

  it("a missing explicit path is not-found, not a registry lookup", () => {
    expect(() => parseImageRef("./nope/image.tar")).toThrow(ImageError);
    try {
      parseImageRef("/definitely/missing");
    } catch (e) {
      expect((e as ImageError).code).toBe("not-found");
    }
  });
});
