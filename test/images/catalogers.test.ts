import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import type { CatalogContext } from "../../src/core/cataloger.js";
import { parseDebianCopyright } from "../../src/images/catalogers/dpkg-copyright.js";
import { goBinaryPackages, readGoBuildInfo } from "../../src/images/catalogers/gobinary.js";
import { CATALOGERS, HELPER_FILES } from "../../src/images/catalogers/index.js";
import { javaArchivePackages } from "../../src/images/catalogers/java.js";
import { parseInstalledPackageJson } from "../../src/images/catalogers/npm.js";
import { parsePythonMetadata } from "../../src/images/catalogers/python.js";
import { parseGemspec } from "../../src/images/catalogers/ruby.js";
import { rustAuditablePackages } from "../../src/images/catalogers/rust.js";
import { inventoryImage, inventoryRootfs } from "../../src/images/inventory.js";
import { WindowScanner } from "../../src/images/window.js";
import { goBuild } from "../helpers/go.js";
import { buildImage, DEBIAN_OS_RELEASE, dpkgStatus, writeOciLayout } from "./helpers/image-builder.js";
import { zipOf } from "./helpers/zip-writer.js";

const tmp = () => mkdtempSync(join(tmpdir(), "kw-cat-"));
const ctx = (): CatalogContext => ({ errors: [] });
const has = (cmd: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

describe("cataloger registry", () => {
  it("registers every cataloger file of the folder, once", () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), "../../src/images/catalogers");
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !HELPER_FILES.includes(f));
    expect(files.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual(
      [
        "apk",
        "dpkg",
        "dpkg-copyright",
        "gobinary",
        "java",
        "npm",
        "pnpm",
        "python",
        "rpm",
        "ruby",
        "rust",
        "yarn",
      ].sort(),
    );
    expect(CATALOGERS.size).toBe(files.length);
  });
});

