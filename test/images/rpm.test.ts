import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseRpmDatabase } from "../../src/images/catalogers/rpm.js";
import { inventoryImage } from "../../src/images/inventory.js";
import { buildImage, writeOciLayout } from "./helpers/image-builder.js";

const SPEC = (name: string, version: string, release: string, epoch?: number) => `Name: ${name}
Version: ${version}
Release: ${release}
${epoch !== undefined ? `Epoch: ${epoch}\n` : ""}Summary: kubeward test package
License: MIT and BSD
BuildArch: x86_64

%description
test package

%install
mkdir -p %{buildroot}/usr/lib/python3.9/site-packages/${name}-${version}.dist-info
printf 'Metadata-Version: 2.1\\nName: ${name}\\nVersion: ${version}\\n' > %{buildroot}/usr/lib/python3.9/site-packages/${name}-${version}.dist-info/METADATA

%files
/usr/lib/python3.9/site-packages/${name}-${version}.dist-info
`;

/** Builds real rpms with rpmbuild and registers them in a fresh sqlite rpmdb with `rpm --justdb`. */
describe("rpm sqlite database (oracle: rpm -qa)", () => {
  let dbDir: string;
  beforeAll(() => {
    const top = mkdtempSync(join(tmpdir(), "kw-rpm-"));
    for (const d of ["SPECS", "BUILD", "RPMS", "SOURCES", "SRPMS", "db"]) mkdirSync(join(top, d));
    const specs = [SPEC("kwhello", "1.2.3", "4.el9", 2), SPEC("kwother", "0.9", "1.el9")];
    specs.forEach((s, i) => {
      writeFileSync(join(top, "SPECS", `${i}.spec`), s);
      execFileSync("rpmbuild", ["--define", `_topdir ${top}`, "-bb", join(top, "SPECS", `${i}.spec`)], {
        stdio: "ignore",
      });
    });
    dbDir = join(top, "db");
    execFileSync("rpm", ["--dbpath", dbDir, "--initdb"], { stdio: "ignore" });
    const rpms = readdirSync(join(top, "RPMS", "x86_64")).map((f) => join(top, "RPMS", "x86_64", f));
    execFileSync(
      "rpm",
      ["--dbpath", dbDir, "-i", "--justdb", "--nodeps", "--ignorearch", "--ignoreos", ...rpms],
      { stdio: "ignore" },
    );
  });

  it("lists what rpm -qa lists, with epoch and source rpm", () => {
    const oracle = execFileSync(
      "rpm",
      ["--dbpath", dbDir, "-qa", "--qf", "%{NAME}|%{EPOCH}|%{VERSION}-%{RELEASE}|%{SOURCERPM}|%{LICENSE}\\n"],
      { encoding: "utf8" },
    )
      .trim()
      .split("\n")
      .map((l) => l.split("|"))
      .map(([name, epoch, version, srpm, license]) => ({
        name,
        version,
        ...(epoch === "(none)" ? {} : { epoch: Number(epoch) }),
        sourceRpm: srpm,
        licenses: [license],
      }))
      .sort((a, b) => (a.name! < b.name! ? -1 : 1));
    const got = parseRpmDatabase(readFileSync(join(dbDir, "rpmdb.sqlite")), "var/lib/rpm/rpmdb.sqlite", {
      errors: [],
    })
      .map((p) => ({
        name: p.name,
        version: p.version,
        ...(p.epoch !== undefined ? { epoch: p.epoch } : {}),
        sourceRpm: p.sourceRpm,
        licenses: p.licenses,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(got).toEqual(oracle);
    expect(got).toHaveLength(2);
  });

  it("inventories an RHEL-like image: Red Hat ecosystem, rpm purls, owned Python files not repeated", async () => {
    const img = await buildImage({
      layers: [
        [
          {
            name: "etc/os-release",
            data: 'ID="rhel"\nVERSION_ID="9.4"\nPRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"\n',
          },
          { name: "var/lib/rpm/rpmdb.sqlite", data: readFileSync(join(dbDir, "rpmdb.sqlite")) },
          {
            name: "usr/lib/python3.9/site-packages/kwhello-1.2.3.dist-info/METADATA",
            data: "Metadata-Version: 2.1\nName: kwhello\nVersion: 1.2.3\n",
          },
        ],
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), "kw-rpmimg-"));
    writeOciLayout(dir, { t: img });
    const inv = await inventoryImage(`oci:${dir}:t`);
    expect(inv.os).toMatchObject({ family: "rhel", version: "9.4" });
    expect(inv.packages.map((p) => [p.ecosystem, p.name, p.version, p.sourceName, p.sourceVersion])).toEqual([
      ["Red Hat", "kwhello", "1.2.3-4.el9", "kwhello", "1.2.3-4.el9"],
      ["Red Hat", "kwother", "0.9-1.el9", "kwother", "0.9-1.el9"],
    ]);
    expect(inv.packages[0]!.purl).toBe(
      "pkg:rpm/redhat/kwhello@1.2.3-4.el9?arch=x86_64&distro=rhel-9.4&epoch=2",
    );
  });

  it("reports a corrupt database with a code and goes on", async () => {
    const img = await buildImage({
      layers: [[{ name: "var/lib/rpm/Packages", data: Buffer.alloc(4096, 3) }]],
    });
    const dir = mkdtempSync(join(tmpdir(), "kw-rpmbad-"));
    writeOciLayout(dir, { t: img });
    const inv = await inventoryImage(`oci:${dir}:t`);
    expect(inv.packages).toEqual([]);
    expect(inv.errors.map((e) => [e.file, e.code])).toEqual([["var/lib/rpm/Packages", "parse-error"]]);
  });
});
