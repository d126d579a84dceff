import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DbError, VulnDb } from "../../src/vulns/db/store.js";
import { ImportError, importPath } from "../../src/vulns/importers/index.js";
import { SHARED } from "./helpers.js";

const NOW = new Date("2026-11-27T09:00:00Z");

/** Facts about the shared zips, computed independently with Python's zipfile. */
function zipFacts(zip: string): { records: number; withdrawn: number; aliases: number } {
  const script = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); recs = [json.loads(z.read(n)) for n in z.namelist() if n.endswith(".json")]
print(json.dumps({"records": len(recs), "withdrawn": sum(1 for r in recs if r.get("withdrawn")),
  "aliases": len({(a, r["id"]) for r in recs for a in r.get("aliases", [])})}))`;
  return JSON.parse(execFileSync("python3", ["-c", script, zip]).toString());
}

describe("OSV import", () => {
  let dir: string;
  let db: VulnDb;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kw-import-"));
    db = VulnDb.open(join(dir, "db"), { create: true });
  });

  it.each(["osv/Go.zip", "osv/PyPI.zip", "debian/Debian.zip"])(
    "imports every record of %s, withdrawn and aliases kept",
    async (rel) => {
      const zip = join(SHARED, "vulndb", rel);
      const facts = zipFacts(zip);
      const before = db.info();
      const aliasesBefore = (db.db.prepare("SELECT count(*) AS n FROM aliases").get() as { n: number }).n;
      const r = await importPath(db, zip, { now: NOW });
      expect(r.errors).toEqual([]);
      expect(r.records).toBe(facts.records);
      const after = db.info();
      expect(after.records - before.records).toBe(facts.records);
      expect(after.withdrawn - before.withdrawn).toBe(facts.withdrawn);
      const aliasesAfter = (db.db.prepare("SELECT count(*) AS n FROM aliases").get() as { n: number }).n;
      expect(aliasesAfter - aliasesBefore).toBe(facts.aliases);
    },
  );

  it("re-importing the same data changes nothing", async () => {
    const before = db.info();
    await importPath(db, join(SHARED, "vulndb/debian/Debian.zip"), { now: NOW });
    const after = db.info();
    expect(after.records).toBe(before.records);
    expect(after.affected).toBe(before.affected);
  });

  it("records sources and the last update time", () => {
    const info = db.info();
    expect(info.sources.map((s) => s.name)).toEqual(["osv:Debian.zip", "osv:Go.zip", "osv:PyPI.zip"]);
    expect(info.lastUpdate).toBe(NOW.toISOString());
    expect(info.ecosystems.map((e) => e.ecosystem)).toEqual(["Debian:12", "Go", "PyPI"]);
  });

  it("skips malformed records with a coded error naming the file, and imports the rest", async () => {
    const d = mkdtempSync(join(tmpdir(), "kw-bad-"));
    const good = {
      id: "TEST-1",
      modified: "2026-01-01T00:00:00Z",
      affected: [
        {
          package: { ecosystem: "npm", name: "left-pad" },
          ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "1.3.0" }] }],
        },
      ],
    };
    writeFileSync(join(d, "good.json"), JSON.stringify(good));
    writeFileSync(join(d, "notjson.json"), "{ this is not json");
    writeFileSync(join(d, "noid.json"), JSON.stringify({ modified: "2026-01-01T00:00:00Z" }));
    writeFileSync(
      join(d, "badevent.json"),
      JSON.stringify({
        ...good,
        id: "TEST-2",
        affected: [
          {
            package: { ecosystem: "npm", name: "x" },
            ranges: [{ type: "SEMVER", events: [{ introduced: "0", fixed: "1" }] }],
          },
        ],
      }),
    );
    writeFileSync(
      join(d, "nopkg.json"),
      JSON.stringify({ ...good, id: "TEST-3", affected: [{ ranges: [] }] }),
    );
    mkdirSync(join(d, "sub"));
    writeFileSync(join(d, "sub", "array.json"), JSON.stringify([good]));
    const db2 = VulnDb.open(join(d, "db"), { create: true });
    const r = await importPath(db2, d, { now: NOW });
    expect(r.records).toBe(1);
    expect(r.skipped).toBe(5);
    const codes = Object.fromEntries(r.errors.map((e) => [e.file!.slice(d.length + 1), e.code]));
    expect(codes).toEqual({
      "badevent.json": "record-invalid",
      "noid.json": "record-invalid",
      "nopkg.json": "record-invalid",
      "notjson.json": "record-json",
      "sub/array.json": "record-invalid",
    });
    // A file holding an array of records is accepted when given directly.
    const r2 = await importPath(db2, join(d, "sub", "array.json"), { now: NOW });
    expect(r2.records).toBe(1);
    db2.close();
  });

  it("reports a corrupt zip member and goes on with the others", async () => {
    const d = mkdtempSync(join(tmpdir(), "kw-zip-"));
    const zip = join(d, "Debian.zip");
    copyFileSync(join(SHARED, "vulndb/debian/Debian.zip"), zip);
    // Flip bytes inside the first member's compressed data (after its 30-byte header and name).
    const buf = readFileSync(zip);
    const nameLen = buf.readUInt16LE(26);
    const extraLen = buf.readUInt16LE(28);
    const at = 30 + nameLen + extraLen + 20;
    buf[at] = buf[at]! ^ 0xff;
    buf[at + 1] = buf[at + 1]! ^ 0xff;
    writeFileSync(zip, buf);
    const db2 = VulnDb.open(join(d, "db"), { create: true });
    const r = await importPath(db2, zip, { now: NOW });
    expect(r.records).toBe(14);
    expect(r.errors.map((e) => e.code)).toEqual(["zip-member"]);
    expect(r.errors[0]!.file).toContain("Debian.zip!");
  });

  it("fails with a coded error for a file that is not a zip or does not exist", async () => {
    const d = mkdtempSync(join(tmpdir(), "kw-nozip-"));
    writeFileSync(join(d, "x.zip"), "not a zip at all");
    const db2 = VulnDb.open(join(d, "db"), { create: true });
    await expect(importPath(db2, join(d, "x.zip"), { now: NOW })).rejects.toMatchObject({
      code: "import-format",
    });
    await expect(importPath(db2, join(d, "missing.json"), { now: NOW })).rejects.toBeInstanceOf(ImportError);
  });

  it("opening a missing database read-only is a coded error", () => {
    expect(() => VulnDb.open(join(tmpdir(), "kw-nope", "db"), { readonly: true })).toThrow(DbError);
    try {
      VulnDb.open(join(tmpdir(), "kw-nope", "db"), { readonly: true });
    } catch (e) {
      expect((e as DbError).code).toBe("db-missing");
    }
  });
});
