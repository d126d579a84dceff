import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ImageError } from "../../src/images/errors.js";
import { inventoryImage } from "../../src/images/inventory.js";
import {
  buildImage,
  type Compression,
  DEBIAN_OS_RELEASE,
  dpkgStatus,
  type Entry,
  tarOf,
  writeDockerArchive,
  writeOciArchive,
  writeOciLayout,
} from "./helpers/image-builder.js";

const tmp = () => mkdtempSync(join(tmpdir(), "kw-img-"));

const base: Entry[] = [
  { name: "etc/", type: "directory" },
  { name: "etc/os-release", data: DEBIAN_OS_RELEASE },
  { name: "var/lib/dpkg/status", data: dpkgStatus([{ name: "libc6", version: "2.36-9" }]) },
];

async function layout(layers: Entry[][], compression: Compression = "gzip", tag = "t") {
  const dir = tmp();
  const img = await buildImage({ layers, compression });
  writeOciLayout(join(dir, "oci"), { [tag]: img });
  return { ref: `oci:${join(dir, "oci")}:${tag}`, img, dir };
}

async function expectCode(p: Promise<unknown>, code: string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageError);
  expect((err as ImageError).code).toBe(code);
}

describe("layer compression", () => {
  for (const c of ["gzip", "zstd", "none"] as const) {
    it(`reads ${c} layers`, async () => {
      const { ref } = await layout([base], c);
      const inv = await inventoryImage(ref);
      expect(inv.packages.map((p) => `${p.name}@${p.version}`)).toEqual(["libc6@2.36-9"]);
      expect(inv.os?.family).toBe("debian");
    });
  }
});

describe("whiteouts", () => {
  it("a package database deleted in an upper layer yields no packages", async () => {
    const { ref } = await layout([base, [{ name: "var/lib/dpkg/.wh.status", data: "" }]]);
    const inv = await inventoryImage(ref);
    expect(inv.packages).toEqual([]);
  });

  it("an opaque directory hides lower content but keeps the upper layer's own files", async () => {
    const { ref, img } = await layout([
      base,
      [
        { name: "var/lib/dpkg/.wh..wh..opq", data: "" },
        { name: "var/lib/dpkg/status", data: dpkgStatus([{ name: "zlib1g", version: "1:1.2.13" }]) },
      ],
    ]);
    const inv = await inventoryImage(ref);
    expect(inv.packages.map((p) => p.name)).toEqual(["zlib1g"]);
    expect(inv.packages[0]!.layerDigest).toBe(img.layers[1]!.digest);
  });

  it("a whited-out directory removes everything below it", async () => {
    const { ref } = await layout([base, [{ name: "var/lib/.wh.dpkg", data: "" }]]);
    const inv = await inventoryImage(ref);
    expect(inv.packages).toEqual([]);
    expect(inv.fs.exists("var/lib/dpkg/status")).toBe(false);
    expect(inv.fs.exists("etc/os-release")).toBe(true);
  });

  it("a package keeps the layer that introduced it when later layers rewrite the database", async () => {
    const { ref, img } = await layout([
      base,
      [
        {
          name: "var/lib/dpkg/status",
          data: dpkgStatus([
            { name: "libc6", version: "2.36-9" },
            { name: "curl", version: "7.88.1-10" },
          ]),
        },
      ],
    ]);
    const inv = await inventoryImage(ref);
    const by = Object.fromEntries(inv.packages.map((p) => [p.name, p.layerDigest]));
    expect(by).toEqual({ libc6: img.layers[0]!.digest, curl: img.layers[1]!.digest });
  });
});

