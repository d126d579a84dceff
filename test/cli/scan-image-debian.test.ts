// Done-when of the vulnerability issue, end to end through the CLI: the real Debian image built by
// shared/tools/make-debian-image.sh, scanned with the shared Debian data, reports every CVE that data
// says affects the image's packages and no other. The expected pairs come from an oracle that does
// not use kubeward (Python's zipfile, the image's dpkg status and dpkg --compare-versions).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding, Package, Report } from "../../src/core/model.js";
import { ensureDebianImage, SHARED } from "../images/helpers/debian-image.js";
import { expectedDebianPairs } from "../vulns/debian-oracle.js";
import { ensureBuilt, kubeward } from "./helpers.js";

const DEBIAN_ZIP = join(SHARED, "vulndb", "debian", "Debian.zip");

let tmp: string;
let image: { oci: string; rootfs: string; tag: string };
beforeAll(() => {
  ensureBuilt();
  image = ensureDebianImage();
  tmp = mkdtempSync(join(tmpdir(), "kw-scan-image-"));
}, 600_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("scan image on the real Debian image with the shared Debian data", () => {
  it("reports exactly the CVE/package pairs the data says (recall and precision 100 %)", () => {
    const db = join(tmp, "db");
    const imported = kubeward([
      "db",
      "import",
      DEBIAN_ZIP,
      join(SHARED, "vulndb", "osv", "Go.zip"),
      join(SHARED, "vulndb", "osv", "PyPI.zip"),
      "--db",
      db,
    ]);
    expect(imported.code, imported.stderr).toBe(0);

    const r = kubeward([
      "scan",
      "image",
      `oci:${image.oci}:${image.tag}`,
      "--db",
      db,
      "-f",
      "json",
      "--no-progress",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.scan.type).toBe("image");
    expect(report.os).toMatchObject({ family: "debian", version: "12" });
    const packages = report.packages as Package[];
    expect(packages.length).toBeGreaterThan(80);

    const vulns = (report.findings as Finding[]).filter((f) => f.layer === "vulnerability");
    const got = vulns
      .map((f) => `${f.checkId} ${(f.vulnerability as { package: { name: string } }).package.name}`)
      .sort();
    const want = expectedDebianPairs(join(image.rootfs, "var", "lib", "dpkg", "status"), DEBIAN_ZIP);
    // A Debian point release may fold fixes in; the bookworm image built here still carries them.
    expect(want.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
    for (const f of vulns) {
      const v = f.vulnerability as { package: Package; fixState: string; layerDigest?: string };
      expect(v.package.ecosystem).toBe("Debian");
      expect(v.fixState).toBe("fixed");
      expect(v.layerDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it("exits 2 with a hint when there is no vulnerability database, and --skip-vulns needs none", () => {
    const ref = `oci:${image.oci}:${image.tag}`;
    const missing = kubeward([
      "scan",
      "image",
      ref,
      "--db",
      join(tmp, "none"),
      "-f",
      "json",
      "--no-progress",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(/db (update|import)/);
    const skipped = kubeward(["scan", "image", ref, "--skip-vulns", "-f", "json", "--no-progress"]);
    expect(skipped.code).toBe(0);
    const report = JSON.parse(skipped.stdout) as Report;
    expect((report.findings as Finding[]).some((f) => f.layer === "vulnerability")).toBe(false);
  });
});
