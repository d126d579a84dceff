import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Package } from "../../src/core/model.js";
import { DbError, VulnDb } from "../../src/vulns/db/store.js";
import { importPath } from "../../src/vulns/importers/index.js";
import { matchPackages, type VulnerabilityInfo } from "../../src/vulns/match/matcher.js";

const NOW = new Date("2026-11-27T00:00:00Z");

/** One OSV record in each ecosystem's real naming, with a fix at `fixed`. */
function rec(
  id: string,
  ecosystem: string,
  name: string,
  fixed: string,
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    modified: "2026-01-01T00:00:00Z",
    aliases: [],
    affected: [
      {
        package: { ecosystem, name },
        ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }],
      },
    ],
    ...extra,
  };
}

const RECORDS = [
  rec("GHSA-npm1-xxxx-xxxx", "npm", "@babel/traverse", "7.23.2", { aliases: ["CVE-2023-45133"] }),
  rec("GHSA-mvn1-xxxx-xxxx", "Maven", "org.apache.logging.log4j:log4j-core", "2.15.0", {
    aliases: ["CVE-2021-44228"],
    severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H" }],
  }),
  rec("RUSTSEC-2021-0001", "crates.io", "smallvec", "1.6.1"),
  rec("GHSA-gem1-xxxx-xxxx", "RubyGems", "nokogiri", "1.13.10.rc1"),
  rec("GHSA-nuget-xxxx-xxxx", "NuGet", "Newtonsoft.Json", "13.0.1"),
  rec("GHSA-php1-xxxx-xxxx", "Packagist", "guzzlehttp/guzzle", "7.4.5"),
  rec("PYSEC-2099-1", "PyPI", "Jinja2", "2.11.3", { aliases: ["GHSA-pyth-xxxx-xxxx"] }),
  rec("GHSA-pyth-xxxx-xxxx", "PyPI", "jinja2", "2.11.3", {
    aliases: ["PYSEC-2099-1"],
    database_specific: { severity: "HIGH" },
  }),
  rec("UBUNTU-CVE-2099-2", "Ubuntu:22.04:LTS", "openssl", "3.0.2-0ubuntu1.15", {
    aliases: ["CVE-2099-2"],
    severity: [{ type: "Ubuntu", score: "low" }],
  }),
  rec("ALPINE-CVE-2099-3", "Alpine:v3.20", "openssl", "3.3.2-r0", { aliases: ["CVE-2099-3"] }),
  rec("RHSA-2099:0001", "Red Hat:enterprise_linux:9::baseos", "openssl", "1:3.0.7-25.el9", {
    aliases: ["CVE-2099-4"],
  }),
  rec("GHSA-wdrn-xxxx-xxxx", "npm", "lodash", "4.17.21", { withdrawn: "2026-02-01T00:00:00Z" }),
  {
    ...rec("GHSA-last-xxxx-xxxx", "npm", "minimist", "0"),
    affected: [
      {
        package: { ecosystem: "npm", name: "minimist" },
        ranges: [{ type: "SEMVER", events: [{ introduced: "1.0.0" }, { last_affected: "1.2.5" }] }],
      },
    ],
  },
];

let db: VulnDb;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "kw-match-"));
  mkdirSync(join(dir, "recs"));
  for (const [i, r] of RECORDS.entries()) writeFileSync(join(dir, "recs", `${i}.json`), JSON.stringify(r));
  db = VulnDb.open(join(dir, "db"), { create: true });
  const r = await importPath(db, join(dir, "recs"), { now: NOW });
  expect(r.errors).toEqual([]);
});

const pk = (ecosystem: string, name: string, version: string, more: Partial<Package> = {}): Package => ({
  ecosystem,
  name,
  version,
  ...more,
});
const ids = (pkgs: Package[], os?: { family: string; version: string }) =>
  matchPackages(db, pkgs, os).map(
    (f) =>
      `${f.checkId} ${(f.vulnerability as VulnerabilityInfo).package.name}@${(f.vulnerability as VulnerabilityInfo).package.version}`,
  );

