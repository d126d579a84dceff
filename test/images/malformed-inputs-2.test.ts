// Hostile inputs of the image layer, second pass: damaged Go and Rust build information in real
// ELF binaries, damaged rpm databases (Berkeley DB and SQLite, from real fixtures and real rpm), and
// package databases that are not regular files inside image tars. A file that is simply not a Go or
// Rust binary is skipped quietly; one that is, but whose data is damaged, is reported by path.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inventoryRootfs } from "../../src/images/inventory.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-images-malformed2-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Err = { file?: string; code?: string; message: string };
const brief = (errors: Err[]) => errors.map((e) => [e.file, e.code]).sort();

/** ELF header fields of a 64-bit little-endian file. */
const E_SHOFF = 0x28;

/** File offset and header index of a section, as readelf (binutils) reads them. */
function sectionOf(file: string, name: string): { index: number; offset: number } {
  const out = execFileSync("readelf", ["-S", "-W", file], { encoding: "utf8" });
  const re = new RegExp(
    `\\[\\s*(\\d+)\\]\\s+${name.replace(/\./g, "\\.")}\\s+\\S+\\s+[0-9a-f]+\\s+([0-9a-f]+)`,
  );
  const m = re.exec(out);
  if (!m) throw new Error(`${file} has no section ${name}`);
  return { index: Number(m[1]), offset: Number.parseInt(m[2]!, 16) };
}

describe("Go binaries with damaged build info (real go build, corrupted copies)", () => {
  let bin: Buffer;
  let buildInfoAt: number;
  let goVersion: string;
  beforeAll(() => {
    const src = join(dir, "gosrc");
    mkdirSync(src);
    writeFileSync(join(src, "go.mod"), "module example.com/kwbroken\n\ngo 1.19\n");
    writeFileSync(
      join(src, "main.go"),
      'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hi") }\n',
    );
    execFileSync("go", ["build", "-o", join(dir, "kwbroken"), "."], {
      cwd: src,
      env: {
        ...process.env,
        GOFLAGS: "-mod=mod",
        GOPROXY: "off",
        CGO_ENABLED: "0",
        GOCACHE: join(tmpdir(), "kubeward-test-cache", "go-build"),
        GOPATH: join(tmpdir(), "kubeward-test-cache", "gopath"),
      },
      stdio: "ignore",
    });
    bin = readFileSync(join(dir, "kwbroken"));
    buildInfoAt = sectionOf(join(dir, "kwbroken"), ".go.buildinfo").offset;
    goVersion = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim().replace(/^go/, "");
  }, 120_000);

  it("names each damaged binary, quietly skips what is not Go, and reads the rest", async () => {
    const root = join(dir, "go-root");
    const put = (name: string, data: Buffer) => {
      mkdirSync(join(root, "usr/bin"), { recursive: true });
      writeFileSync(join(root, "usr/bin", name), data);
      chmodSync(join(root, "usr/bin", name), 0o755);
    };
    put("intact", bin);
    // Cut before the build info: the section table (at the start in Go's layout) still names it.
    put("truncated-half", bin.subarray(0, buildInfoAt - 4096));
    // Cut inside the headers' pages: only the Go build ID note or section names are left to tell.
    put("truncated-head", bin.subarray(0, 8192));
    // Section headers past the end of the file: the build info is still found by its magic.
    const lostSections = Buffer.from(bin);
    lostSections.writeBigUInt64LE(BigInt(bin.length + 1_000_000), E_SHOFF);
    put("sections-past-eof", lostSections);
    // The toolchain version's varint length claims 2^56 bytes.
    const lying = Buffer.from(bin);
    Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]).copy(lying, buildInfoAt + 32);
    put("lying-length", lying);
    // A varint that never ends (ten continuation bytes): overflow, not a length.
    const overflow = Buffer.from(bin);
    Buffer.alloc(10, 0xff).copy(overflow, buildInfoAt + 32);
    put("varint-overflow", overflow);
    // Not Go: a C binary, a shell script and random bytes named like binaries.
    put("c-binary", readFileSync("/bin/true"));
    put("script", Buffer.from(`#!/bin/sh\n${"echo kubeward\n".repeat(200)}`));
    put("noise", Buffer.alloc(4096, 0x5a));
    const elfHeaderOnly = Buffer.alloc(4096);
    bin.copy(elfHeaderOnly, 0, 0, 64);
    elfHeaderOnly.writeBigUInt64LE(0n, E_SHOFF); // an ELF header and nothing Go about it
    put("elf-header-only", elfHeaderOnly);

    const started = Date.now();
    const inv = await inventoryRootfs(root);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(brief(inv.errors)).toEqual([
      ["usr/bin/lying-length", "parse-error"],
      ["usr/bin/truncated-half", "parse-error"],
      ["usr/bin/truncated-head", "parse-error"],
      ["usr/bin/varint-overflow", "parse-error"],
    ]);
    const message = (f: string) => inv.errors.find((e) => e.file === `usr/bin/${f}`)!.message;
    expect(message("lying-length")).toMatch(
      /^go-binary: corrupt Go build info: the toolchain version claims \d+ bytes, past the end/,
    );
    expect(message("varint-overflow")).toMatch(/not a valid varint/);
    expect(message("truncated-half")).toMatch(/linked by Go but holds no build info/);
    const stdlib = inv.packages.filter((p) => p.name === "stdlib").map((p) => [p.path, p.version]);
    expect(stdlib).toEqual([
      ["usr/bin/intact", goVersion],
      ["usr/bin/sections-past-eof", goVersion],
    ]);
  }, 30_000);
});

