// `db import` of an OSV API answer ({"vulns": [...]}): the same database as the same records given
// as one file each, bad entries named by index, and the document parsed once.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { VulnDb } from "../../src/vulns/db/store.js";
import { importPath } from "../../src/vulns/importers/index.js";
import { SHARED } from "./helpers.js";

const NOW = new Date("2026-11-27T09:00:00Z");

/** The first `n` records of the shared PyPI feed (upstream OSV data), read with Python's zipfile. */
function pypiRecords(n: number): unknown[] {
  const script = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); names = sorted(x for x in z.namelist() if x.endswith(".json"))[:int(sys.argv[2])]
print(json.dumps([json.loads(z.read(x)) for x in names]))`;
  return JSON.parse(
    execFileSync("python3", ["-c", script, join(SHARED, "vulndb/osv/PyPI.zip"), String(n)], {
      maxBuffer: 64 << 20,
    }).toString(),
  );
}

/** Everything a record leaves in the database, except the source it came from. */
function contents(db: VulnDb): unknown {
  return {
    vulns: db.db
      .prepare(
        "SELECT id, modified, published, withdrawn, summary, severity, rated, aliases, refs FROM vulns ORDER BY id",
      )
      .all(),
    aliases: db.db.prepare("SELECT * FROM aliases ORDER BY alias, vuln_id").all(),
    affected: db.db
      .prepare("SELECT * FROM affected ORDER BY vuln_id, eco_base, name, ranges, versions")
      .all(),
  };
}

describe("importing an OSV API answer", () => {
  afterEach(() => vi.restoreAllMocks());
  const dir = mkdtempSync(join(tmpdir(), "kw-osv-api-"));
  const records = pypiRecords(200);

  it("stores what the same records as separate files store, and names bad entries by index", async () => {
    const answer = join(dir, "answer.json");
    writeFileSync(answer, JSON.stringify({ vulns: [...records, { id: "NO-MODIFIED" }, 42] }));
    const perFile = join(dir, "records");
    mkdirSync(perFile);
    records.forEach((r, i) => {
      writeFileSync(join(perFile, `${String(i).padStart(4, "0")}.json`), JSON.stringify(r));
    });

    const viaAnswer = VulnDb.open(join(dir, "a.db"), { create: true });
    const viaFiles = VulnDb.open(join(dir, "b.db"), { create: true });
    const parse = vi.spyOn(JSON, "parse");
    const a = await importPath(viaAnswer, answer, { now: NOW });
    // The document is parsed once: no other JSON.parse call sees anything near its size.
    const text = JSON.stringify({ vulns: records });
    const bigParses = parse.mock.calls.filter(([s]) => typeof s === "string" && s.length > text.length / 2);
    expect(bigParses).toHaveLength(1);
    parse.mockRestore();
    const b = await importPath(viaFiles, perFile, { now: NOW });

    expect(a.records).toBe(records.length);
    expect(b.records).toBe(records.length);
    expect(b.errors).toEqual([]);
    expect(a.errors).toEqual([
      {
        file: `${answer}#vulns[${records.length}]`,
        message: "NO-MODIFIED: missing modified",
        code: "record-invalid",
      },
      {
        file: `${answer}#vulns[${records.length + 1}]`,
        message: "an OSV record must be a JSON object",
        code: "record-invalid",
      },
    ]);
    expect(a.skipped).toBe(2);
    expect(contents(viaAnswer)).toEqual(contents(viaFiles));
    viaAnswer.close();
    viaFiles.close();
  });

  it("reports an answer that is not JSON, or whose vulns is not a list, naming the file", async () => {
    const db = VulnDb.open(join(dir, "c.db"), { create: true });
    const truncated = join(dir, "truncated.json");
    writeFileSync(truncated, JSON.stringify({ vulns: records.slice(0, 3) }).slice(0, -20));
    const r1 = await importPath(db, truncated, { now: NOW });
    expect(r1.records).toBe(0);
    expect(r1.errors).toEqual([
      { file: truncated, message: expect.stringMatching(/^not JSON: /), code: "record-json" },
    ]);
    const notList = join(dir, "not-list.json");
    writeFileSync(notList, JSON.stringify({ vulns: { id: "X" } }));
    const r2 = await importPath(db, notList, { now: NOW });
    expect(r2.errors).toEqual([{ file: notList, message: "vulns must be an array", code: "record-invalid" }]);
    db.close();
  });
});
