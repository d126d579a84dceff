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
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRpmDatabase } from "../../src/images/catalogers/rpm.js";
import { inventoryImage, inventoryRootfs } from "../../src/images/inventory.js";
import { goBuild } from "../helpers/go.js";
import { buildImage, DEBIAN_OS_RELEASE, dpkgStatus, writeOciLayout } from "./helpers/image-builder.js";

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
    goBuild(src, join(dir, "kwbroken"));
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

const FIXTURE = "/work/shared/conformance/sbom/fixtures/osv-scalibr/rpm/Packages_epoch";
const PAGE = 4096;

/**
 * The upstream fixture (one package, "hello", on overflow page 4) with a second package: a copy of
 * page 4 renamed "jello", appended as page 5 and indexed from hash page 1 by a new key/off-page pair.
 */
function twoPackageBdb(): Buffer {
  const orig = readFileSync(FIXTURE);
  expect(orig.readUInt32LE(20)).toBe(PAGE);
  const jello = Buffer.from(
    orig
      .subarray(4 * PAGE, 5 * PAGE)
      .toString("latin1")
      .replaceAll("hello", "jello"),
    "latin1",
  );
  const db = Buffer.concat([orig, jello]);
  db.writeUInt32LE(6, 32); // meta page: last page number
  const hash = PAGE;
  const entries = db.readUInt16LE(hash + 20);
  const free = db.readUInt16LE(hash + 22); // items grow down from the end of the page
  const offpage = free - OFFPAGE_ITEM;
  const key = offpage - 8;
  db.writeUInt8(1, hash + key); // H_KEYDATA "kw5"
  db.write("kw5", hash + key + 1, "latin1");
  db.writeUInt8(3, hash + offpage); // H_OFFPAGE: page 5, same length as the original
  db.writeUInt32LE(5, hash + offpage + 4);
  db.writeUInt32LE(db.readUInt32LE(hash + db.readUInt16LE(hash + 26 + 3 * 2) + 8), hash + offpage + 8);
  db.writeUInt16LE(key, hash + 26 + entries * 2);
  db.writeUInt16LE(offpage, hash + 26 + (entries + 1) * 2);
  db.writeUInt16LE(entries + 2, hash + 20);
  db.writeUInt16LE(key, hash + 22);
  return db;
}
const OFFPAGE_ITEM = 12;

describe("rpm Berkeley DB (upstream fixture, corrupted copies)", () => {
  const read = (data: Buffer) => {
    const ctx = { errors: [] as Err[] };
    try {
      const pkgs = parseRpmDatabase(data, "var/lib/rpm/Packages", ctx);
      return { names: pkgs.map((p) => p.name).sort(), errors: ctx.errors };
    } catch (err) {
      return { names: [], errors: [...ctx.errors, { message: (err as Error).message, code: "thrown" }] };
    }
  };

  it("the two-package copy reads both (the oracle for the cases below)", () => {
    expect(read(readFileSync(FIXTURE))).toEqual({ names: ["hello"], errors: [] });
    expect(read(twoPackageBdb())).toEqual({ names: ["hello", "jello"], errors: [] });
  });

  const cases: Array<[string, (db: Buffer) => Buffer, string[], RegExp]> = [
    [
      "an overflow chain looping back on itself",
      (db) => {
        db.writeUInt16LE(100, 5 * PAGE + 22); // this page holds 100 bytes, the next page is itself
        db.writeUInt32LE(5, 5 * PAGE + 16);
        return db;
      },
      ["hello"],
      /page 1 entry \d+: overflow chain loops back to page 5; that package is not read/,
    ],
    [
      "an overflow chain leaving the file",
      (db) => {
        db.writeUInt16LE(100, 5 * PAGE + 22);
        db.writeUInt32LE(0xffff_fff0, 5 * PAGE + 16);
        return db;
      },
      ["hello"],
      /overflow page 4294967280 is past the end of the file \(6 pages\)/,
    ],
    [
      "a file cut before the second package",
      (db) => db.subarray(0, 5 * PAGE + 100),
      ["hello"],
      /overflow page 5 is past the end/,
    ],
    [
      "a hash page with a lying entry count",
      (db) => {
        db.writeUInt16LE(0xffff, 2 * PAGE + 20); // the empty hash page claims 65535 entries
        return db;
      },
      ["hello", "jello"],
      /page 2 entry \d+: /, // the garbage it points at is named; both real packages are read
    ],
    [
      "a header blob with a lying index count",
      (db) => {
        db.writeUInt32BE(0xffff_ffff, 5 * PAGE + 26);
        return db;
      },
      ["hello"],
      /bad rpm header: rpm header claims 4294967295 entries/,
    ],
    [
      "a header blob whose data length runs past it",
      (db) => {
        db.writeUInt32BE(0x00ff_ffff, 5 * PAGE + 30);
        return db;
      },
      ["hello"],
      /bad rpm header: rpm header data runs past the blob/,
    ],
    [
      "a wrong page size",
      (db) => {
        db.writeUInt32LE(1000, 20);
        return db;
      },
      [],
      /bad page size 1000/,
    ],
    ["a file cut to its first page", (db) => db.subarray(0, 300), [], /too short for a Berkeley DB file/],
  ];
  it.each(cases)("%s: bounded, named, the rest read", (_name, corrupt, names, message) => {
    const started = Date.now();
    const got = read(corrupt(twoPackageBdb()));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(got.names).toEqual(names);
    expect(got.errors.map((e) => e.message).join("\n")).toMatch(message);
    for (const e of got.errors)
      expect(e.file ?? "var/lib/rpm/Packages (thrown)").toMatch(/var\/lib\/rpm\/Packages/);
  });
});