describe("Rust binaries with damaged cargo-auditable data (objcopy into a real ELF)", () => {
  function withDepSection(name: string, payload: Buffer): string {
    const out = join(dir, "rust", name);
    mkdirSync(join(dir, "rust"), { recursive: true });
    writeFileSync(`${out}.z`, payload);
    copyFileSync("/bin/true", out);
    execFileSync("objcopy", ["--add-section", `.dep-v0=${out}.z`, out]);
    return out;
  }
  const deps = (packages: unknown) => deflateSync(Buffer.from(JSON.stringify({ packages })));

  it("a zlib bomb, a section past the end, a wrong shape and bad entries are named; good entries kept", async () => {
    const root = join(dir, "rust-root");
    mkdirSync(join(root, "app"), { recursive: true });
    const place = (name: string, file: string) => {
      copyFileSync(file, join(root, "app", name));
      chmodSync(join(root, "app", name), 0o755);
    };
    // 64 MiB of spaces inside valid JSON compress to 64 KiB.
    const bomb = deflateSync(
      Buffer.concat([Buffer.from('{"packages":['), Buffer.alloc(64 << 20, 0x20), Buffer.from("]}")]),
      {
        level: 9,
      },
    );
    place("bomb", withDepSection("bomb", bomb));
    const good = [
      { name: "serde", version: "1.0.197", source: "crates.io" },
      { name: "myapp", version: "0.1.0", source: "local", root: true },
    ];
    place("good", withDepSection("good", deps(good)));
    place("not-a-list", withDepSection("not-a-list", deps({ serde: "1.0" })));
    place("bad-entries", withDepSection("bad-entries", deps([...good, { name: 7 }, null])));
    // The section's declared size made huge: its bytes would run 2 GiB past the end of the file.
    const huge = withDepSection("huge", deps(good));
    const sec = sectionOf(huge, ".dep-v0");
    const data = readFileSync(huge);
    const shoff = Number(data.readBigUInt64LE(E_SHOFF));
    data.writeBigUInt64LE(0x8000_0000n, shoff + sec.index * 64 + 32);
    writeFileSync(huge, data);
    place("huge", huge);

    const rssBefore = process.memoryUsage().rss;
    const inv = await inventoryRootfs(root);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 << 20);
    expect(brief(inv.errors)).toEqual([
      ["app/bad-entries", "parse-error"],
      ["app/bad-entries", "parse-error"],
      ["app/bomb", "parse-error"],
      ["app/huge", "parse-error"],
      ["app/not-a-list", "parse-error"],
    ]);
    const message = (f: string) =>
      inv.errors
        .filter((e) => e.file === `app/${f}`)
        .map((e) => e.message)
        .join("\n");
    expect(message("bomb")).toMatch(/\.dep-v0 .*inflates to more than 16777216 bytes/);
    expect(message("huge")).toMatch(/claims 2147483648 bytes at offset \d+, past the end/);
    expect(message("not-a-list")).toMatch(/no packages list/);
    expect(message("bad-entries")).toMatch(/packages\[2\] has no name and version strings; skipped/);
    expect(inv.packages.map((p) => [p.path, p.name, p.version])).toEqual([
      ["app/bad-entries", "serde", "1.0.197"],
      ["app/good", "serde", "1.0.197"],
    ]);
  }, 60_000);
});
