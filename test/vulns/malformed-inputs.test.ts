// Malformed and hostile inputs of the vulnerability layer, as real files: FIFOs and link loops in a
// scanned tree, a zip bomb jar, SBOMs of the wrong shape, damaged database files and OSV zips with
// hostile members. Each one is named in errors (or exits 2 naming it), and the rest is still done.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Package, ScanError } from "../../src/core/model.js";
import { DbError, VulnDb } from "../../src/vulns/db/store.js";
import { importPath } from "../../src/vulns/importers/index.js";
import { readSbom } from "../../src/vulns/sbom/index.js";
import { scanFs, scanSbom } from "../../src/vulns/scan.js";
import { BIN, ensureBuilt } from "../cli/helpers.js";
import { linkLoops, mkfifo, writeUnder } from "../helpers/files.js";

const NOW = new Date("2026-11-27T09:00:00Z");
const now = () => NOW;
let dir: string;
let dbPath: string;

const LODASH_ADVISORY = {
  id: "GHSA-test-lodash",
  modified: "2024-01-01T00:00:00Z",
  affected: [
    {
      package: { ecosystem: "npm", name: "lodash" },
      ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "4.17.21" }] }],
    },
  ],
};

const write = (rel: string, content: string | Buffer) => writeUnder(dir, rel, content);
/** Writes a zip with Python's zipfile: members are [name, text, repeat] (text repeated to inflate). */
function pythonZip(path: string, members: Array<[string, string, number?]>): void {
  const script = `import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for name, text, n in json.loads(sys.argv[2]):
        z.writestr(name, text * n)`;
  execFileSync("python3", ["-c", script, path, JSON.stringify(members.map(([n, t, r]) => [n, t, r ?? 1]))]);
}
const lodashLock = (version: string) =>
  JSON.stringify({
    name: "app",
    lockfileVersion: 3,
    packages: { "": { name: "app" }, "node_modules/lodash": { version } },
  });
const names = (pkgs: readonly Package[]) => pkgs.map((p) => `${p.name}@${p.version}`).sort();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kw-vulns-malformed-"));
  write("osv/lodash.json", JSON.stringify(LODASH_ADVISORY));
  dbPath = join(dir, "db.sqlite");
  const db = VulnDb.open(dbPath, { create: true });
  await importPath(db, join(dir, "osv"), { now: NOW });
  db.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("scan fs on a hostile tree", () => {
  it("FIFOs where package files belong, link loops, a zip bomb jar and broken lockfiles: each named, the good lockfile still matched", () => {
    const root = join(dir, "tree");
    write("tree/etc/os-release", "ID=debian\nVERSION_ID=12\n");
    write("tree/good/package-lock.json", lodashLock("4.17.20"));
    write("tree/bad/package-lock.json", '{"name":"y","lockfileVersion":3,"packages":{');
    write("tree/bad/pnpm-lock.yaml", "lockfileVersion: '6.0'\npackages:\n  /lodash@4.17.20: [[[[\n");
    mkdirSync(join(root, "var/lib/dpkg"), { recursive: true });
    mkfifo(join(root, "var/lib/dpkg/status"));
    mkdirSync(join(root, "fifo"), { recursive: true });
    mkfifo(join(root, "fifo/package-lock.json"));
    mkfifo(join(root, "fifo/notes.txt")); // wanted by no cataloger: not worth an error
    linkLoops(join(root, "loops"));
    symlinkSync("package-lock.json", join(root, "loops/package-lock.json"));
    mkdirSync(join(root, "lib"));
    // 300 MiB of spaces in a 300 KB jar: over the member limit, refused before inflating it all.
    pythonZip(join(root, "lib/bomb.jar"), [
      ["META-INF/maven/g/a/pom.properties", "groupId=g\nartifactId=a\nversion=1\n"],
      ["META-INF/maven/g/b/pom.properties", " ", 300 * 1024 * 1024],
    ]);
    write("tree/lib/corrupt.jar", Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(100)]));

    const started = Date.now();
    const report = scanFs(root, { dbPath, now });
    expect(Date.now() - started).toBeLessThan(20_000);
    const errors = report.errors as ScanError[];
    const byFile = new Map(errors.map((e) => [e.file, e]));
    expect(byFile.get("var/lib/dpkg/status")?.code).toBe("fs-not-regular");
    expect(byFile.get("fifo/package-lock.json")?.code).toBe("fs-not-regular");
    expect(byFile.has("fifo/notes.txt")).toBe(false);
    expect(byFile.get("bad/package-lock.json")?.message).toContain("bad/package-lock.json");
    expect(byFile.get("bad/pnpm-lock.yaml")?.code).toBe("lockfile-parse");
    expect(byFile.get("lib/bomb.jar")?.message).toMatch(/more than/);
    expect(byFile.get("lib/corrupt.jar")?.code).toBe("java-bad-archive");
    expect(report.os).toMatchObject({ family: "debian", version: "12" });
    expect(names(report.packages as Package[])).toContain("lodash@4.17.20");
    expect(report.findings.map((f) => f.checkId)).toEqual(["GHSA-test-lodash"]);
  }, 60_000);

  it("an os-release that is a FIFO, a loop or an absolute link is read inside the tree only", () => {
    const fifoRoot = join(dir, "os-fifo");
    mkdirSync(join(fifoRoot, "etc"), { recursive: true });
    mkfifo(join(fifoRoot, "etc/os-release"));
    write("os-fifo/etc/debian_version", "12.5\n");
    expect(scanFs(fifoRoot, { dbPath, now }).os).toMatchObject({ family: "debian", version: "12.5" });

    const loopRoot = join(dir, "os-loop");
    mkdirSync(join(loopRoot, "etc"), { recursive: true });
    symlinkSync("os-release", join(loopRoot, "etc/os-release"));
    expect(scanFs(loopRoot, { dbPath, now }).os).toBeUndefined();

    // An absolute link means the tree's own /usr/lib/os-release, never this machine's.
    const absRoot = join(dir, "os-abs");
    write("os-abs/usr/lib/os-release", "ID=alpine\nVERSION_ID=3.20.1\n");
    mkdirSync(join(absRoot, "etc"));
    symlinkSync("/usr/lib/os-release", join(absRoot, "etc/os-release"));
    expect(scanFs(absRoot, { dbPath, now }).os).toMatchObject({ family: "alpine", version: "3.20.1" });
  });
});