describe("Go binaries (oracle: go version -m)", () => {
  let bin: string;
  beforeAll(() => {
    const src = tmp();
    mkdirSync(join(src, "dep"));
    mkdirSync(join(src, "app"));
    writeFileSync(join(src, "dep", "go.mod"), "module example.com/kwdep\n\ngo 1.19\n");
    writeFileSync(join(src, "dep", "dep.go"), 'package kwdep\n\nfunc Hello() string { return "hello" }\n');
    writeFileSync(
      join(src, "app", "go.mod"),
      "module example.com/kwapp\n\ngo 1.19\n\nrequire example.com/kwdep v1.2.3\n\nreplace example.com/kwdep v1.2.3 => ../dep\n",
    );
    writeFileSync(
      join(src, "app", "main.go"),
      'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/kwdep"\n)\n\nfunc main() { fmt.Println(kwdep.Hello()) }\n',
    );
    bin = join(src, "kwapp");
    goBuild(join(src, "app"), bin);
  });

  function goVersionM(file: string) {
    const out = execFileSync("go", ["version", "-m", file], { encoding: "utf8" });
    const lines = out.split("\n");
    const goVersion = lines[0]!.split(": ")[1]!.trim();
    const deps: { path: string; version: string }[] = [];
    let main: { path: string; version: string } | undefined;
    for (const l of lines.slice(1)) {
      const f = l.trim().split("\t");
      if (f[0] === "mod") main = { path: f[1]!, version: f[2]! };
      if (f[0] === "dep") deps.push({ path: f[1]!, version: f[2]! });
    }
    return { goVersion, main, deps };
  }

  it("reads the toolchain version, main module and dependencies of a freshly built binary", () => {
    const info = readGoBuildInfo(readFileSync(bin))!;
    const oracle = goVersionM(bin);
    expect(info.goVersion).toBe(oracle.goVersion);
    expect(info.main).toEqual(oracle.main);
    expect(info.deps).toEqual(oracle.deps);
    const pkgs = goBinaryPackages(readFileSync(bin), "usr/local/bin/kwapp");
    expect(pkgs.map((p) => [p.name, p.version])).toEqual([
      ["example.com/kwapp", ""],
      ["example.com/kwdep", "v1.2.3"],
      ["stdlib", oracle.goVersion.replace(/^go/, "")],
    ]);
  });

  it("reads Debian-built Go binaries (docker-registry) the same way", () => {
    const file = "/usr/bin/docker-registry";
    expect(existsSync(file)).toBe(true);
    const info = readGoBuildInfo(readFileSync(file))!;
    expect(info.goVersion).toBe(goVersionM(file).goVersion);
  });

  it("ignores ELF files that are not Go and non-ELF files", () => {
    expect(readGoBuildInfo(readFileSync("/bin/ls"))).toBeUndefined();
    expect(readGoBuildInfo(Buffer.from("#!/bin/sh\necho hi\n"))).toBeUndefined();
    expect(
      readGoBuildInfo(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]), Buffer.alloc(100, 0xff)])),
    ).toBeUndefined();
  });

  it("reads a Go binary over the file size limit as it streams past (image and rootfs)", async () => {
    const img = await buildImage({ layers: [[{ name: "app/kwapp", data: readFileSync(bin), mode: 0o755 }]] });
    const dir = tmp();
    writeOciLayout(dir, { t: img });
    const limits = { maxFileSize: 64 * 1024 };
    expect(readFileSync(bin).length).toBeGreaterThan(limits.maxFileSize);
    const want = goBinaryPackages(readFileSync(bin), "app/kwapp").map((p) => [p.name, p.version]);
    const inv = await inventoryImage(`oci:${dir}:t`, { limits });
    expect(inv.packages.map((p) => [p.name, p.version])).toEqual(want);
    expect(inv.errors).toEqual([]);
    const root = tmp();
    mkdirSync(join(root, "app"));
    copyFileSync(bin, join(root, "app", "kwapp"));
    const fromDir = await inventoryRootfs(root, { limits });
    expect(fromDir.packages.map((p) => [p.name, p.version])).toEqual(want);
  });

  it("inventories a Go binary inside an image, with the layer that added it", async () => {
    const img = await buildImage({
      layers: [
        [{ name: "etc/os-release", data: DEBIAN_OS_RELEASE }],
        [{ name: "app/kwapp", data: readFileSync(bin), mode: 0o755 }],
      ],
    });
    const dir = tmp();
    writeOciLayout(dir, { t: img });
    const inv = await inventoryImage(`oci:${dir}:t`);
    const std = inv.packages.find((p) => p.name === "stdlib")!;
    expect(std).toMatchObject({ ecosystem: "Go", path: "app/kwapp", layerDigest: img.layers[1]!.digest });
    expect(std.purl).toMatch(/^pkg:golang\/stdlib@1\.\d+/);
    expect(inv.packages.find((p) => p.name === "example.com/kwdep")?.purl).toBe(
      "pkg:golang/example.com/kwdep@v1.2.3",
    );
  });
});

describe("executables too large to hold", () => {
  it("WindowScanner finds an aligned pattern across chunk boundaries and keeps a bounded window", () => {
    const magic = Buffer.from("MAGIC!");
    const data = Buffer.concat([
      Buffer.alloc(13, 1),
      magic,
      Buffer.alloc(19, 2),
      magic,
      Buffer.from("payload-after"),
      Buffer.alloc(50, 3),
    ]);
    // First occurrence at 13 (not 16-aligned), second at 38: with align 2 the second is taken.
    for (const size of [1, 3, 7, 64]) {
      const s = new WindowScanner(magic, 10, 2);
      for (let i = 0; i < data.length; i += size) s.push(data.subarray(i, i + size));
      expect(s.result()?.toString("latin1"), `chunk ${size}`).toBe("MAGIC!payl");
    }
    const none = new WindowScanner(magic, 10, 1);
    none.push(Buffer.alloc(100));
    expect(none.result()).toBeUndefined();
  });
});

