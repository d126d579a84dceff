import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CatalogContext, Cataloger } from "../../src/core/cataloger.js";
import { FS_CATALOGERS, LOCKFILE_CATALOGERS } from "../../src/vulns/lockfiles/index.js";
import type { LockPackage } from "../../src/vulns/lockfiles/util.js";
import { REPO, SHARED } from "./helpers.js";

const SBOM = join(SHARED, "conformance/sbom");
interface Case {
  fixture: string;
  format: string;
  test: string;
  count: number;
  packages: Array<{ name: string; version: string; commit?: string }>;
}
const cases = (JSON.parse(readFileSync(join(SBOM, "expectations.json"), "utf8")) as { cases: Case[] }).cases;

function run(c: Cataloger, path: string, data: Buffer): { pkgs: LockPackage[]; ctx: CatalogContext } {
  const ctx: CatalogContext = { errors: [] };
  return { pkgs: c.catalog({ path, data }, ctx) as LockPackage[], ctx };
}

/** Fixtures are named after upstream's test data; map each to the lockfile name our catalogers expect. */
const AS: Record<string, string> = {
  "yarn.lock": "yarn.lock",
  "pnpm-lock.yaml": "pnpm-lock.yaml",
  "npm package-lock.json": "package-lock.json",
};

describe("lockfile catalogers on the upstream conformance fixtures", () => {
  const jsCases = cases.filter((c) => c.format in AS);
  it.each(jsCases.map((c) => [c.fixture, c] as const))("%s", (_f, c) => {
    const as = AS[c.format]!;
    const cat = FS_CATALOGERS.find((x) => x.wants(`app/${as}`, 1000, 0o644))!;
    expect(cat).toBeDefined();
    const { pkgs, ctx } = run(cat, `app/${as}`, readFileSync(join(SBOM, c.fixture)));
    expect(ctx.errors).toEqual([]);
    const key = (p: { name: string; version: string; commit?: string }) =>
      `${p.name}@${p.version}#${p.commit ?? ""}`;
    expect(pkgs.map(key).sort()).toEqual(c.packages.map(key).sort());
    expect(pkgs.length).toBe(c.count);
    for (const p of pkgs) expect(p.ecosystem).toBe("npm");
  });
});

