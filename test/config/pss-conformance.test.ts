// Conformance with upstream Pod Security Admission: every fixture of upstream's test/testdata
// (../shared/conformance/pod-security) evaluated at its level and version. Pass fixtures must be
// allowed, fail fixtures denied, and a fail fixture named after a check must be denied by that check
// (or, under restricted, by the restricted check that replaces it at that version).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  checksAt,
  evaluatePss,
  PSS_CHECK_DEFS,
  PSS_CHECK_IDS,
  type PssCheckId,
  type PssLevel,
  parsePssVersion,
} from "../../src/config/pss/index.js";

// The repository's parent holds shared/: ../shared from the repo root, found from this file.
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ROOT = resolve(REPO, "../shared/conformance/pod-security/testdata");

interface Fixture {
  level: PssLevel;
  version: string;
  expect: "pass" | "fail";
  file: string;
  pod: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
}

function loadFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const level of ["baseline", "restricted"] as const) {
    for (const version of readdirSync(join(ROOT, level))) {
      for (const expect of ["pass", "fail"] as const) {
        const dir = join(ROOT, level, version, expect);
        for (const file of readdirSync(dir).sort()) {
          if (!file.endsWith(".yaml")) continue;
          const doc = parse(readFileSync(join(dir, file), "utf8")) as Fixture["pod"];
          out.push({ level, version, expect, file, pod: doc });
        }
      }
    }
  }
  return out;
}

/** The check a fixture file name names ("<checkid lowercased><n>.yaml"), if any. */
const BY_LOWER = new Map(PSS_CHECK_IDS.map((id) => [id.toLowerCase(), id]));
function namedCheck(file: string): PssCheckId | undefined {
  return BY_LOWER.get(file.replace(/\d+\.yaml$/, ""));
}

/** The check expected to deny a fixture named after `id`: itself, or the restricted check overriding it. */
function expectedDenier(id: PssCheckId, level: PssLevel, version: string): PssCheckId {
  const minor = parsePssVersion(version).minor;
  const active = checksAt(level, minor).map((c) => c.def.id);
  if (active.includes(id)) return id;
  const over = PSS_CHECK_DEFS.find((d) => d.overrides?.includes(id) && active.includes(d.id));
  if (!over) throw new Error(`fixture names ${id}, which is not in force at ${level} ${version}`);
  return over.id;
}

describe("Pod Security Standards conformance (upstream fixtures)", () => {
  const fixtures = loadFixtures();

  it("finds all 4,537 upstream fixtures", () => {
    expect(fixtures.length).toBe(4537);
    expect(fixtures.filter((f) => f.level === "baseline" && f.expect === "pass").length).toBe(433);
    expect(fixtures.filter((f) => f.level === "baseline" && f.expect === "fail").length).toBe(1122);
    expect(fixtures.filter((f) => f.level === "restricted" && f.expect === "pass").length).toBe(618);
    expect(fixtures.filter((f) => f.level === "restricted" && f.expect === "fail").length).toBe(2364);
  });

  it("agrees with upstream on every fixture", () => {
    const disagreements: string[] = [];
    let named = 0;
    for (const f of fixtures) {
      const results = evaluatePss(f.pod, f.level, f.version);
      const where = `${f.level}/${f.version}/${f.expect}/${f.file}`;
      if (f.expect === "pass") {
        if (results.length > 0)
          disagreements.push(`${where}: denied by ${results.map((r) => r.check).join(", ")}`);
        continue;
      }
      if (results.length === 0) {
        disagreements.push(`${where}: allowed`);
        continue;
      }
      const id = namedCheck(f.file);
      if (id) {
        named++;
        const want = expectedDenier(id, f.level, f.version);
        if (!results.some((r) => r.check === want)) {
          disagreements.push(`${where}: expected ${want}, got ${results.map((r) => r.check).join(", ")}`);
        }
      }
      for (const r of results) {
        expect(r.violations.length, `${where} ${r.check} has violations`).toBeGreaterThan(0);
        expect(r.reason.length).toBeGreaterThan(0);
      }
    }
    const agree = fixtures.length - disagreements.length;
    console.log(
      `PSS conformance: ${agree}/${fixtures.length} fixtures agree; ${named} fail fixtures named their check`,
    );
    expect(disagreements).toEqual([]);
    expect(named).toBe(fixtures.filter((f) => f.expect === "fail").length);
  });
});