describe("SBOMs of the wrong shape", () => {
  it("names every entry that is not what CycloneDX says, and reads the rest", () => {
    const doc = {
      bomFormat: "CycloneDX",
      specVersion: "1.5",
      components: [
        { name: "lodash", version: "4.17.20", purl: "pkg:npm/lodash@4.17.20" },
        { name: "bad", purl: "pkg:%%%" },
        { name: "numeric", purl: 12 },
        null,
        "a string",
        { name: "no purl at all" },
        { name: "x", purl: "pkg:npm/x@1", components: "not a list" },
      ],
    };
    const inv = readSbom(JSON.stringify(doc), "bom.json");
    expect(inv.errors.map((e) => [e.file, e.code, e.message])).toEqual([
      ["bom.json", "sbom-purl", 'components[1]: "pkg:%%%" is not a package URL'],
      ["bom.json", "sbom-shape", "components[2].purl: not a string"],
      ["bom.json", "sbom-shape", "components[3]: not an object"],
      ["bom.json", "sbom-shape", "components[4]: not an object"],
      ["bom.json", "sbom-shape", "components[6].components: not a list"],
    ]);
    expect(names(inv.packages)).toEqual(["lodash@4.17.20", "x@1"]);
  });

  it("names every SPDX package or reference of the wrong shape, and reads the rest", () => {
    const doc = {
      spdxVersion: "SPDX-2.3",
      packages: [
        {
          name: "lodash",
          externalRefs: [
            { referenceType: "purl", referenceLocator: "pkg:npm/lodash@4.17.20" },
            { referenceType: "purl" },
            { referenceType: "cpe23Type", referenceLocator: "cpe:2.3:a:lodash:lodash:4.17.20" },
            7,
          ],
        },
        { name: "no refs" },
        { name: "refs not a list", externalRefs: "x" },
        7,
      ],
    };
    const inv = readSbom(JSON.stringify(doc), "sbom.spdx.json");
    expect(inv.errors.map((e) => e.message)).toEqual([
      "packages[0].externalRefs[1]: a purl reference without a referenceLocator string",
      "packages[0].externalRefs[3]: not an object",
      "packages[2].externalRefs: not a list",
      "packages[3]: not an object",
    ]);
    expect(names(inv.packages)).toEqual(["lodash@4.17.20"]);
    expect(
      readSbom('{"spdxVersion":"SPDX-2.3","packages":{}}', "p.json").errors.map((e) => e.message),
    ).toEqual(["packages: not a list"]);
  });

  it("truncated, binary and deeply nested SBOM files are refused naming the file", () => {
    const truncated = write("sbom/trunc.json", '{"bomFormat":"CycloneDX","components":[{"purl":"pkg:npm/lo');
    const binary = write("sbom/bin.json", Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x00]));
    const deep = write("sbom/deep.json", "[".repeat(500_000));
    for (const f of [truncated, binary, deep])
      expect(() => scanSbom(f, { dbPath, now })).toThrow(new RegExp(`^${f}: not JSON`));
    // Valid JSON nested very deep is read (no recursion over it) and is simply not an SBOM.
    const deepObject = write(
      "sbom/deep-object.json",
      `{"bomFormat":"CycloneDX","metadata":${'{"a":'.repeat(200_000)}1${"}".repeat(200_000)},"components":[{"purl":"pkg:npm/lodash@4.17.20"}]}`,
    );
    expect(scanSbom(deepObject, { dbPath, now }).findings.map((f) => f.checkId)).toEqual([
      "GHSA-test-lodash",
    ]);
  });
});

