import { createWriteStream, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Package } from "../../src/core/model.js";
import { VulnDb } from "../../src/vulns/db/store.js";
import { importPath } from "../../src/vulns/importers/index.js";
import { matchPackages, type VulnerabilityInfo } from "../../src/vulns/match/matcher.js";

const NOW = new Date("2026-11-27T00:00:00Z");

// The shapes of security-tracker.debian.org/tracker/data/json and secdb.alpinelinux.org/<rel>/main.json.
const TRACKER = {
  openssl: {
    "CVE-2024-0001": {
      description: "openssl: example flaw",
      scope: "remote",
      releases: {
        bookworm: {
          status: "resolved",
          repositories: { bookworm: "3.0.15-1~deb12u1" },
          fixed_version: "3.0.13-1~deb12u1",
          urgency: "medium",
        },
        bullseye: { status: "open", repositories: { bullseye: "1.1.1w-0+deb11u1" }, urgency: "low**" },
        sid: {
          status: "resolved",
          repositories: { sid: "3.3.2-1" },
          fixed_version: "3.1.5-1",
          urgency: "medium",
        },
      },
    },
    "CVE-2024-0002": {
      releases: { bookworm: { status: "resolved", fixed_version: "0", urgency: "unimportant" } },
    },
    "TEMP-0000000-ABCDEF": {
      releases: { bookworm: { status: "open", urgency: "unimportant", nodsa: "Minor issue" } },
    },
  },
  bash: {
    "CVE-2022-3715": {
      releases: { bookworm: { status: "resolved", fixed_version: "5.2.15-2", urgency: "low" } },
    },
  },
};

const SECDB = {
  apkurl: "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
  archs: ["x86_64", "aarch64"],
  reponame: "main",
  urlprefix: "https://dl-cdn.alpinelinux.org/alpine",
  distroversion: "v3.20",
  packages: [
    {
      pkg: {
        name: "openssl",
        secfixes: {
          "3.3.2-r0": ["CVE-2024-6119"],
          "3.1.4-r0": ["CVE-2023-5363 CVE-2023-5678"],
          "0": ["CVE-2022-0001"],
        },
      },
    },
    { pkg: { name: "busybox", secfixes: { "1.36.1-r29": ["CVE-2023-42363"] } } },
    { nopkg: true },
  ],
};

let dir: string;
let db: VulnDb;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-feeds-"));
  db = VulnDb.open(join(dir, "db"), { create: true });
});

const deb = (name: string, version: string, src = name): Package => ({
  name,
  version,
  ecosystem: "Debian",
  sourceName: src,
  sourceVersion: version,
});