describe("hostile tars", () => {
  it("skips members that climb out of the root, with an error naming them", async () => {
    const { ref } = await layout([
      [...base, { name: "../../etc/evil", data: "x" }, { name: "a/../../escape", data: "x" }],
    ]);
    const inv = await inventoryImage(ref);
    expect(inv.packages).toHaveLength(1);
    expect(inv.errors.map((e) => e.code)).toEqual(["tar-path-escape", "tar-path-escape"]);
    expect(inv.errors[0]!.file).toBe("../../etc/evil");
  });

  it("keeps absolute member names inside the root", async () => {
    const { ref } = await layout([
      [{ name: "/var/lib/dpkg/status", data: dpkgStatus([{ name: "abs", version: "1" }]) }],
    ]);
    const inv = await inventoryImage(ref);
    expect(inv.packages.map((p) => [p.name, p.path])).toEqual([["abs", "var/lib/dpkg/status"]]);
  });

  it("never follows symlinks out of the root: os-release -> /../../../etc/os-release stays inside", async () => {
    const { ref } = await layout([
      [
        { name: "etc/os-release", type: "symlink", linkname: "../../../../../etc/hostname" },
        { name: "etc/hostname", data: "ID=evil\n" },
        { name: "var/lib/dpkg/status", type: "symlink", linkname: "/../../../var/lib/dpkg/status" },
      ],
    ]);
    const inv = await inventoryImage(ref);
    // The link resolves to /etc/hostname of the image, not of the host; the host is never read.
    expect(inv.os).toBeUndefined();
    expect(inv.packages).toEqual([]);
    expect(inv.fs.resolve("etc/os-release")?.path).toBe("etc/hostname");
  });

  it("does not read wanted files above the size limit", async () => {
    const big = dpkgStatus(Array.from({ length: 2000 }, (_, i) => ({ name: `p${i}`, version: "1" })));
    const { ref } = await layout([[{ name: "var/lib/dpkg/status", data: big }]]);
    const inv = await inventoryImage(ref, { limits: { maxFileSize: 1000 } });
    expect(inv.packages).toEqual([]);
    expect(inv.errors.map((e) => e.code)).toEqual(["file-too-large"]);
  });

  it("stops a decompression bomb at the uncompressed layer limit", async () => {
    const { ref } = await layout([[{ name: "zeros", data: Buffer.alloc(50 << 20) }]]);
    await expectCode(inventoryImage(ref, { limits: { maxLayerBytes: 10 << 20 } }), "layer-too-large");
  });

  it("stops at the entry count limit", async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ name: `f${i}`, data: "" }));
    const { ref } = await layout([many]);
    await expectCode(inventoryImage(ref, { limits: { maxEntries: 100 } }), "too-many-entries");
  });

  it("rejects a truncated layer with tar-invalid", async () => {
    const { ref, dir, img } = await layout([base], "none");
    const blob = join(dir, "oci", "blobs", "sha256", img.layers[0]!.digest.slice(7));
    writeFileSync(blob, readFileSync(blob).subarray(0, 700));
    await expectCode(inventoryImage(ref), "tar-invalid");
  });

  it("rejects a corrupt gzip layer", async () => {
    const dir = tmp();
    const img = await buildImage({ layers: [base] });
    const bad = Buffer.concat([img.layers[0]!.blob.subarray(0, 20), Buffer.alloc(100, 7)]);
    img.layers[0]!.blob = bad;
    const { sha } = await import("./helpers/image-builder.js");
    img.layers[0]!.digest = sha(bad);
    const manifest = JSON.parse(img.manifest.toString());
    manifest.layers[0].digest = sha(bad);
    manifest.layers[0].size = bad.length;
    img.manifest = Buffer.from(JSON.stringify(manifest));
    img.manifestDigest = sha(img.manifest);
    writeOciLayout(join(dir, "oci"), { t: img });
    await expectCode(inventoryImage(`oci:${join(dir, "oci")}:t`), "decompress-failed");
  });
});

