import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { VulnDb } from "../../src/vulns/db/store.js";
import { runInProcess as run } from "../cli/helpers.js";
import { SHARED } from "./helpers.js";

/** "CVE package" pairs of a report's Debian vulnerability findings, sorted. */
function debianPairs(report: {
  findings: Array<{ checkId: string; vulnerability: { package: { name: string; ecosystem: string } } }>;
}): string[] {
  return report.findings
    .filter((f) => f.vulnerability.package.ecosystem === "Debian")
    .map((f) => `${f.checkId} ${f.vulnerability.package.name}`)
    .sort();
}

const DEBIAN_OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';

let dir: string;
let db: string;
let rootfs: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kw-vcli-"));
  db = join(dir, "db");
  rootfs = join(dir, "rootfs");
  mkdirSync(join(rootfs, "var/lib/dpkg"), { recursive: true });
  mkdirSync(join(rootfs, "etc"), { recursive: true });
  copyFileSync(
    join(SHARED, "vulndb/debian/bookworm-minbase.dpkg-status"),
    join(rootfs, "var/lib/dpkg/status"),
  );
  writeFileSync(join(rootfs, "etc/os-release"), DEBIAN_OS_RELEASE);
  // A Python app in the same tree, with a pinned vulnerable requirement.
  mkdirSync(join(rootfs, "srv/app"), { recursive: true });
  writeFileSync(join(rootfs, "srv/app/requirements.txt"), "bottle==0.12.10\n");
  const r = await run([
    "db",
    "import",
    "--db",
    db,
    join(SHARED, "vulndb/debian/Debian.zip"),
    join(SHARED, "vulndb/osv/PyPI.zip"),
  ]);
  expect(r.code).toBe(0);
});
afterEach(() => {
  process.exitCode = undefined;
});

