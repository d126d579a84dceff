// The shared SBOM fixtures (verbatim upstream test data from osv-scalibr and trivy) with the expected
// package lists transcribed from upstream's own tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CatalogContext } from "../../src/core/cataloger.js";
import { parseApkInstalled } from "../../src/images/catalogers/apk.js";
import { parseDpkgStatus } from "../../src/images/catalogers/dpkg.js";
import { parsePackageLock } from "../../src/images/catalogers/npm.js";
import { parsePnpmLock } from "../../src/images/catalogers/pnpm.js";
import { parseRpmDatabase } from "../../src/images/catalogers/rpm.js";
import { parseYarnLock } from "../../src/images/catalogers/yarn.js";
import { SHARED } from "./helpers/debian-image.js";

const ROOT = join(SHARED, "conformance", "sbom");

interface Expected {
  name: string;
  version: string;
  commit?: string;
  depGroups?: string[];
  dev?: boolean;
  status?: string;
  sourceName?: string;
  sourceVersion?: string;
  architecture?: string;
  arch?: string;
  origin?: string;
  srcName?: string;
  srcVersion?: string;
  license?: string;
  licenses?: string[];
  epoch?: number;
  sourceRPM?: string;
}

interface Case {
  fixture: string;
  format: string;
  test: string;
  order_sensitive: boolean;
  count: number;
  packages: Expected[];
  options?: { includeNotInstalled?: boolean };
}

const cases = (JSON.parse(readFileSync(join(ROOT, "expectations.json"), "utf8")) as { cases: Case[] }).cases;

type Got = Record<string, unknown> & { name: string; version: string };

function run(c: Case): Got[] {
  const data = readFileSync(join(ROOT, c.fixture));
  const ctx: CatalogContext = { errors: [] };
  // Upstream places the distroless fixture at var/lib/dpkg/status.d/foo.
  const path = c.fixture.includes("status.d/") ? "var/lib/dpkg/status.d/foo" : c.fixture;
  switch (c.format) {
    case "npm package-lock.json":
      return parsePackageLock(data, path) as unknown as Got[];
    case "yarn.lock":
      return parseYarnLock(data, path) as unknown as Got[];
    case "pnpm-lock.yaml":
      return parsePnpmLock(data, path) as unknown as Got[];
    case "dpkg status":
      return parseDpkgStatus(data.toString("utf8"), path, ctx, c.options ?? {}) as unknown as Got[];
    case "apk installed db":
      return parseApkInstalled(data.toString("utf8"), path, ctx) as unknown as Got[];
    default:
      if (c.format.startsWith("rpm database")) return parseRpmDatabase(data, path, ctx) as unknown as Got[];
      throw new Error(`no parser for ${c.format}`);
  }
}

/** What the test compares: the fields upstream asserts, in our names. */
function project(e: Expected): Record<string, unknown> {
  const out: Record<string, unknown> = { name: e.name, version: e.version };
  if (e.commit !== undefined) out.commit = e.commit;
  if (e.dev !== undefined) out.dev = e.dev;
  else if (e.depGroups !== undefined) out.dev = e.depGroups.includes("dev");
  if (e.status !== undefined) out.status = e.status;
  if (e.sourceName !== undefined) out.sourceName = e.sourceName;
  if (e.sourceVersion !== undefined) out.sourceVersion = e.sourceVersion;
  if (e.origin !== undefined) out.sourceName = e.origin;
  if (e.srcName !== undefined) out.sourceName = e.srcName;
  if (e.srcVersion !== undefined) out.sourceVersion = e.srcVersion;
  const arch = e.architecture ?? e.arch;
  if (arch !== undefined) out.arch = arch;
  if (e.license !== undefined) out.licenses = [e.license];
  if (e.epoch !== undefined) out.epoch = e.epoch;
  if (e.sourceRPM !== undefined) out.sourceRpm = e.sourceRPM;
  return out;
}

function pick(g: Got, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k === "dev") out.dev = g.dev === true;
    else if (k === "commit") out.commit = g.commit ?? "";
    else out[k] = g[k];
  }
  return out;
}

const key = (o: Record<string, unknown>) => JSON.stringify(o);

describe("shared SBOM fixtures", () => {
  for (const c of cases) {
    it(`${c.fixture} (${c.test.replace(/^\S+ /, "")})`, () => {
      const got = run(c);
      expect(got).toHaveLength(c.count);
      const want = c.packages.map(project);
      // Compared as multisets: trivy's order_sensitive lists are in its own sort (direct before indirect
      // dependencies), a relationship kubeward does not model; kubeward sorts packages by name and version.
      {
        const wantKeys = want.map((w) => key(w)).sort();
        const gotKeys = got
          .map((g) => {
            const w = want.find((x) => x.name === g.name && x.version === g.version) ?? want[0]!;
            return key(pick(g, Object.keys(w)));
          })
          .sort();
        expect(gotKeys).toEqual(wantKeys);
      }
    });
  }
});