describe("other lockfiles (hand-written in each tool's real format)", () => {
  const cat = (id: string) => LOCKFILE_CATALOGERS.get(id)!;
  const names = (pkgs: LockPackage[]) => pkgs.map((p) => `${p.ecosystem}:${p.name}@${p.version}`).sort();

  it("requirements.txt keeps pinned requirements only", () => {
    const text =
      "# comment\nDjango==4.2.1\nrequests[socks] == 2.31.0 ; python_version >= '3.8'\nflask>=2.0\n-r other.txt\nurllib3===1.26.5 \\\n    --hash=sha256:abc\n";
    expect(names(run(cat("python-requirements"), "requirements-dev.txt", Buffer.from(text)).pkgs)).toEqual([
      "PyPI:Django@4.2.1",
      "PyPI:requests@2.31.0",
      "PyPI:urllib3@1.26.5",
    ]);
  });

  it("poetry.lock and Cargo.lock [[package]] tables", () => {
    const poetry =
      '[[package]]\nname = "jinja2"\nversion = "3.1.2"\ncategory = "main"\n\n[package.dependencies]\nMarkupSafe = ">=2.0"\n\n[[package]]\nname = "pytest"\nversion = "7.4.0"\ncategory = "dev"\n\n[metadata]\nlock-version = "1.1"\n';
    const p = run(cat("poetry-lock"), "poetry.lock", Buffer.from(poetry)).pkgs;
    expect(names(p)).toEqual(["PyPI:jinja2@3.1.2", "PyPI:pytest@7.4.0"]);
    expect(p.find((x) => x.name === "pytest")!.dev).toBe(true);
    const cargo =
      'version = 3\n\n[[package]]\nname = "smallvec"\nversion = "1.6.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = [\n "smallvec",\n]\n';
    expect(names(run(cat("cargo-lock"), "Cargo.lock", Buffer.from(cargo)).pkgs)).toEqual([
      "crates.io:app@0.1.0",
      "crates.io:smallvec@1.6.0",
    ]);
  });

  it("Pipfile.lock, composer.lock", () => {
    const pip = JSON.stringify({
      _meta: {},
      default: { requests: { version: "==2.31.0" }, local: { path: "." } },
      develop: { black: { version: "==23.1.0" } },
    });
    expect(names(run(cat("pipfile-lock"), "Pipfile.lock", Buffer.from(pip)).pkgs)).toEqual([
      "PyPI:black@23.1.0",
      "PyPI:requests@2.31.0",
    ]);
    const composer = JSON.stringify({
      packages: [{ name: "guzzlehttp/guzzle", version: "7.4.1" }],
      "packages-dev": [{ name: "phpunit/phpunit", version: "v9.5.0" }],
    });
    expect(names(run(cat("composer-lock"), "composer.lock", Buffer.from(composer)).pkgs)).toEqual([
      "Packagist:guzzlehttp/guzzle@7.4.1",
      "Packagist:phpunit/phpunit@9.5.0",
    ]);
  });

  it("go.mod with require blocks and replace directives", () => {
    const mod =
      "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/net v0.7.0\n\tgithub.com/gin-gonic/gin v1.9.0 // indirect\n\texample.com/local v1.0.0\n)\n\nrequire golang.org/x/text v0.3.7\n\nreplace golang.org/x/text => golang.org/x/text v0.3.8\nreplace example.com/local => ../local\n";
    expect(names(run(cat("go-mod"), "go.mod", Buffer.from(mod)).pkgs)).toEqual([
      "Go:github.com/gin-gonic/gin@v1.9.0",
      "Go:golang.org/x/net@v0.7.0",
      "Go:golang.org/x/text@v0.3.8",
    ]);
  });

  it("Gemfile.lock GEM specs without platform suffixes", () => {
    const gem =
      "GEM\n  remote: https://rubygems.org/\n  specs:\n    actionpack (7.0.4)\n      rack (~> 2.0)\n    nokogiri (1.13.10-x86_64-linux)\n    rack (2.2.4)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  actionpack\n";
    expect(names(run(cat("gemfile-lock"), "Gemfile.lock", Buffer.from(gem)).pkgs)).toEqual([
      "RubyGems:actionpack@7.0.4",
      "RubyGems:nokogiri@1.13.10",
      "RubyGems:rack@2.2.4",
    ]);
  });

  it("gradle.lockfile and pom.xml with explicit and property versions", () => {
    const gradle =
      "# This is a Gradle generated file\norg.springframework:spring-core:5.3.20=compileClasspath,runtimeClasspath\ncom.google.guava:guava:31.1-jre=runtimeClasspath\nempty=annotationProcessor\n";
    expect(names(run(cat("gradle-lockfile"), "gradle.lockfile", Buffer.from(gradle)).pkgs)).toEqual([
      "Maven:com.google.guava:guava@31.1-jre",
      "Maven:org.springframework:spring-core@5.3.20",
    ]);
    const pom = `<project><groupId>g</groupId><artifactId>a</artifactId><version>1.0</version>
      <properties><log4j.version>2.14.1</log4j.version></properties>
      <dependencies>
        <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>\${log4j.version}</version></dependency>
        <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.12</version><scope>test</scope></dependency>
        <dependency><groupId>x</groupId><artifactId>managed</artifactId></dependency>
        <dependency><groupId>y</groupId><artifactId>unknown-prop</artifactId><version>\${nope}</version></dependency>
      </dependencies></project>`;
    expect(names(run(cat("pom-xml"), "pom.xml", Buffer.from(pom)).pkgs)).toEqual([
      "Maven:junit:junit@4.12",
      "Maven:org.apache.logging.log4j:log4j-core@2.14.1",
    ]);
  });

  it("installed Python metadata; missing fields are a coded error", () => {
    const meta = "Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n\nName: not-this\n";
    expect(
      names(
        run(
          cat("python-installed"),
          "lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA",
          Buffer.from(meta),
        ).pkgs,
      ),
    ).toEqual(["PyPI:Jinja2@2.10"]);
    const bad = run(cat("python-installed"), "x.dist-info/METADATA", Buffer.from("Metadata-Version: 2.1\n"));
    expect(bad.pkgs).toEqual([]);
    expect(bad.ctx.errors.map((e) => e.code)).toEqual(["python-metadata"]);
  });

  it("malformed JSON and YAML lockfiles throw coded errors", () => {
    expect(() => run(cat("pipfile-lock"), "Pipfile.lock", Buffer.from("{oops"))).toThrow(
      expect.objectContaining({ code: "lockfile-parse" }),
    );
    expect(() => run(cat("pnpm-lock"), "pnpm-lock.yaml", Buffer.from("a: [unclosed"))).toThrow(
      expect.objectContaining({ code: "lockfile-parse" }),
    );
  });

  it("every cataloger file in src/vulns/lockfiles is registered", () => {
    const files = readdirSync(join(REPO, "src/vulns/lockfiles")).filter(
      (f) => !["index.ts", "util.ts", "commit.ts"].includes(f),
    );
    expect(files.length).toBe(LOCKFILE_CATALOGERS.size);
  });
});