describe("sources", () => {
  it("reads docker-archive and oci-archive files, named or recognised by content", async () => {
    const dir = tmp();
    const img = await buildImage({ layers: [base, [{ name: "usr/bin/x", data: "x", mode: 0o755 }]] });
    await writeDockerArchive(join(dir, "d.tar"), img, "example.com/app:1.0");
    await writeOciArchive(join(dir, "o.tar"), img, "1.0");
    for (const ref of [
      `docker-archive:${dir}/d.tar`,
      `${dir}/d.tar`,
      `oci-archive:${dir}/o.tar:1.0`,
      `${dir}/o.tar`,
    ]) {
      const inv = await inventoryImage(ref);
      expect(
        inv.packages.map((p) => p.name),
        ref,
      ).toEqual(["libc6"]);
      expect(inv.image.layers).toHaveLength(2);
    }
    const d = await inventoryImage(`docker-archive:${dir}/d.tar`);
    expect(d.image.transport).toBe("docker-archive");
    expect(d.image.repoTags).toEqual(["example.com/app:1.0"]);
    expect(d.packages[0]!.layerDigest).toBe(img.layers[0]!.diffId);
    const o = await inventoryImage(`${dir}/o.tar`);
    expect(o.image.transport).toBe("oci-archive");
    expect(o.image.digest).toBe(img.manifestDigest);
  });

  it("follows chains of symlinked layer members across folders in a docker-archive", async () => {
    const dir = tmp();
    const img = await buildImage({ layers: [base] });
    const cfgName = `${img.configDigest.slice(7)}.json`;
    // manifest.json names a/layer.tar -> ../b/c/link.tar -> real.tar, which is b/c/real.tar: each hop is
    // relative to the folder of the link it follows, not to the first one.
    const tar = await tarOf([
      { name: cfgName, data: img.config },
      { name: "b/c/real.tar", data: img.layers[0]!.tar },
      { name: "b/c/link.tar", type: "symlink", linkname: "real.tar" },
      { name: "a/layer.tar", type: "symlink", linkname: "../b/c/link.tar" },
      {
        name: "manifest.json",
        data: JSON.stringify([{ Config: cfgName, RepoTags: ["x:1"], Layers: ["a/layer.tar"] }]),
      },
    ]);
    writeFileSync(join(dir, "chain.tar"), tar);
    const inv = await inventoryImage(`docker-archive:${join(dir, "chain.tar")}`);
    expect(inv.packages.map((p) => p.name)).toEqual(["libc6"]);
  });

  it("picks the platform from an index (default linux/amd64) and reports others as missing", async () => {
    const dir = tmp();
    const amd = await buildImage({
      layers: [[{ name: "var/lib/dpkg/status", data: dpkgStatus([{ name: "amd", version: "1" }]) }]],
    });
    const arm = await buildImage({
      layers: [[{ name: "var/lib/dpkg/status", data: dpkgStatus([{ name: "arm", version: "1" }]) }]],
      architecture: "arm64",
    });
    writeOciLayout(
      join(dir, "oci"),
      {},
      {
        tag: "multi",
        platforms: [
          { img: arm, os: "linux", architecture: "arm64", variant: "v8" },
          { img: amd, os: "linux", architecture: "amd64" },
        ],
      },
    );
    const ref = `oci:${join(dir, "oci")}:multi`;
    expect((await inventoryImage(ref)).packages.map((p) => p.name)).toEqual(["amd"]);
    expect((await inventoryImage(ref, { platform: "linux/arm64/v8" })).packages.map((p) => p.name)).toEqual([
      "arm",
    ]);
    expect((await inventoryImage(ref, { platform: "linux/arm64" })).image.indexDigest).toMatch(/^sha256:/);
    await expectCode(inventoryImage(ref, { platform: "linux/s390x" }), "no-matching-platform");
  });

  it("names the problem for unknown tags, missing layouts and bad JSON", async () => {
    const { dir } = await layout([base]);
    await expectCode(inventoryImage(`oci:${join(dir, "oci")}:nope`), "not-found");
    await expectCode(inventoryImage(`oci:${dir}`), "bad-index");
    writeFileSync(join(dir, "oci", "index.json"), "{not json");
    await expectCode(inventoryImage(`oci:${join(dir, "oci")}:t`), "bad-index");
    await expectCode(inventoryImage("/no/such/path"), "not-found");
    const junk = join(dir, "junk.tar");
    writeFileSync(junk, Buffer.alloc(1024, 1));
    await expectCode(inventoryImage(junk), "tar-invalid");
  });

  it("detects a tampered config blob", async () => {
    const { dir, img, ref } = await layout([base]);
    writeFileSync(join(dir, "oci", "blobs", "sha256", img.configDigest.slice(7)), "{}");
    await expectCode(inventoryImage(ref), "digest-mismatch");
  });
});