describe("a damaged vulnerability database", () => {
  it("a file that is not SQLite, and a truncated database, are db-corrupt errors naming the file", () => {
    const notDb = write("db/not-a-db", `SQLite format 3\0${"garbage ".repeat(200)}`);
    expect(() => VulnDb.open(notDb, { readonly: true })).toThrow(DbError);
    expect(() => VulnDb.open(notDb, { readonly: true })).toThrow(
      new RegExp(`vulnerability database ${notDb} is damaged .*kubeward db update`),
    );
    // Cut after the header page: opening succeeds, the first lookup meets the missing pages.
    const truncated = join(dir, "db", "truncated");
    writeFileSync(truncated, readFileSync(dbPath).subarray(0, 8192));
    let err: unknown;
    try {
      const db = VulnDb.open(truncated, { readonly: true });
      try {
        db.lookup("npm", "lodash");
      } finally {
        db.close();
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DbError);
    expect((err as DbError).code).toBe("db-corrupt");
    expect((err as Error).message).toContain(truncated);
  });

  it("scan sbom with a damaged database exits 2 with one line naming it", () => {
    ensureBuilt();
    const notDb = write("db/cli-not-a-db", `SQLite format 3\0${"garbage ".repeat(200)}`);
    const sbom = write(
      "db/bom.json",
      JSON.stringify({ bomFormat: "CycloneDX", components: [{ purl: "pkg:npm/lodash@4.17.20" }] }),
    );
    const r = spawnSync(process.execPath, [BIN, "scan", "sbom", sbom, "--db", notDb, "--format", "json"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringContaining(`vulnerability database ${notDb} is damaged`),
    ]);
  });
});

describe("hostile OSV imports", () => {
  it("a zip with a ../ member name, a bomb, deep nesting and text that is not JSON: the good member is imported, each bad one named", async () => {
    const zip = join(dir, "hostile.zip");
    const record = (id: string) => JSON.stringify({ ...LODASH_ADVISORY, id });
    pythonZip(zip, [
      ["../../escape.json", record("GHSA-zip-escape")],
      ["A-bomb.json", "a", 80 * 1024 * 1024],
      ["deep.json", "[", 1_000_000],
      ["good.json", record("GHSA-zip-good")],
      ["not-json.json", "\u00ff\u00fe{"],
    ]);
    const db = VulnDb.open(join(dir, "import1.db"), { create: true });
    try {
      const r = await importPath(db, zip, { now: NOW });
      expect(r.records).toBe(2);
      expect(r.errors.map((e) => [e.file, e.code])).toEqual([
        [`${zip}!A-bomb.json`, "zip-member"],
        [`${zip}!deep.json`, "record-json"],
        [`${zip}!not-json.json`, "record-json"],
      ]);
      // The member's name is only a label: it is never written anywhere.
      expect(
        db
          .lookup("npm", "lodash")
          .map((row) => row.vulnId)
          .sort(),
      ).toEqual(["GHSA-zip-escape", "GHSA-zip-good"]);
    } finally {
      db.close();
    }
  }, 60_000);

  it("a directory with a FIFO, a dangling link, a link to a record and a link loop: named or read, never blocking", async () => {
    write("imp/a.json", JSON.stringify({ ...LODASH_ADVISORY, id: "GHSA-dir-a" }));
    write("elsewhere/b.json", JSON.stringify({ ...LODASH_ADVISORY, id: "GHSA-dir-b" }));
    mkfifo(join(dir, "imp/fifo.json"));
    symlinkSync(join(dir, "nowhere.json"), join(dir, "imp/dangling.json"));
    symlinkSync(join(dir, "elsewhere/b.json"), join(dir, "imp/linked.json"));
    symlinkSync(".", join(dir, "imp/loop"));
    const db = VulnDb.open(join(dir, "import2.db"), { create: true });
    try {
      const r = await importPath(db, join(dir, "imp"), { now: NOW });
      expect(r.records).toBe(2);
      expect(r.errors.map((e) => [e.file, e.code])).toEqual([
        [join(dir, "imp/dangling.json"), "import-unreadable"],
        [join(dir, "imp/fifo.json"), "import-unreadable"],
      ]);
      expect(
        db
          .lookup("npm", "lodash")
          .map((row) => row.vulnId)
          .sort(),
      ).toEqual(["GHSA-dir-a", "GHSA-dir-b"]);
    } finally {
      db.close();
    }
  }, 20_000);
});
