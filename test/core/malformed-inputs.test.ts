// Hostile manifest inputs that test/core/loader.test.ts does not already cover: special files in a
// walked directory, self-referencing links, deep nesting, and explicitly named FIFOs. Each one is
// named in errors or skipped, and the good files next to it are still loaded.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifests } from "../../src/core/loader/index.js";
import { writeUnder } from "../helpers/files.js";

let dir: string;
const p = (...parts: string[]) => join(dir, ...parts);
const write = (rel: string, content: string | Buffer) => writeUnder(dir, rel, content);
const cm = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}}\n`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-malformed-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("special files in a walked directory", () => {
  it("a FIFO named .yaml does not block the walk: it is skipped by name, the rest is loaded", async () => {
    write("fifo/a.yaml", cm("a"));
    write("fifo/z.yaml", cm("z"));
    execFileSync("mkfifo", [p("fifo", "m.yaml")]);
    // A link to the FIFO inside the directory is the same FIFO.
    symlinkSync(p("fifo", "m.yaml"), p("fifo", "n.yaml"));
    const r = await loadManifests([p("fifo")]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["a", "z"]);
    expect(r.skipped).toEqual([
      expect.objectContaining({ file: p("fifo", "m.yaml"), code: "not-regular-file" }),
      expect.objectContaining({ file: p("fifo", "n.yaml"), code: "not-regular-file" }),
    ]);
  });

  it("a FIFO named as a target is read, as process substitution needs", async () => {
    const fifo = p("named.fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", `printf '%s' "$0" > "$1"`, cm("piped"), fifo]);
    const r = await loadManifests([fifo]);
    await new Promise((done) => writer.on("close", done));
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => [o.metadata.name, o.source.file])).toEqual([["piped", fifo]]);
  });

  it("links that point at themselves or at each other are unreadable by name, and the walk goes on", async () => {
    write("selfloop/ok.yaml", cm("ok"));
    symlinkSync("self.yaml", p("selfloop", "self.yaml"));
    symlinkSync("b.yaml", p("selfloop", "a.yaml"));
    symlinkSync("a.yaml", p("selfloop", "b.yaml"));
    const r = await loadManifests([p("selfloop")]);
    expect(r.errors.map((e) => [e.file, e.code])).toEqual([
      [p("selfloop", "a.yaml"), "unreadable"],
      [p("selfloop", "b.yaml"), "unreadable"],
      [p("selfloop", "self.yaml"), "unreadable"],
    ]);
    expect(r.errors[0]?.message).toContain(p("selfloop", "a.yaml"));
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["ok"]);
  });
});

describe("deep nesting", () => {
  it("YAML nested 100,000 levels is a yaml-syntax error naming the file; JSON nested as deep is checked without a crash", async () => {
    const deepYaml = write("deep/flow.yaml", `a: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    const blockLines = ["x:"];
    for (let i = 1; i < 3000; i++) blockLines.push(`${"  ".repeat(i)}k:`);
    const deepBlock = write("deep/block.yaml", `${blockLines.join("\n")}\n`);
    const deepJson = write(
      "deep/obj.json",
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`,
    );
    write("deep/ok.yaml", cm("ok"));
    const r = await loadManifests([p("deep")]);
    expect(r.errors.map((e) => [e.file, e.code])).toEqual([
      [deepBlock, "yaml-syntax"],
      [deepYaml, "yaml-syntax"],
    ]);
    for (const e of r.errors) expect(e.message).toMatch(/nesting exceeded/);
    expect(r.objects.map((o) => [o.metadata.name, o.source.file])).toEqual([
      ["deep", deepJson],
      ["ok", p("deep", "ok.yaml")],
    ]);
  });
});