describe("kubeward db import / info", () => {
  it("db info --format json lists sources and counts", async () => {
    const { code, stdout } = await run(["db", "info", "--db", db, "--format", "json"]);
    expect(code).toBe(0);
    const info = JSON.parse(stdout);
    expect(info.records).toBe(15 + 2661);
    expect(info.sources.map((s: { name: string }) => s.name)).toEqual(["osv:Debian.zip", "osv:PyPI.zip"]);
    expect(info.stale).toBe(false);
  });

  it("warns on stderr when the database is older than 7 days (db info and scans)", async () => {
    const old = join(dir, "db-old");
    expect((await run(["db", "import", "--db", old, join(SHARED, "vulndb/debian/Debian.zip")])).code).toBe(0);
    const store = VulnDb.open(old);
    store.setMeta("last_update", new Date(Date.now() - 10 * 86_400_000).toISOString());
    store.close();
    const info = await run(["db", "info", "--db", old]);
    expect(info.code).toBe(0);
    expect(info.stderr).toMatch(/older than 7 days/);
    const scan = await run([
      "scan",
      "fs",
      rootfs,
      "--db",
      old,
      "--format",
      "json",
      "-o",
      join(dir, "old.json"),
    ]);
    expect(scan.code).toBe(0);
    expect(scan.stderr).toMatch(/10 days old/);
  });

  it("db info without a database exits 2 with a one-line hint", async () => {
    const r = await run(["db", "info", "--db", join(dir, "nope")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("db update");
  });

  it("db import of a missing path exits 2 but imports the others", async () => {
    const other = join(dir, "db2");
    const r = await run([
      "db",
      "import",
      "--db",
      other,
      join(dir, "missing.zip"),
      join(SHARED, "vulndb/debian/Debian.zip"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("import-unreadable");
    expect(r.stderr).toContain("imported 15 records");
  });
});

describe("kubeward scan fs", () => {
  it("reports the Debian CVEs and the pinned Python requirement, with packages and os", async () => {
    const file = join(dir, "fs.json");
    const r = await run(["scan", "fs", rootfs, "--db", db, "--format", "json", "-o", file]);
    expect(r.code).toBe(0);
    const rep = JSON.parse(readFileSync(file, "utf8"));
    expect(rep.scan.type).toBe("fs");
    expect(rep.os).toMatchObject({ family: "debian", version: "12" });
    const debian = rep.findings.filter(
      (f: { vulnerability: { package: { ecosystem: string } } }) =>
        f.vulnerability.package.ecosystem === "Debian",
    );
    expect(debian).toHaveLength(16);
    const py = rep.findings.filter(
      (f: { vulnerability: { package: { ecosystem: string } } }) =>
        f.vulnerability.package.ecosystem === "PyPI",
    );
    expect(py.map((f: { checkId: string }) => f.checkId)).toContain("CVE-2016-9964");
    expect(
      py.every((f: { location: { file: string } }) => f.location.file === "srv/app/requirements.txt"),
    ).toBe(true);
    expect(rep.packages.length).toBe(89);
  });

  it("--exit-code applies when findings remain; --severity filters", async () => {
    const r = await run([
      "scan",
      "fs",
      rootfs,
      "--db",
      db,
      "--format",
      "json",
      "-o",
      join(dir, "x.json"),
      "--exit-code",
      "3",
    ]);
    expect(r.code).toBe(3);
    const r2 = await run([
      "scan",
      "fs",
      rootfs,
      "--db",
      db,
      "--format",
      "json",
      "-o",
      join(dir, "y.json"),
      "--severity",
      "critical",
      "--exit-code",
      "3",
    ]);
    const rep = JSON.parse(readFileSync(join(dir, "y.json"), "utf8"));
    expect(rep.findings.every((f: { severity: string }) => f.severity === "critical")).toBe(true);
    expect(r2.code).toBe(rep.findings.length > 0 ? 3 : 0);
  });

  it("exits 2 with a one-line hint when there is no database", async () => {
    const r = await run([
      "scan",
      "fs",
      rootfs,
      "--db",
      join(dir, "absent"),
      "--format",
      "json",
      "-o",
      join(dir, "z.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/no vulnerability database .*db update/);
    expect(existsSync(join(dir, "z.json"))).toBe(false);
  });

  it("OpenVEX not_affected suppresses, and the justification shows under --include-suppressed", async () => {
    const vex = join(dir, "vex.json");
    writeFileSync(
      vex,
      JSON.stringify({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/1",
        author: "test",
        timestamp: "2026-11-01T00:00:00Z",
        version: 1,
        statements: [
          {
            vulnerability: { name: "CVE-2025-15649" },
            products: [{ "@id": "pkg:deb/debian/perl-base" }],
            status: "not_affected",
            justification: "vulnerable_code_not_in_execute_path",
          },
          { vulnerability: { name: "CVE-2026-109518" }, products: [], status: "under_investigation" },
          { vulnerability: { name: "CVE-2026-12087" }, status: "bogus" },
        ],
      }),
    );
    await run([
      "scan",
      "fs",
      rootfs,
      "--db",
      db,
      "--format",
      "json",
      "-o",
      join(dir, "v1.json"),
      "--vex",
      vex,
    ]);
    const hidden = JSON.parse(readFileSync(join(dir, "v1.json"), "utf8"));
    expect(hidden.findings.some((f: { checkId: string }) => f.checkId === "CVE-2025-15649")).toBe(false);
    expect(hidden.findings.some((f: { checkId: string }) => f.checkId === "CVE-2026-109518")).toBe(true);
    expect(hidden.errors.map((e: { code: string }) => e.code)).toContain("vex-statement");
    await run([
      "scan",
      "fs",
      rootfs,
      "--db",
      db,
      "--format",
      "json",
      "-o",
      join(dir, "v2.json"),
      "--vex",
      vex,
      "--include-suppressed",
    ]);
    const shown = JSON.parse(readFileSync(join(dir, "v2.json"), "utf8"));
    const f = shown.findings.find((x: { checkId: string }) => x.checkId === "CVE-2025-15649");
    expect(f.suppressed).toMatchObject({ by: "vex" });
    expect(f.suppressed.reason).toContain("vulnerable_code_not_in_execute_path");
    expect(shown.summary.total).toBe(hidden.summary.total);
  });
});

describe("kubeward scan sbom", () => {
  const pkgs = [
    {
      purl: "pkg:deb/debian/perl-base@5.36.0-7%2Bdeb12u1?arch=amd64&upstream=perl&distro=debian-12",
      name: "perl-base",
    },
    { purl: "pkg:deb/debian/apt@2.6.1?arch=amd64&distro=debian-12", name: "apt" },
    { purl: "pkg:pypi/bottle@0.12.10", name: "bottle" },
  ];

  it("reads CycloneDX JSON", async () => {
    const file = join(dir, "bom.cdx.json");
    writeFileSync(
      file,
      JSON.stringify({
        bomFormat: "CycloneDX",
        specVersion: "1.5",
        version: 1,
        components: [
          { type: "operating-system", name: "debian", version: "12" },
          ...pkgs.map((p) => ({ type: "library", name: p.name, purl: p.purl })),
          { type: "library", name: "weird", purl: "not-a-purl" },
        ],
      }),
    );
    const out = join(dir, "sbom1.json");
    const r = await run(["scan", "sbom", file, "--db", db, "--format", "json", "-o", out]);
    expect(r.code).toBe(0);
    const rep = JSON.parse(readFileSync(out, "utf8"));
    const ids = new Set(
      rep.findings.map((f: { vulnerability: { package: { name: string } } }) => f.vulnerability.package.name),
    );
    expect([...ids].sort()).toEqual(["apt", "bottle", "perl-base"]);
    expect(
      rep.findings.filter(
        (f: { vulnerability: { package: { name: string } } }) => f.vulnerability.package.name === "perl-base",
      ),
    ).toHaveLength(13);
    expect(rep.errors.map((e: { code: string }) => e.code)).toEqual(["sbom-purl"]);
  });

  it("reads SPDX JSON", async () => {
    const file = join(dir, "bom.spdx.json");
    writeFileSync(
      file,
      JSON.stringify({
        spdxVersion: "SPDX-2.3",
        SPDXID: "SPDXRef-DOCUMENT",
        packages: pkgs.map((p, i) => ({
          SPDXID: `SPDXRef-${i}`,
          name: p.name,
          externalRefs: [
            { referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: p.purl },
          ],
        })),
      }),
    );
    const out = join(dir, "sbom2.json");
    expect((await run(["scan", "sbom", file, "--db", db, "--format", "json", "-o", out])).code).toBe(0);
    const rep = JSON.parse(readFileSync(out, "utf8"));
    expect(rep.os).toMatchObject({ family: "debian", version: "12" });
    expect(rep.findings.length).toBeGreaterThan(14);
  });

  it.each(["cyclonedx", "spdx-json"])(
    "reads the %s SBOM `kubeward sbom` writes for the rootfs: same Debian findings as scan fs",
    async (format) => {
      const bom = join(dir, `rootfs.${format}.json`);
      expect(
        (await run(["sbom", `rootfs:${rootfs}`, "--format", format, "-o", bom, "--no-progress"])).code,
      ).toBe(0);
      const out = join(dir, `rootfs-${format}-report.json`);
      expect((await run(["scan", "sbom", bom, "--db", db, "--format", "json", "-o", out])).code).toBe(0);
      const rep = JSON.parse(readFileSync(out, "utf8"));
      const debian = debianPairs(rep);
      const fsOut = join(dir, "fs.json");
      await run(["scan", "fs", rootfs, "--db", db, "--format", "json", "-o", fsOut]);
      const fsRep = JSON.parse(readFileSync(fsOut, "utf8"));
      const fsDebian = debianPairs(fsRep);
      expect(fsDebian).toHaveLength(16);
      if (format === "cyclonedx") expect(debian).toEqual(fsDebian);
      // SPDX has no field for the source package: binary packages whose source has another name
      // (perl-base from perl, libapt-pkg6.0 from apt) cannot be matched from SPDX alone.
      else expect(debian.every((x: string) => fsDebian.includes(x))).toBe(true);
    },
  );

  it("a file that is not an SBOM exits 2", async () => {
    const file = join(dir, "notsbom.json");
    writeFileSync(file, '{"hello": 1}');
    const r = await run(["scan", "sbom", file, "--db", db, "--format", "json", "-o", join(dir, "n.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("neither CycloneDX");
  });
});

describe("kubeward db update (local HTTP server on 127.0.0.1)", () => {
  let server: http.Server;
  let base: string;
  let proxyHits = 0;
  let proxy: http.Server;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const files: Record<string, string> = {
        "/Go/all.zip": join(SHARED, "vulndb/osv/Go.zip"),
        "/PyPI/all.zip": join(SHARED, "vulndb/osv/PyPI.zip"),
        "/Debian/all.zip": join(SHARED, "vulndb/debian/Debian.zip"),
      };
      if (req.url === "/broken/all.zip") {
        // Promise the whole zip, send a third of it, then drop the connection.
        const data = readFileSync(join(SHARED, "vulndb/osv/PyPI.zip"));
        res.writeHead(200, { "Content-Length": data.length });
        res.write(data.subarray(0, Math.floor(data.length / 3)), () => res.socket?.destroy());
        return;
      }
      const f = files[req.url ?? ""];
      if (!f) {
        res.writeHead(404).end();
        return;
      }
      const data = readFileSync(f);
      res.writeHead(200, { "Content-Length": data.length, "Content-Type": "application/zip" }).end(data);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    proxy = http.createServer((req, res) => {
      proxyHits++;
      http.get(req.url!, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  });
  afterAll(() => {
    server.close();
    proxy.close();
  });

  const noDistro = ["--debian-tracker-url", "none", "--alpine-secdb-url", "none"];

  it("downloads the OSV zips from the mirror and swaps in the new database", async () => {
    const target = join(dir, "upd");
    const r = await run([
      "db",
      "update",
      "--db",
      target,
      "--osv-url",
      base,
      "--ecosystems",
      "Go,PyPI,Debian",
      ...noDistro,
    ]);
    expect(r.code).toBe(0);
    const info = JSON.parse((await run(["db", "info", "--db", target, "--format", "json"])).stdout);
    expect(info.records).toBe(4291 + 2661 + 15);
    expect(info.sources.map((s: { name: string }) => s.name)).toEqual(["osv:Debian", "osv:Go", "osv:PyPI"]);
    expect(readdirSync(dir).filter((f) => f.startsWith("upd.update-"))).toEqual([]);
  });

  it("an interrupted download fails the update and leaves the old database intact", async () => {
    const target = join(dir, "upd2");
    expect(
      (await run(["db", "update", "--db", target, "--osv-url", base, "--ecosystems", "Debian", ...noDistro]))
        .code,
    ).toBe(0);
    const before = readFileSync(target);
    const r = await run([
      "db",
      "update",
      "--db",
      target,
      "--osv-url",
      base,
      "--ecosystems",
      "Go,broken",
      ...noDistro,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("existing database is unchanged");
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith("upd2.update-"))).toEqual([]);
  });

  it("a crashed update's leftovers are removed by the next one", async () => {
    const target = join(dir, "upd3");
    expect(
      (await run(["db", "update", "--db", target, "--osv-url", base, "--ecosystems", "Debian", ...noDistro]))
        .code,
    ).toBe(0);
    // What a kill -9 in the middle leaves behind: a half-built file named after a dead process.
    writeFileSync(`${target}.update-999999.tmp`, "half-built");
    const before = readFileSync(target);
    const r = await run(["db", "info", "--db", target]);
    expect(r.code).toBe(0);
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(
      (await run(["db", "update", "--db", target, "--osv-url", base, "--ecosystems", "Debian", ...noDistro]))
        .code,
    ).toBe(0);
    expect(existsSync(`${target}.update-999999.tmp`)).toBe(false);
  });

  it("goes through HTTP_PROXY from the environment", async () => {
    const target = join(dir, "upd4");
    const old = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      proxyHits = 0;
      expect(
        (
          await run([
            "db",
            "update",
            "--db",
            target,
            "--osv-url",
            base,
            "--ecosystems",
            "Debian",
            ...noDistro,
          ])
        ).code,
      ).toBe(0);
      expect(proxyHits).toBe(1);
    } finally {
      if (old === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = old;
    }
  });
});