/** A real sqlite rpmdb of two packages, built with rpmbuild and registered with `rpm --justdb`. */
function sqliteRpmdb(): Buffer {
  const top = join(dir, "rpmbuild");
  for (const d of ["SPECS", "BUILD", "RPMS", "SOURCES", "SRPMS", "db"])
    mkdirSync(join(top, d), { recursive: true });
  for (const name of ["kwone", "kwtwo"]) {
    writeFileSync(
      join(top, "SPECS", `${name}.spec`),
      `Name: ${name}\nVersion: 1.0\nRelease: 1\nSummary: t\nLicense: MIT\nBuildArch: noarch\n%description\nt\n%files\n`,
    );
    execFileSync("rpmbuild", ["--define", `_topdir ${top}`, "-bb", join(top, "SPECS", `${name}.spec`)], {
      stdio: "ignore",
    });
  }
  const db = join(top, "db");
  execFileSync("rpm", ["--dbpath", db, "--initdb"], { stdio: "ignore" });
  execFileSync(
    "sh",
    ["-c", `rpm --dbpath ${db} -i --justdb --nodeps --ignorearch --ignoreos ${top}/RPMS/noarch/*.rpm`],
    { stdio: "ignore" },
  );
  // Fold the WAL into the main file so that a copy holds everything.
  execFileSync("sqlite3", [join(db, "rpmdb.sqlite"), "PRAGMA wal_checkpoint(TRUNCATE);"], {
    stdio: "ignore",
  });
  return readFileSync(join(db, "rpmdb.sqlite"));
}

