import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Package } from "../../src/core/model.js";
import { inventoryImage, inventoryRootfs } from "../../src/images/inventory.js";
import { RegistryClient } from "../../src/images/registry/client.js";
import { ensureDebianImage } from "./helpers/debian-image.js";
import { pushBlob, putManifest, startRegistry } from "./helpers/registry.js";

interface OraclePkg {
  name: string;
  version: string;
  sourceName: string;
  sourceVersion: string;
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
const DPKG_FORMAT = "${db:Status-Status} ${Package} ${Version} ${source:Package} ${source:Version}\\n";

/** dpkg-query itself, reading the image's own database, is the oracle. */
function dpkgQuery(rootfs: string): OraclePkg[] {
  const out = execFileSync("dpkg-query", [`--admindir=${rootfs}/var/lib/dpkg`, "-W", "-f", DPKG_FORMAT], {
    encoding: "utf8",
  });
  return out
    .trim()
    .split("\n")
    .map((l) => l.split(" "))
    .filter((f) => f[0] === "installed")
    .map(([, name, version, sourceName, sourceVersion]) => ({
      name: name!,
      version: version!,
      sourceName: sourceName!,
      sourceVersion: sourceVersion!,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

describe("real Debian bookworm image", () => {
  let img: { oci: string; rootfs: string; tag: string };
  beforeAll(() => {
    img = ensureDebianImage();
  });

  it("lists every dpkg package with the source package and version dpkg-query reports (OCI layout)", async () => {
    const oracle = dpkgQuery(img.rootfs);
    expect(oracle.length).toBeGreaterThan(50);
    const inv = await inventoryImage(`oci:${img.oci}:${img.tag}`);
    const debs = inv.packages
      .filter((p) => p.ecosystem === "Debian")
      .map((p) => ({
        name: p.name,
        version: p.version,
        sourceName: p.sourceName,
        sourceVersion: p.sourceVersion,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(debs).toEqual(oracle);
    expect(inv.os).toMatchObject({ family: "debian", version: "12", codename: "bookworm" });
    expect(inv.errors).toEqual([]);
    expect(inv.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(inv.image.layers).toHaveLength(1);
    // Licenses come from /usr/share/doc/NAME/copyright (absent where that directory is a symlink).
    const withLicenses = inv.packages.filter((p) => p.licenses?.length);
    expect(withLicenses.length).toBeGreaterThan(inv.packages.length * 0.9);
    expect(inv.packages.find((p) => p.name === "dash")?.licenses).toContain("GPL-2.0-or-later");
    for (const p of inv.packages) {
      expect(p.layerDigest).toBe(inv.image.layers[0]!.digest);
      expect(p.purl).toMatch(/^pkg:deb\/debian\/[^@]+@.+distro=debian-12/);
      expect(p.path).toBe("var/lib/dpkg/status");
    }
  });

  it("gives the same packages from the root filesystem directory", async () => {
    const fromImage = await inventoryImage(`oci:${img.oci}:${img.tag}`);
    const fromDir = await inventoryRootfs(img.rootfs);
    const strip = (ps: typeof fromDir.packages) => ps.map(({ layerDigest: _l, ...p }) => p);
    expect(strip(fromDir.packages)).toEqual(strip(fromImage.packages));
  });

  it("reads the same image converted by skopeo to docker-archive and oci-archive", async () => {
    const dir = join(dirname(img.oci), "skopeo");
    mkdirSync(dir, { recursive: true });
    const da = join(dir, "debian.docker.tar");
    const oa = join(dir, "debian.oci.tar");
    for (const [dest, file] of [
      [`docker-archive:${da}:example/debian:bookworm`, da],
      [`oci-archive:${oa}:bookworm`, oa],
    ] as const) {
      if (!existsSync(file))
        execFileSync("skopeo", ["copy", "--quiet", `oci:${img.oci}:${img.tag}`, dest], { stdio: "ignore" });
    }
    const strip = (ps: Package[]) => ps.map(({ layerDigest: _l, ...p }) => p);
    const base = await inventoryImage(`oci:${img.oci}:${img.tag}`);
    const fromDocker = await inventoryImage(da);
    expect(fromDocker.image.transport).toBe("docker-archive");
    expect(fromDocker.image.repoTags).toEqual(["docker.io/example/debian:bookworm"]);
    expect(strip(fromDocker.packages)).toEqual(strip(base.packages));
    expect(fromDocker.packages[0]!.layerDigest).toBe(base.image.layers[0]!.diffId);
    const fromOci = await inventoryImage(`oci-archive:${oa}`);
    expect(fromOci.packages).toEqual(base.packages);
    expect(fromOci.image.digest).toBe(base.image.digest);
  });

  it("pulls the image from a real registry after pushing it there", async () => {
    const reg = await startRegistry(mkdtempSync(join(tmpdir(), "kw-debreg-")));
    try {
      const layout = JSON.parse(readFileSync(join(img.oci, "index.json"), "utf8")) as {
        manifests: { digest: string }[];
      };
      const blob = (d: string) => readFileSync(join(img.oci, "blobs", "sha256", d.slice(7)));
      const manifest = blob(layout.manifests[0]!.digest);
      const m = JSON.parse(manifest.toString()) as {
        config: { digest: string };
        layers: { digest: string }[];
      };
      const client = new RegistryClient(reg.host);
      for (const d of [m.config.digest, ...m.layers.map((l) => l.digest)])
        await pushBlob(client, "debian", blob(d));
      await putManifest(client, "debian", "bookworm", manifest, "application/vnd.oci.image.manifest.v1+json");
      const base = await inventoryImage(`oci:${img.oci}:${img.tag}`);
      const pulled = await inventoryImage(`docker://${reg.host}/debian:bookworm`);
      expect(pulled.packages).toEqual(base.packages);
      expect(pulled.image.digest).toBe(base.image.digest);
    } finally {
      reg.stop();
    }
  });

  it("recognises the bare layout path and the rootfs path by their contents", async () => {
    const a = await inventoryImage(`${img.oci}:${img.tag}`);
    expect(a.image.transport).toBe("oci");
    expect(a.packages.length).toBeGreaterThan(50);
  });
});