describe("Rust binaries built with cargo-auditable", () => {
  it("reads the .dep-v0 section (zlib JSON) and skips the root and build-only crates", () => {
    const deps = {
      packages: [
        { name: "myapp", version: "0.1.0", source: "local", root: true, dependencies: [1, 2] },
        { name: "serde", version: "1.0.197", source: "crates.io" },
        { name: "cc", version: "1.0.90", source: "crates.io", kind: "build" },
        { name: "regex", version: "1.10.3", source: "crates.io", dependencies: [] },
      ],
    };
    const dir = tmp();
    writeFileSync(join(dir, "deps.z"), deflateSync(Buffer.from(JSON.stringify(deps))));
    copyFileSync("/bin/true", join(dir, "app"));
    execFileSync("objcopy", ["--add-section", `.dep-v0=${join(dir, "deps.z")}`, join(dir, "app")]);
    const pkgs = rustAuditablePackages(readFileSync(join(dir, "app")), "usr/bin/app");
    expect(pkgs.map((p) => [p.name, p.version, p.ecosystem])).toEqual([
      ["serde", "1.0.197", "crates.io"],
      ["regex", "1.10.3", "crates.io"],
    ]);
    writeFileSync(join(dir, "bad.z"), "not zlib");
    copyFileSync("/bin/true", join(dir, "bad"));
    execFileSync("objcopy", ["--add-section", `.dep-v0=${join(dir, "bad.z")}`, join(dir, "bad")]);
    expect(() => rustAuditablePackages(readFileSync(join(dir, "bad")), "bad")).toThrow(/dep-v0/);
  });
});

describe("Java archives", () => {
  const pom = (g: string, a: string, v: string) =>
    `#Generated by Maven\ngroupId=${g}\nartifactId=${a}\nversion=${v}\n`;

  it("reads pom.properties, MANIFEST.MF and nested jars (Spring Boot layout)", () => {
    const inner = zipOf({
      "META-INF/maven/org.yaml/snakeyaml/pom.properties": pom("org.yaml", "snakeyaml", "2.2"),
    });
    const manifestOnly = zipOf({
      "META-INF/MANIFEST.MF":
        "Manifest-Version: 1.0\r\nImplementation-Title: jakarta.annotation-api\r\nImplementation-Version: 2.1.1\r\nImplementation-Vendor-Id: jakarta.annotation\r\n\r\n",
    });
    const outer = zipOf(
      {
        "META-INF/maven/com.example/app/pom.properties": pom("com.example", "app", "1.0.0"),
        "BOOT-INF/lib/snakeyaml-2.2.jar": inner,
        "BOOT-INF/lib/jakarta.annotation-api-2.1.1.jar": manifestOnly,
      },
      false,
    );
    const pkgs = javaArchivePackages(outer, "app/app.jar", ctx());
    expect(pkgs.map((p) => [p.name, p.version, p.path])).toEqual([
      ["com.example:app", "1.0.0", "app/app.jar"],
      ["org.yaml:snakeyaml", "2.2", "app/app.jar!/BOOT-INF/lib/snakeyaml-2.2.jar"],
      [
        "jakarta.annotation:jakarta.annotation-api",
        "2.1.1",
        "app/app.jar!/BOOT-INF/lib/jakarta.annotation-api-2.1.1.jar",
      ],
    ]);
  });

  it("falls back to the file name and reports archives that are not zips", () => {
    expect(
      javaArchivePackages(zipOf({ "a.class": "x" }), "lib/commons-io-2.15.1.jar", ctx()).map((p) => [
        p.name,
        p.version,
      ]),
    ).toEqual([["commons-io", "2.15.1"]]);
    const c = ctx();
    expect(javaArchivePackages(Buffer.from("not a zip at all, really not a zip file"), "x.jar", c)).toEqual(
      [],
    );
    expect(c.errors.map((e) => e.code)).toEqual(["java-bad-archive"]);
  });

  it("refuses a zip bomb entry", () => {
    const bomb = zipOf({ "META-INF/maven/a/b/pom.properties": `${"#".repeat(40 << 20)}\n` });
    const c = ctx();
    expect(javaArchivePackages(bomb, "bomb.jar", c)).toEqual([]);
    expect(c.errors.map((e) => e.code)).toEqual(["java-bad-archive"]);
  });
});

