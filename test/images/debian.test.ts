import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { inventoryImage, inventoryRootfs } from "../../src/images/inventory.js";
import { ensureDebianImage } from "./helpers/debian-image.js";

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

  it("recognises the bare layout path and the rootfs path by their contents", async () => {
    const a = await inventoryImage(`${img.oci}:${img.tag}`);
    expect(a.image.transport).toBe("oci");
    expect(a.packages.length).toBeGreaterThan(50);
  });
});
