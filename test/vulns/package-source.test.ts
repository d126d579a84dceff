// Contract: a Package's sourceName/sourceVersion "equal name/version when the database names none",
// in every scan that lists packages (scan fs, scan sbom, scan image) and in vulnerability findings.
// Real inputs: lockfiles written here, the real Debian image and kubeward's own CycloneDX of it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Package, Report } from "../../src/core/model.js";
import { runInProcess as run } from "../cli/helpers.js";
import { ensureDebianImage } from "../images/helpers/debian-image.js";
import { SHARED } from "./helpers.js";

let dir: string;
let db: string;
let image: { oci: string; rootfs: string; tag: string };
beforeAll(async () => {
  image = ensureDebianImage();
  dir = mkdtempSync(join(tmpdir(), "kw-pkg-source-"));
  db = join(dir, "db");
  const r = await run([
    "db",
    "import",
    "--db",
    db,
    join(SHARED, "vulndb/debian/Debian.zip"),
    join(SHARED, "vulndb/osv/PyPI.zip"),
  ]);
  expect(r.code, r.stderr).toBe(0);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function report(args: string[], name: string): Promise<Report> {
  const out = join(dir, `${name}.json`);
  const r = await run([...args, "--db", db, "--format", "json", "-o", out]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(out, "utf8")) as Report;
}

/** Every package and every finding's package names its source; none is left without. */
function expectSources(rep: Report): Package[] {
  const packages = rep.packages as Package[];
  expect(packages.length).toBeGreaterThan(0);
  const refs = [
    ...packages,
    ...rep.findings.flatMap((f) =>
      f.vulnerability ? [(f.vulnerability as { package: Package }).package] : [],
    ),
  ];
  for (const p of refs) {
    expect(typeof p.sourceName, `${p.name} ${p.version}`).toBe("string");
    expect(typeof p.sourceVersion, `${p.name} ${p.version}`).toBe("string");
  }
  return packages;
}

describe("sourceName/sourceVersion default to name/version", () => {
  it("scan fs: lockfile packages", async () => {
    const tree = join(dir, "tree");
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, "requirements.txt"), "bottle==0.12.10\nrequests==2.31.0\n");
    const rep = await report(["scan", "fs", tree], "fs");
    const packages = expectSources(rep);
    expect(packages.map((p) => [p.name, p.sourceName, p.version, p.sourceVersion])).toEqual([
      ["bottle", "bottle", "0.12.10", "0.12.10"],
      ["requests", "requests", "2.31.0", "2.31.0"],
    ]);
    const vuln = rep.findings.find((f) => f.checkId === "CVE-2016-9964")!;
    expect((vuln.vulnerability as { package: Package }).package).toMatchObject({
      sourceName: "bottle",
      sourceVersion: "0.12.10",
    });
  });

  it("scan image and scan sbom of kubeward's own CycloneDX: every Debian package, the real source kept", async () => {
    const ref = `oci:${image.oci}:${image.tag}`;
    const img = await report(["scan", "image", ref, "--no-progress"], "image");
    const imgPackages = expectSources(img);
    // The oracle: the image's dpkg status, read here. 23 of its 88 entries have no Source: line.
    const status = readFileSync(join(image.rootfs, "var/lib/dpkg/status"), "utf8").split(/\n\n+/);
    const want = new Map<string, [string, string]>();
    for (const stanza of status) {
      const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
      const version = /^Version: (\S+)$/m.exec(stanza)?.[1];
      if (!name || !version) continue;
      const src = /^Source: (\S+)(?: \((\S+)\))?$/m.exec(stanza);
      want.set(name, [src?.[1] ?? name, src?.[2] ?? version]);
    }
    expect(want.size).toBe(88);
    expect([...want].filter(([name, [src]]) => src === name).length).toBeGreaterThanOrEqual(23);
    const debianOf = (ps: Package[]) => ps.filter((p) => p.ecosystem === "Debian");
    expect(new Map(debianOf(imgPackages).map((p) => [p.name, [p.sourceName, p.sourceVersion]]))).toEqual(
      want,
    );

    const bom = join(dir, "image.cdx.json");
    expect((await run(["sbom", ref, "--format", "cyclonedx", "-o", bom, "--no-progress"])).code).toBe(0);
    const sbom = await report(["scan", "sbom", bom], "sbom");
    const sbomPackages = expectSources(sbom);
    expect(new Map(debianOf(sbomPackages).map((p) => [p.name, [p.sourceName, p.sourceVersion]]))).toEqual(
      want,
    );
  });
});