describe("Python distributions", () => {
  it("reads METADATA with PEP 639 License-Expression and falls back to classifiers", () => {
    const md =
      "Metadata-Version: 2.4\nName: requests\nVersion: 2.32.3\nLicense-Expression: Apache-2.0\nClassifier: License :: OSI Approved :: Apache Software License\n\nBody text: ignored\n";
    expect(parsePythonMetadata(Buffer.from(md), "x")).toEqual([
      { name: "requests", version: "2.32.3", ecosystem: "PyPI", path: "x", licenses: ["Apache-2.0"] },
    ]);
    const cl =
      "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n";
    expect(parsePythonMetadata(Buffer.from(cl), "y")[0]!.licenses).toEqual(["MIT License"]);
    expect(() => parsePythonMetadata(Buffer.from("Metadata-Version: 2.1\n"), "z")).toThrow(/no Name/);
  });

  it.skipIf(!has("python3"))(
    "finds the same distributions as importlib.metadata in a real site-packages",
    async () => {
      const site = execFileSync(
        "python3",
        ["-c", "import sysconfig;print(sysconfig.get_paths()['purelib'])"],
        { encoding: "utf8" },
      ).trim();
      const oracle = JSON.parse(
        execFileSync(
          "python3",
          [
            "-c",
            `import json,importlib.metadata as m;print(json.dumps(sorted({(d.metadata['Name'],d.version) for d in m.distributions(path=[${JSON.stringify(site)}])})))`,
          ],
          { encoding: "utf8" },
        ),
      ) as [string, string][];
      expect(oracle.length).toBeGreaterThan(0);
      const inv = await inventoryRootfs(site);
      const got = [
        ...new Set(
          inv.packages.filter((p) => p.ecosystem === "PyPI").map((p) => JSON.stringify([p.name, p.version])),
        ),
      ]
        .map((s) => JSON.parse(s) as [string, string])
        .sort();
      expect(got).toEqual(oracle);
    },
  );
});

describe("Ruby gems", () => {
  it("reads a RubyGems-written specification without evaluating Ruby", () => {
    const spec = `# -*- encoding: utf-8 -*-
# stub: rack 3.0.8 ruby lib

Gem::Specification.new do |s|
  s.name = "rack".freeze
  s.version = "3.0.8".freeze

  s.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if s.respond_to? :required_rubygems_version=
  s.authors = ["Leah Neukirchen".freeze]
  s.licenses = ["MIT".freeze]
  s.summary = "A modular Ruby webserver interface".freeze
end
`;
    expect(
      parseGemspec(Buffer.from(spec), "usr/lib/ruby/gems/3.1.0/specifications/rack-3.0.8.gemspec"),
    ).toEqual([
      {
        name: "rack",
        version: "3.0.8",
        ecosystem: "RubyGems",
        path: "usr/lib/ruby/gems/3.1.0/specifications/rack-3.0.8.gemspec",
        licenses: ["MIT"],
      },
    ]);
    expect(() => parseGemspec(Buffer.from("Gem::Specification.new do |s|\nend\n"), "bad.gemspec")).toThrow(
      /no name/,
    );
  });
});

describe("npm installed packages", () => {
  it("reads name, version and license forms", () => {
    expect(
      parseInstalledPackageJson(
        Buffer.from('{"name":"left-pad","version":"1.3.0","license":"WTFPL"}'),
        "p",
      )[0]!.licenses,
    ).toEqual(["WTFPL"]);
    expect(
      parseInstalledPackageJson(
        Buffer.from('{"name":"x","version":"1.0.0","licenses":[{"type":"MIT"}]}'),
        "p",
      )[0]!.licenses,
    ).toEqual(["MIT"]);
    expect(parseInstalledPackageJson(Buffer.from('{"private":true}'), "p")).toEqual([]);
    expect(() => parseInstalledPackageJson(Buffer.from("{oops"), "node_modules/x/package.json")).toThrow(
      /invalid JSON/,
    );
  });
});

