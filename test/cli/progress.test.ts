// The image pull and `db update` draw the same progress bar, and only on a terminal. The commands run
// in-process against real inputs (the Debian image's OCI layout, OSV zips from a loopback HTTP server);
// stderr is made to say it is a terminal, as a TTY would, and what the bar writes to it is read back.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatBytes, progressBar } from "../../src/cli/progress.js";
import { ensureDebianImage, SHARED } from "../images/helpers/debian-image.js";
import { runInProcess } from "./helpers.js";

/** Runs the CLI with stderr as a terminal (or not); returns what was written to stderr. */
function runOnStderr(args: string[], tty: boolean): Promise<{ code: number; stderr: string }> {
  return runInProcess(args, { stderrIsTTY: tty });
}

const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The bar states drawn, escape sequences removed. */
function barLines(stderr: string): string[] {
  return stderr
    .split(ESCAPES)
    .flatMap((s) => s.split(/[\r\n]/))
    .map((s) => s.trim())
    .filter((s) => s.includes("["));
}

/** The one look: label, 30 cells of shades, percentage, done/size in binary units. */
const BAR =
  /^(.+) \[[\u2588\u2591]{30}\] \d{1,3}% \d+(\.\d)? (B|KiB|MiB|GiB)\/(\d+(\.\d)? (B|KiB|MiB|GiB)|\?)$/;

let dir: string;
let server: http.Server;
let base: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kw-progress-"));
  server = http.createServer((req, res) => {
    if (req.url !== "/PyPI/all.zip") {
      res.writeHead(404).end();
      return;
    }
    const data = readFileSync(join(SHARED, "vulndb/osv/PyPI.zip"));
    res.writeHead(200, { "Content-Length": data.length });
    res.end(data);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const update = (db: string) => [
  "db",
  "update",
  "--db",
  db,
  "--osv-url",
  base,
  "--ecosystems",
  "PyPI",
  "--debian-tracker-url",
  "none",
  "--alpine-secdb-url",
  "none",
];

describe("one progress bar", () => {
  it("db update and the image pull draw the same bar on a terminal", async () => {
    const db = await runOnStderr(update(join(dir, "db1")), true);
    expect(db.code, db.stderr).toBe(0);
    const dbBars = barLines(db.stderr);
    expect(dbBars.length).toBeGreaterThan(0);
    for (const l of dbBars) expect(l).toMatch(BAR);
    expect(dbBars.at(-1)).toMatch(/^\(1\/1\) osv:PyPI \[/);
    // The size the server announced is shown.
    const size = formatBytes(readFileSync(join(SHARED, "vulndb/osv/PyPI.zip")).length);
    expect(dbBars.some((l) => l.endsWith(`/${size}`))).toBe(true);

    const image = ensureDebianImage();
    const out = join(dir, "image.json");
    const img = await runOnStderr(
      ["scan", "image", `oci:${image.oci}:${image.tag}`, "--skip-vulns", "-f", "json", "-o", out],
      true,
    );
    expect(img.code, img.stderr).toBe(0);
    const imgBars = barLines(img.stderr);
    expect(imgBars.length).toBeGreaterThan(0);
    // The same cells, percentage and units as db update's: one style, not two.
    for (const l of imgBars) expect(l).toMatch(BAR);
    expect(imgBars[0]).toMatch(/^layer 1\/1 \[/);
  }, 120_000);

  it("draws nothing when stderr is not a terminal, or with --no-progress", async () => {
    const db = await runOnStderr(update(join(dir, "db2")), false);
    expect(db.code, db.stderr).toBe(0);
    expect(db.stderr).not.toMatch(ESCAPES);
    expect(db.stderr).toContain("kubeward: (1/1) downloading osv:PyPI from");

    const image = ensureDebianImage();
    const ref = `oci:${image.oci}:${image.tag}`;
    for (const [tty, extra] of [
      [false, []],
      [true, ["--no-progress"]],
    ] as const) {
      const img = await runOnStderr(
        ["scan", "image", ref, "--skip-vulns", "-f", "json", "-o", join(dir, "i.json"), ...extra],
        tty,
      );
      expect(img.code).toBe(0);
      expect(img.stderr).toBe("");
    }
  }, 120_000);

  it("the helper: undefined off a terminal; a bar with an unknown size says '?'", () => {
    expect(progressBar({ stream: new PassThrough() })).toBeUndefined();
    const term = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    expect(progressBar({ stream: term, enabled: false })).toBeUndefined();
    let written = "";
    term.on("data", (c: Buffer) => {
      written += c.toString();
    });
    const bar = progressBar({ stream: term })!;
    bar.start("feed");
    bar.update(3 * 1024 * 1024);
    bar.stop();
    const lines = barLines(written);
    expect(lines[0]).toBe(`feed [${"\u2591".repeat(30)}] 0% 0 B/?`);
    expect(lines.every((l) => BAR.test(l))).toBe(true);
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
  });
});