describe("Debian Security Tracker JSON", () => {
  it("imports one record per issue and package, with per-release fix states and urgencies", async () => {
    const f = join(dir, "tracker.json");
    writeFileSync(f, JSON.stringify(TRACKER));
    const r = await importPath(db, f, { now: NOW });
    expect(r.kind).toBe("debian-tracker");
    expect(r.records).toBe(3); // CVE-2024-0002 is "fixed in 0": not affected
    const f12 = matchPackages(db, [deb("libssl3", "3.0.11-1~deb12u2", "openssl")], {
      family: "debian",
      version: "12",
    });
    const byId = Object.fromEntries(f12.map((x) => [x.checkId, x]));
    expect(Object.keys(byId).sort()).toEqual(["CVE-2024-0001", "TEMP-0000000-ABCDEF"]);
    expect(byId["CVE-2024-0001"]!.severity).toBe("medium");
    expect(byId["CVE-2024-0001"]!.vulnerability).toMatchObject({
      fixedVersion: "3.0.13-1~deb12u1",
      fixState: "fixed",
    });
    expect(byId["TEMP-0000000-ABCDEF"]!.vulnerability).toMatchObject({
      fixedVersion: null,
      fixState: "wont-fix",
    });
    expect(byId["TEMP-0000000-ABCDEF"]!.severity).toBe("low");
    const f11 = matchPackages(db, [deb("libssl1.1", "1.1.1w-0+deb11u1", "openssl")], {
      family: "debian",
      version: "11",
    });
    expect(f11.map((x) => [x.checkId, (x.vulnerability as VulnerabilityInfo).fixState, x.severity])).toEqual([
      ["CVE-2024-0001", "not-fixed", "low"],
    ]);
    expect(
      matchPackages(
        db,
        [deb("libssl1.1", "1.1.1w-0+deb11u1", "openssl")],
        { family: "debian", version: "11" },
        { ignoreUnfixed: true },
      ),
    ).toEqual([]);
    expect(
      matchPackages(db, [deb("libssl3", "3.0.13-1~deb12u1", "openssl")], {
        family: "debian",
        version: "12",
      }).map((x) => x.checkId),
    ).toEqual(["TEMP-0000000-ABCDEF"]);
  });

  it("reports a truncated feed with code json-stream and keeps what came before", async () => {
    const f = join(dir, "trunc.json");
    const text = JSON.stringify(TRACKER);
    writeFileSync(f, text.slice(0, text.indexOf('"bash"') + 20));
    const db2 = VulnDb.open(join(dir, "db-trunc"), { create: true });
    const r = await importPath(db2, f, { now: NOW, kind: "debian-tracker" });
    expect(r.records).toBe(2);
    expect(r.errors.map((e) => e.code)).toEqual(["json-stream"]);
  });

  it("streams a large feed in constant memory (40,000 packages, ~14 MB)", async () => {
    const f = join(dir, "big.json");
    await new Promise<void>((resolve) => {
      const out = createWriteStream(f);
      out.write("{");
      for (let i = 0; i < 40_000; i++) {
        const body = {
          [`CVE-2020-${10000 + i}`]: {
            description: "x".repeat(200),
            releases: { bookworm: { status: "resolved", fixed_version: `1.${i}-1`, urgency: "low" } },
          },
        };
        out.write(`${i ? "," : ""}"pkg${i}":${JSON.stringify(body)}`);
      }
      out.end("}", resolve);
    });
    const db3 = VulnDb.open(join(dir, "db-big"), { create: true });
    global.gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const r = await importPath(db3, f, {
      now: NOW,
      onProgress: () => {
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      },
    });
    expect(r.records).toBe(40_000);
    expect(r.errors).toEqual([]);
    // The whole file parsed at once would take well over 14 MB of heap, plus the records; a batch is ~2,000 records.
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });
});

describe("Alpine secdb JSON", () => {
  it("imports fixed versions per origin package and matches Alpine packages by origin", async () => {
    const f = join(dir, "main.json");
    writeFileSync(f, JSON.stringify(SECDB));
    const r = await importPath(db, f, { now: NOW });
    expect(r.kind).toBe("alpine-secdb");
    expect(r.records).toBe(4);
    expect(r.errors.map((e) => e.code)).toEqual(["record-invalid"]);
    const alpine = { family: "alpine", version: "3.20.3" };
    const pk = (name: string, version: string, origin: string): Package => ({
      name,
      version,
      ecosystem: "Alpine",
      sourceName: origin,
      sourceVersion: version,
    });
    const got = matchPackages(
      db,
      [pk("libcrypto3", "3.3.1-r0", "openssl"), pk("busybox", "1.36.1-r29", "busybox")],
      alpine,
    );
    expect(got.map((x) => [x.checkId, (x.vulnerability as VulnerabilityInfo).fixedVersion])).toEqual([
      ["CVE-2024-6119", "3.3.2-r0"],
    ]);
    const old = matchPackages(db, [pk("libssl3", "3.1.3-r0", "openssl")], alpine)
      .map((x) => x.checkId)
      .sort();
    expect(old).toEqual(["CVE-2023-5363", "CVE-2023-5678", "CVE-2024-6119"]);
    // Another Alpine release is not covered by the v3.20 secdb.
    expect(
      matchPackages(db, [pk("libssl3", "3.1.3-r0", "openssl")], { family: "alpine", version: "3.19.1" }),
    ).toEqual([]);
  });
});