describe("image-level rules (apk)", () => {
  it("does not report Python packages apk installed", async () => {
    const installed =
      "P:py3-six\nV:1.16.0-r9\nA:x86_64\no:py3-six\nF:usr/lib/python3.12/site-packages/six-1.16.0.dist-info\nR:METADATA\nR:RECORD\n\n";
    const img = await buildImage({
      layers: [
        [
          { name: "etc/alpine-release", data: "3.21.0\n" },
          { name: "lib/apk/db/installed", data: installed },
          {
            name: "usr/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA",
            data: "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n",
          },
          {
            name: "app/venv/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA",
            data: "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n",
          },
        ],
      ],
    });
    const dir = tmp();
    writeOciLayout(dir, { t: img });
    const inv = await inventoryImage(`oci:${dir}:t`);
    expect(inv.packages.map((p) => [p.ecosystem, p.name, p.purl])).toEqual([
      ["Alpine", "py3-six", "pkg:apk/alpine/py3-six@1.16.0-r9?arch=x86_64&distro=3.21.0"],
      ["PyPI", "six", "pkg:pypi/six@1.16.0"],
    ]);
    expect(inv.packages[1]!.path).toBe("app/venv/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA");
  });
});

describe("image-level rules", () => {
  it("does not report language packages the OS package manager installed, nor lockfile entries node_modules already shows", async () => {
    const img = await buildImage({
      layers: [
        [
          { name: "etc/os-release", data: DEBIAN_OS_RELEASE },
          {
            name: "var/lib/dpkg/status",
            data: dpkgStatus([{ name: "python3-six", version: "1.16.0-4", source: "six" }]),
          },
          {
            name: "var/lib/dpkg/info/python3-six.list",
            data: "/.\n/usr\n/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\n",
          },
          {
            name: "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
            data: "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n",
          },
          {
            name: "usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
            data: "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n",
          },
          {
            name: "app/package-lock.json",
            data: JSON.stringify({
              lockfileVersion: 3,
              packages: { "": {}, "node_modules/ms": { version: "2.1.3" } },
            }),
          },
          {
            name: "app/node_modules/ms/package.json",
            data: JSON.stringify({ name: "ms", version: "2.1.3", license: "MIT" }),
          },
          {
            name: "other/package-lock.json",
            data: JSON.stringify({
              lockfileVersion: 3,
              packages: { "": {}, "node_modules/debug": { version: "4.3.4" } },
            }),
          },
          { name: "app/node_modules/bad/package.json", data: "{not json" },
        ],
      ],
    });
    const dir = tmp();
    writeOciLayout(dir, { t: img });
    const inv = await inventoryImage(`oci:${dir}:t`);
    expect(inv.packages.map((p) => [p.ecosystem, p.name, p.path])).toEqual([
      ["Debian", "python3-six", "var/lib/dpkg/status"],
      ["PyPI", "requests", "usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA"],
      ["npm", "debug", "other/package-lock.json"],
      ["npm", "ms", "app/node_modules/ms/package.json"],
    ]);
    expect(inv.errors.map((e) => [e.file, e.code])).toEqual([
      ["app/node_modules/bad/package.json", "parse-error"],
    ]);
    expect(inv.packages.find((p) => p.name === "requests")?.purl).toBe("pkg:pypi/requests@2.31.0");
  });
});

describe("Debian copyright files", () => {
  it("takes DEP-5 License short names (split on or/and, SPDX where Debian's name means the same)", () => {
    const dep5 = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: example

Files: *
Copyright: 2020 Someone
License: GPL-2+ or Artistic

Files: lib/*
Copyright: 2021 Other
License: BSD-3-clause

License: GPL-2+
 This program is free software...
`;
    expect(parseDebianCopyright(dep5)).toEqual(["GPL-2.0-or-later", "Artistic", "BSD-3-Clause"]);
  });

  it("falls back to the common-licenses files an old-style copyright refers to", () => {
    const old =
      "This is Debian's prepackaged version.\nOn Debian systems, the complete text of the GNU Lesser General Public License\ncan be found in /usr/share/common-licenses/LGPL-2.1.\n";
    expect(parseDebianCopyright(old)).toEqual(["LGPL-2.1-only"]);
  });
});