describe("rpm sqlite database (real rpm, corrupted copies)", () => {
  let original: Buffer;
  beforeAll(() => {
    original = sqliteRpmdb();
  }, 60_000);

  /** Runs SQL on a copy with the sqlite3 command line and returns the copy's bytes. */
  function altered(name: string, sql: string): Buffer {
    const file = join(dir, `${name}.sqlite`);
    writeFileSync(file, original);
    execFileSync("sqlite3", [file, sql]);
    return readFileSync(file);
  }
  const read = (data: Buffer) => {
    const ctx = { errors: [] as Err[] };
    try {
      const pkgs = parseRpmDatabase(data, "var/lib/rpm/rpmdb.sqlite", ctx);
      return { names: pkgs.map((p) => p.name).sort(), errors: ctx.errors };
    } catch (err) {
      return { names: [], errors: [...ctx.errors, { message: (err as Error).message, code: "thrown" }] };
    }
  };

  it("reads the original (oracle: rpm -qa)", () => {
    expect(read(original)).toEqual({ names: ["kwone", "kwtwo"], errors: [] });
  });

  it("a header with a lying index count, or text where the blob belongs: that package named, the other read", () => {
    const lying = read(
      altered(
        "lying",
        "UPDATE Packages SET blob = CAST(X'7FFFFFFF00000010' || substr(blob, 9) AS BLOB) WHERE hnum = (SELECT min(hnum) FROM Packages);",
      ),
    );
    expect(lying.names).toHaveLength(1);
    expect(lying.errors).toEqual([
      {
        file: "var/lib/rpm/rpmdb.sqlite",
        message: "bad rpm header: rpm header claims 2147483647 entries",
        code: "rpm-bad-header",
      },
    ]);
    const text = read(
      altered(
        "text",
        "UPDATE Packages SET blob = 'not a header' WHERE hnum = (SELECT max(hnum) FROM Packages);",
      ),
    );
    expect(text.names).toHaveLength(1);
    expect(text.errors).toEqual([
      {
        file: "var/lib/rpm/rpmdb.sqlite",
        message: expect.stringMatching(/^rpm: package \d+ has a string header instead of a blob; not read$/),
        code: "rpm-bad-header",
      },
    ]);
  });

  it("a truncated file, a missing table: one error naming the database", () => {
    const cut = read(original.subarray(0, Math.floor(original.length / 2)));
    const dropped = read(altered("dropped", "DROP TABLE Packages;"));
    for (const got of [cut, dropped]) {
      expect(got.names).toEqual([]);
      expect(got.errors).toHaveLength(1);
      expect(got.errors[0]!.message).toMatch(/^var\/lib\/rpm\/rpmdb\.sqlite: cannot read sqlite rpmdb \(/);
    }
    expect(dropped.errors[0]!.message).toMatch(/no such table: Packages/);
  });
});

describe("package databases that are not regular files in an image tar", () => {
  it("FIFOs, devices and dangling links are named with their layer; links to regular files are followed", async () => {
    const status = dpkgStatus([{ name: "bash", version: "5.2.15-2" }]);
    const img = await buildImage({
      layers: [
        [
          { name: "etc/os-release", data: DEBIAN_OS_RELEASE },
          { name: "var/lib/dpkg/status-real", data: status },
          { name: "var/lib/dpkg/status", type: "symlink", linkname: "status-real" },
          { name: "lib/apk/db/installed", type: "fifo" },
          { name: "opt/rpm-copy", data: readFileSync(FIXTURE) },
          { name: "usr/lib/sysimage/rpm/Packages", type: "link", linkname: "opt/rpm-copy" },
          { name: "var/lib/rpm/Packages", type: "symlink", linkname: "/nowhere/Packages" },
          { name: "var/lib/rpm/rpmdb.sqlite", type: "fifo" },
        ],
        [
          // The FIFO of the first layer is deleted: nothing left to report about it.
          { name: "var/lib/rpm/.wh.rpmdb.sqlite", data: "" },
          { name: "usr/lib/sysimage/rpm/rpmdb.sqlite", type: "character-device" },
        ],
      ],
    });
    const layout = join(dir, "special-image");
    writeOciLayout(layout, { t: img });
    const inv = await inventoryImage(`oci:${layout}:t`);
    const [first, second] = img.layers.map((l) => l.digest);
    expect(inv.errors.map((e) => [e.file, e.code, e.message]).sort()).toEqual([
      [
        "lib/apk/db/installed",
        "not-regular-file",
        `layer ${first}: a fifo stands where a package database belongs; not read`,
      ],
      [
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "not-regular-file",
        `layer ${second}: a character-device stands where a package database belongs; not read`,
      ],
      [
        "var/lib/rpm/Packages",
        "not-regular-file",
        `layer ${first}: a symlink to "/nowhere/Packages", which leads nowhere in the image (dangling or looping); not read`,
      ],
    ]);
    // The symlinked dpkg status and the hard-linked rpm database are read, under their own paths.
    expect(inv.packages.map((p) => [p.name, p.version, p.path, p.layerDigest])).toEqual([
      ["bash", "5.2.15-2", "var/lib/dpkg/status", first],
      ["hello", "0.0.1-rls", "usr/lib/sysimage/rpm/Packages", first],
    ]);
  }, 30_000);

  it("a link whose target is itself a package database is read once, under the target's path", async () => {
    const img = await buildImage({
      layers: [
        [
          { name: "usr/lib/sysimage/rpm/Packages", data: readFileSync(FIXTURE) },
          {
            name: "var/lib/rpm/Packages",
            type: "symlink",
            linkname: "../../../usr/lib/sysimage/rpm/Packages",
          },
        ],
      ],
    });
    const layout = join(dir, "linked-db-image");
    writeOciLayout(layout, { t: img });
    const inv = await inventoryImage(`oci:${layout}:t`);
    expect(inv.errors).toEqual([]);
    expect(inv.packages.map((p) => [p.name, p.path])).toEqual([["hello", "usr/lib/sysimage/rpm/Packages"]]);
  });

  it("in a root filesystem too: a symlinked status file is read inside the root, a dangling one named", async () => {
    const root = join(dir, "linked-rootfs");
    mkdirSync(join(root, "var/lib/dpkg"), { recursive: true });
    mkdirSync(join(root, "etc"), { recursive: true });
    writeFileSync(join(root, "etc/dpkg-status"), dpkgStatus([{ name: "zsh", version: "5.9-4" }]));
    // Absolute: resolved inside the root, never on this machine.
    symlinkSync("/etc/dpkg-status", join(root, "var/lib/dpkg/status"));
    mkdirSync(join(root, "lib/apk/db"), { recursive: true });
    symlinkSync("/lib/apk/db/missing", join(root, "lib/apk/db/installed"));
    const inv = await inventoryRootfs(root);
    expect(inv.packages.map((p) => [p.name, p.path])).toEqual([["zsh", "var/lib/dpkg/status"]]);
    expect(inv.errors.map((e) => [e.file, e.code])).toEqual([["lib/apk/db/installed", "not-regular-file"]]);
  });
});
