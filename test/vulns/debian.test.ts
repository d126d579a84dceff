import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { inventoryRootfs } from "../../src/images/inventory.js";
import { VulnDb } from "../../src/vulns/db/store.js";
import { importPath } from "../../src/vulns/importers/index.js";
import { matchPackages, type VulnerabilityInfo } from "../../src/vulns/match/matcher.js";
import { expectedDebianPairs } from "./debian-oracle.js";
import { SHARED } from "./helpers.js";

const STATUS = join(SHARED, "vulndb/debian/bookworm-minbase.dpkg-status");
const ZIP = join(SHARED, "vulndb/debian/Debian.zip");

describe("Debian 12 rootfs against the shared Debian data (done-when)", () => {
  let root: string;
  let db: VulnDb;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-debian-"));
    root = join(dir, "rootfs");
    mkdirSync(join(root, "var/lib/dpkg"), { recursive: true });
    mkdirSync(join(root, "etc"), { recursive: true });
    copyFileSync(STATUS, join(root, "var/lib/dpkg/status"));
    writeFileSync(
      join(root, "etc/os-release"),
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
    );
    db = VulnDb.open(join(dir, "db"), { create: true });
    // The other ecosystems are in the DB too, so a wrong ecosystem match would show up as a false positive.
    for (const z of ["debian/Debian.zip", "osv/Go.zip", "osv/PyPI.zip"])
      await importPath(db, join(SHARED, "vulndb", z), { now: new Date("2026-11-27T00:00:00Z") });
  });

  it("reports exactly the CVE/package pairs the data says (recall and precision 100%)", async () => {
    const inv = await inventoryRootfs(root);
    expect(inv.os).toMatchObject({ family: "debian", version: "12" });
    const errors: unknown[] = [];
    const findings = matchPackages(db, inv.packages, inv.os, { errors: errors as never[] });
    expect(errors).toEqual([]);
    const got = findings
      .map((f) => `${f.checkId} ${(f.vulnerability as VulnerabilityInfo).package.name}`)
      .sort();
    const want = expectedDebianPairs(STATUS, ZIP);
    expect(want.length).toBe(16); // SOURCE.md: the 15 records apply to 16 installed binary packages
    expect(got).toEqual(want);
  });

  it("fills the contract's vulnerability shape", async () => {
    const inv = await inventoryRootfs(root);
    const f = matchPackages(db, inv.packages, inv.os).find((x) => x.checkId === "CVE-2025-15649")!;
    expect(f.layer).toBe("vulnerability");
    expect(f.status).toBe("fail");
    const v = f.vulnerability as VulnerabilityInfo;
    expect(v).toMatchObject({
      id: "CVE-2025-15649",
      aliases: ["DEBIAN-CVE-2025-15649-perl"],
      source: "DEBIAN-CVE-2025-15649-perl",
      package: { name: "perl-base", ecosystem: "Debian", sourceName: "perl" },
      fixedVersion: "5.36.0-7+deb12u4",
      fixState: "fixed",
      path: "var/lib/dpkg/status",
    });
  });

  it("a different Debian release or distribution gets no Debian 12 advisories", async () => {
    const inv = await inventoryRootfs(root);
    expect(matchPackages(db, inv.packages, { family: "debian", version: "11" })).toEqual([]);
    const asUbuntu = inv.packages.map((p) => ({ ...p, ecosystem: "Ubuntu" }));
    expect(matchPackages(db, asUbuntu, { family: "ubuntu", version: "22.04" })).toEqual([]);
  });

  it("--ignore-unfixed keeps these (all have fixes)", async () => {
    const inv = await inventoryRootfs(root);
    expect(matchPackages(db, inv.packages, inv.os, { ignoreUnfixed: true }).length).toBe(16);
  });
});