describe("distribution identity", () => {
  it("dpkg packages of an Ubuntu image are in the Ubuntu ecosystem with ubuntu purls", async () => {
    const { ref } = await layout([
      [
        {
          name: "usr/lib/os-release",
          data: 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nVERSION_CODENAME=noble\n',
        },
        { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
        {
          name: "var/lib/dpkg/status",
          data: dpkgStatus([{ name: "libssl3t64", version: "3.0.13-0ubuntu3.4", source: "openssl" }]),
        },
      ],
    ]);
    const inv = await inventoryImage(ref);
    expect(inv.os).toEqual({ family: "ubuntu", version: "24.04", name: "Ubuntu", codename: "noble" });
    expect(inv.packages.map((p) => [p.ecosystem, p.sourceName, p.purl])).toEqual([
      ["Ubuntu", "openssl", "pkg:deb/ubuntu/libssl3t64@3.0.13-0ubuntu3.4?arch=amd64&distro=ubuntu-24.04"],
    ]);
  });
});

describe("progress", () => {
  it("reports bytes read per layer up to the layer's size", async () => {
    const { ref, img } = await layout([base, [{ name: "x", data: Buffer.alloc(300_000, 1) }]]);
    const events: { layer: number; bytes: number; total: number }[] = [];
    await inventoryImage(ref, { onProgress: (p) => events.push(p) });
    for (const i of [0, 1]) {
      const last = events.filter((e) => e.layer === i).at(-1)!;
      expect(last).toMatchObject({ bytes: img.layers[i]!.blob.length, total: img.layers[i]!.blob.length });
    }
  });
});

/** A ustar header written by hand, so it can lie about the size. */
function rawHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, "utf8");
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  h.write("00000000000\0", 136);
  h.write("0", 156);
  h.write("ustar\u000000", 257, "latin1");
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return h;
}

describe("lying tar headers", () => {
  it("a member claiming 8 GiB is neither read nor allocated; the truncated layer is tar-invalid", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-giant-"));
    const tar = Buffer.concat([
      rawHeader("var/lib/dpkg/status", 8 * 1024 ** 3),
      Buffer.from("Package: x\n"),
      Buffer.alloc(1024),
    ]);
    const img = await buildImage({ layers: [[]] });
    const { sha } = await import("./helpers/image-builder.js");
    img.layers[0] = {
      blob: tar,
      tar,
      digest: sha(tar),
      diffId: sha(tar),
      mediaType: "application/vnd.oci.image.layer.v1.tar",
    };
    const manifest = JSON.parse(img.manifest.toString());
    manifest.layers = [
      { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha(tar), size: tar.length },
    ];
    img.manifest = Buffer.from(JSON.stringify(manifest));
    img.manifestDigest = sha(img.manifest);
    writeOciLayout(join(dir, "oci"), { t: img });
    const before = process.memoryUsage().rss;
    await expectCode(inventoryImage(`oci:${join(dir, "oci")}:t`), "tar-invalid");
    expect(process.memoryUsage().rss - before).toBeLessThan(200 << 20);
  });
});

describe("type changes across layers", () => {
  it("a symlink replacing a lower directory hides what the directory held", async () => {
    const { ref } = await layout([
      base,
      [
        { name: "var/lib/dpkg", type: "symlink", linkname: "/opt/dpkg" },
        { name: "opt/dpkg/status", data: dpkgStatus([{ name: "moved", version: "1" }]) },
      ],
    ]);
    const inv = await inventoryImage(ref);
    expect(inv.fs.get("var/lib/dpkg/status")).toBeUndefined();
    expect(inv.fs.resolve("var/lib/dpkg/status")?.path).toBe("opt/dpkg/status");
    // The dpkg cataloger reads var/lib/dpkg/status by its real path only; the moved database is not an installed one.
    expect(inv.packages).toEqual([]);
  });
});