describe("matching across ecosystems", () => {
  it("language ecosystems, each with its own names and version order", () => {
    expect(ids([pk("npm", "@babel/traverse", "7.23.1"), pk("npm", "@babel/traverse", "7.23.2")])).toEqual([
      "CVE-2023-45133 @babel/traverse@7.23.1",
    ]);
    expect(
      ids([
        pk("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"),
        pk("Maven", "org.apache.logging.log4j:log4j-core", "2.15.0"),
      ]),
    ).toEqual(["CVE-2021-44228 org.apache.logging.log4j:log4j-core@2.14.1"]);
    expect(ids([pk("crates.io", "smallvec", "1.6.0"), pk("crates.io", "smallvec", "1.6.1")])).toEqual([
      "RUSTSEC-2021-0001 smallvec@1.6.0",
    ]);
    // RubyGems: a pre-release of the fix is newer than 1.13.9 and older than 1.13.10.
    expect(ids([pk("RubyGems", "nokogiri", "1.13.9"), pk("RubyGems", "nokogiri", "1.13.10")])).toEqual([
      "GHSA-gem1-xxxx-xxxx nokogiri@1.13.9",
    ]);
    // NuGet ids are case-insensitive.
    expect(ids([pk("NuGet", "newtonsoft.json", "12.0.3")])).toEqual([
      "GHSA-nuget-xxxx-xxxx newtonsoft.json@12.0.3",
    ]);
    expect(
      ids([pk("Packagist", "guzzlehttp/guzzle", "7.4.4"), pk("Packagist", "guzzlehttp/guzzle", "7.4.5")]),
    ).toEqual(["GHSA-php1-xxxx-xxxx guzzlehttp/guzzle@7.4.4"]);
  });

  it("PyPI names are PEP 503-normalised and alias records merge into one finding", () => {
    const f = matchPackages(db, [pk("PyPI", "Jinja2", "2.10")], undefined);
    expect(f).toHaveLength(1);
    const v = f[0]!.vulnerability as VulnerabilityInfo;
    expect(f[0]!.checkId).toBe("GHSA-pyth-xxxx-xxxx");
    expect(v.sources).toEqual(["GHSA-pyth-xxxx-xxxx", "PYSEC-2099-1"]);
    expect(v.aliases).toEqual(["PYSEC-2099-1"]);
    expect(f[0]!.severity).toBe("high");
    expect(ids([pk("PyPI", "jinja_2", "2.10")])).toEqual([]); // a different project, not a spelling of jinja2
  });

  it("CVSS gives the severity of language packages", () => {
    const f = matchPackages(
      db,
      [pk("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1")],
      undefined,
    )[0]!;
    expect(f.severity).toBe("critical");
    expect((f.vulnerability as VulnerabilityInfo).cvss).toEqual({
      version: "3.1",
      vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
      score: 10,
    });
  });

  it("OS packages by distribution release and source package", () => {
    const ubuntu = { family: "ubuntu", version: "22.04" };
    const f = matchPackages(
      db,
      [
        pk("Ubuntu", "libssl3", "3.0.2-0ubuntu1.10", {
          sourceName: "openssl",
          sourceVersion: "3.0.2-0ubuntu1.10",
        }),
      ],
      ubuntu,
    );
    expect(f.map((x) => [x.checkId, x.severity])).toEqual([["CVE-2099-2", "low"]]);
    expect(
      ids([pk("Ubuntu", "libssl3", "3.0.2-0ubuntu1.10", { sourceName: "openssl" })], {
        family: "ubuntu",
        version: "20.04",
      }),
    ).toEqual([]);
    expect(
      ids([pk("Alpine", "libcrypto3", "3.3.1-r0", { sourceName: "openssl" })], {
        family: "alpine",
        version: "3.20.1",
      }),
    ).toEqual(["CVE-2099-3 libcrypto3@3.3.1-r0"]);
    const rhel = { family: "rhel", version: "9.4" };
    expect(ids([pk("Red Hat", "openssl-libs", "1:3.0.7-24.el9", { sourceName: "openssl" })], rhel)).toEqual([
      "CVE-2099-4 openssl-libs@1:3.0.7-24.el9",
    ]);
    expect(ids([pk("Red Hat", "openssl-libs", "1:3.0.7-25.el9", { sourceName: "openssl" })], rhel)).toEqual(
      [],
    );
    expect(
      ids([pk("Red Hat", "openssl-libs", "1:3.0.7-24.el8", { sourceName: "openssl" })], {
        family: "rhel",
        version: "8.9",
      }),
    ).toEqual([]);
  });

  it("OS packages without a known release are reported once, not guessed", () => {
    const errors: Array<{ code?: string }> = [];
    const pkgs = [
      pk("Ubuntu", "libssl3", "3.0.2-0ubuntu1.10", { sourceName: "openssl" }),
      pk("Ubuntu", "openssl", "3.0.2-0ubuntu1.10"),
    ];
    expect(matchPackages(db, pkgs, undefined, { errors: errors as never[] })).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(["os-release-unknown"]);
  });

  it("withdrawn records never match; last_affected is inclusive", () => {
    expect(ids([pk("npm", "lodash", "4.17.20")])).toEqual([]);
    expect(ids([pk("npm", "minimist", "1.2.5"), pk("npm", "minimist", "1.2.6")])).toEqual([
      "GHSA-last-xxxx-xxxx minimist@1.2.5",
    ]);
  });

  it("a version the scheme cannot read is reported, not guessed", () => {
    const errors: Array<{ code?: string }> = [];
    expect(
      matchPackages(
        db,
        [pk("npm", "@babel/traverse", "not-a-version", { path: "package-lock.json" })],
        undefined,
        { errors: errors as never[] },
      ),
    ).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(["version-unparseable"]);
  });

  it("refuses a database written by a newer kubeward", () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-schema-"));
    const p = join(dir, "db");
    const s = VulnDb.open(p, { create: true });
    s.db.pragma("user_version = 99");
    s.close();
    expect(() => VulnDb.open(p, { readonly: true })).toThrow(expect.objectContaining({ code: "db-schema" }));
    expect(DbError).toBeDefined();
  });
});
