// The table as real scans print it: a manifest tree with a broken file (the loader's own error
// messages) and the real Debian image with the shared Debian data. Nothing is said twice.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/core/model.js";
import { renderTable } from "../../src/core/reporters/table.js";
import { runInProcess as run } from "../cli/helpers.js";
import { ensureDebianImage, SHARED } from "../images/helpers/debian-image.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-table-real-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How often `needle` occurs in `text`. */
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("table output of real scans", () => {
  it("scan manifests: a broken file's error names file and line once", async () => {
    const tree = join(dir, "deploy");
    mkdirSync(tree);
    writeFileSync(
      join(tree, "bad.yaml"),
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: [unclosed\n",
    );
    writeFileSync(
      join(tree, "ok.yaml"),
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n",
    );
    const out = join(dir, "manifests.txt");
    expect((await run(["scan", "manifests", tree, "-f", "table", "-o", out])).code).toBe(0);
    const text = readFileSync(out, "utf8");
    const jsonOut = join(dir, "manifests.json");
    await run(["scan", "manifests", tree, "-f", "json", "-o", jsonOut]);
    const [error] = (JSON.parse(readFileSync(jsonOut, "utf8")) as Report).errors;
    // The JSON message keeps its own wording (it starts with the place); the table says the place once.
    const place = `${error!.file}:${error!.line}`;
    expect(error!.message.startsWith(`${place}: `)).toBe(true);
    expect(count(text, place)).toBe(1);
    // (error lines wrap with a four-space indent)
    expect(text.replace(/\n {4}/g, " ")).toContain(
      `${place} [yaml-syntax] ${error!.message.slice(place.length + 2)}`,
    );
    // Piped (here: -o) output is plain text.
    expect(text).not.toContain("\u001b[");
  });

  it("scan image: each vulnerability gives its package once, under its file, in colour on a terminal", async () => {
    const image = ensureDebianImage();
    const db = join(dir, "db");
    expect((await run(["db", "import", "--db", db, join(SHARED, "vulndb/debian/Debian.zip")])).code).toBe(0);
    const ref = `oci:${image.oci}:${image.tag}`;
    const jsonOut = join(dir, "image.json");
    const r = await run(["scan", "image", ref, "--db", db, "-f", "json", "-o", jsonOut, "--no-progress"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(jsonOut, "utf8")) as Report;
    const vulns = report.findings.filter((f) => f.layer === "vulnerability");
    expect(vulns.length).toBeGreaterThan(10);

    const text = renderTable(report, false);
    const lines = text.split("\n");
    // The group heading is the dpkg database; no row repeats it.
    expect(lines.filter((l) => l === "var/lib/dpkg/status")).toHaveLength(1);
    expect(count(text, "var/lib/dpkg/status")).toBe(1);
    // The image group is named once, not "Image REF  (REF)".
    expect(lines.filter((l) => l.startsWith("Image "))).toEqual([`Image ${ref}`]);
    // Each finding shows its package line exactly once, and the matcher's message (same facts) not at all.
    for (const f of vulns) expect(text).not.toContain(`is affected by ${f.checkId}`);
    const perVuln = vulns.map((f) => {
      const p = (f.vulnerability as { package: { name: string; version: string } }).package;
      return `${p.name} ${p.version} (Debian)`;
    });
    for (const line of new Set(perVuln))
      expect(count(text, line)).toBe(perVuln.filter((x) => x === line).length);

    const coloured = renderTable(report, true);
    expect(coloured).toContain("\u001b[33mMEDIUM");
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, "")).toBe(text);
  });
});
