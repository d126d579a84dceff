// `scan fs` runs the Dockerfile checks of the image layer on every Dockerfile of the tree, in the same
// report as the vulnerabilities of its lockfiles, through the real CLI and a real database.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Finding, Report } from "../../src/core/model.js";
import { runInProcess as run } from "../cli/helpers.js";
import { SHARED } from "./helpers.js";

/** A Dockerfile with one of each problem the Dockerfile checks look for; comments give the line. */
const BAD_DOCKERFILE = [
  "FROM python", // 1: unpinned base image
  "ARG GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", // 2: secret in ARG
  "ENV DB_PASSWORD=supersecret", // 3: secret in ENV
  "RUN apt-get update && apt-get install -y curl", // 4: apt lists kept, recommends installed
  "RUN curl -fsSL https://get.example.invalid/install.sh | sh", // 5: curl | sh
  "RUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*", // 6: apt-get upgrade
  "COPY requirements.txt /app/", // 7
  "USER root", // 8: root
].join("\n");

const CLEAN_DOCKERFILE = [
  "FROM python:3.12.7-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000",
  "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \\",
  "    && rm -rf /var/lib/apt/lists/*",
  "COPY requirements.txt /app/",
  "USER 10001",
].join("\n");

let dir: string;
let db: string;
let tree: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kw-fs-df-"));
  db = join(dir, "db");
  tree = join(dir, "tree");
  mkdirSync(join(tree, "app"), { recursive: true });
  mkdirSync(join(tree, "docs"), { recursive: true });
  writeFileSync(join(tree, "app/requirements.txt"), "bottle==0.12.10\n");
  writeFileSync(join(tree, "app/Dockerfile"), BAD_DOCKERFILE);
  writeFileSync(join(tree, "Containerfile"), CLEAN_DOCKERFILE);
  writeFileSync(join(tree, "app/prod.Dockerfile"), CLEAN_DOCKERFILE);
  // Broken: a typo the build refuses, then a valid FROM so the checks still run on the rest.
  writeFileSync(join(tree, "docs/Dockerfile.broken"), "FORM debian:12\nFROM debian:12.7\nUSER 1000\n");
  writeFileSync(join(tree, "docs/Dockerfile.bin"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
  // A FIFO would block a reader forever; a huge file is not read for the checks.
  execFileSync("mkfifo", [join(tree, "docs/Dockerfile.fifo")]);
  writeFileSync(join(tree, "docs/Dockerfile.huge"), `FROM debian:12\n${"# padding\n".repeat(200_000)}`);
  // The ignore file BuildKit pairs with a Dockerfile is no Dockerfile.
  writeFileSync(join(tree, "app/Dockerfile.dockerignore"), "node_modules\n*.pyc\n");
  const r = await run(["db", "import", "--db", db, join(SHARED, "vulndb/osv/PyPI.zip")]);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

async function scanFs(
  extra: string[],
  name: string,
): Promise<{ code: number; report: Report; stderr: string }> {
  const out = join(dir, `${name}.json`);
  const r = await run(["scan", "fs", tree, "--db", db, "--format", "json", "-o", out, ...extra]);
  expect(r.code, r.stderr).not.toBe(2);
  return { code: r.code, stderr: r.stderr, report: JSON.parse(readFileSync(out, "utf8")) as Report };
}

const dockerfileFindings = (r: Report) =>
  r.findings
    .filter((f: Finding) => f.layer === "image")
    .map((f) => [f.location?.file, f.location?.line, f.checkId]);

describe("scan fs runs the Dockerfile checks", () => {
  it("reports Dockerfile problems with file and line next to the lockfile's vulnerabilities", async () => {
    const { report } = await scanFs([], "all");
    expect(report.scan.options).toMatchObject({ scanners: ["vuln", "dockerfile"] });
    expect(dockerfileFindings(report)).toEqual([
      ["app/Dockerfile", 1, "KW-DF-002"],
      ["app/Dockerfile", 2, "KW-DF-005"],
      ["app/Dockerfile", 3, "KW-DF-005"],
      ["app/Dockerfile", 4, "KW-DF-006"],
      ["app/Dockerfile", 4, "KW-DF-009"],
      ["app/Dockerfile", 5, "KW-DF-007"],
      ["app/Dockerfile", 6, "KW-DF-008"],
      ["app/Dockerfile", 8, "KW-DF-001"],
    ]);
    const vulns = report.findings.filter((f) => f.layer === "vulnerability");
    expect(vulns.map((f) => f.checkId)).toContain("CVE-2016-9964");
    expect(vulns.every((f) => f.location?.file === "app/requirements.txt")).toBe(true);
    // The clean Dockerfiles (Containerfile, *.Dockerfile) yield nothing, and the broken one's
    // understood instructions pass too.
    const files = new Set(report.findings.map((f) => f.location?.file));
    expect(files).toEqual(new Set(["app/Dockerfile", "app/requirements.txt"]));
    expect(report.summary.total).toBe(report.findings.length);
  });

  it("lists broken, binary, special and huge Dockerfiles in errors, naming them, and scans the rest", async () => {
    const { report } = await scanFs([], "errors");
    const errors = [...report.errors].sort((a, b) => (a.file ?? "").localeCompare(b.file ?? ""));
    expect(errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ["docs/Dockerfile.bin", undefined, "dockerfile-binary"],
      ["docs/Dockerfile.broken", 1, "dockerfile-parse"],
      ["docs/Dockerfile.fifo", undefined, "fs-not-regular"],
      ["docs/Dockerfile.huge", undefined, "fs-too-large"],
    ]);
    expect(errors[1]!.message).toContain('unknown instruction "FORM"');
  });

  it("--severity filters both kinds; --scanners picks one (dockerfile alone needs no database)", async () => {
    const critical = (await scanFs(["--severity", "critical", "--exit-code", "4"], "critical")).report;
    expect(critical.findings.length).toBeGreaterThan(0);
    expect(critical.findings.every((f) => f.severity === "critical")).toBe(true);
    expect(critical.findings.filter((f) => f.layer === "image").map((f) => f.checkId)).toEqual([
      "KW-DF-005",
      "KW-DF-005",
    ]);

    const out = join(dir, "df-only.json");
    const only = await run([
      "scan",
      "fs",
      tree,
      "--scanners",
      "dockerfile",
      "--db",
      join(dir, "no-such-db"),
      "--format",
      "json",
      "-o",
      out,
    ]);
    expect(only.code, only.stderr).toBe(0);
    const dfReport = JSON.parse(readFileSync(out, "utf8")) as Report;
    expect(dfReport.findings.every((f) => f.layer === "image")).toBe(true);
    expect(dfReport.findings).toHaveLength(8);
    expect(dfReport.packages).toBeUndefined();

    const vulnOnly = (await scanFs(["--scanners", "vuln"], "vuln-only")).report;
    expect(vulnOnly.findings.every((f) => f.layer === "vulnerability")).toBe(true);
    expect(vulnOnly.errors).toEqual([]);
  });

  it("refuses an unknown scanner before scanning", async () => {
    const r = await run(["scan", "fs", tree, "--scanners", "vuln,secrets", "--db", db, "-f", "json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown scanner "secrets"');
  });

  it("an ignore file suppresses Dockerfile findings and vulnerabilities alike", async () => {
    const ignore = join(dir, "ignore.yaml");
    writeFileSync(
      ignore,
      [
        "ignores:",
        "  - id: KW-DF-005",
        "    path: app/Dockerfile",
        "    reason: build-time token, rotated",
        "  - id: CVE-2016-9964",
        "    reason: not reachable",
        "  - id: KW-DF-001",
        "    reason: expired acceptance",
        "    expires: 2020-01-01",
      ].join("\n"),
    );
    const { report } = await scanFs(["--ignore-file", ignore, "--include-suppressed"], "ignored");
    const suppressed = report.findings.filter((f) => f.suppressed).map((f) => f.checkId);
    expect(suppressed.sort()).toEqual(["CVE-2016-9964", "KW-DF-005", "KW-DF-005"]);
    expect(report.findings.find((f) => f.checkId === "KW-DF-001")?.suppressed).toBeUndefined();
    expect(report.errors.map((e) => e.code)).toContain("ignore-expired");
    const hidden = (await scanFs(["--ignore-file", ignore], "ignored-hidden")).report;
    expect(hidden.findings.some((f) => f.checkId === "KW-DF-005" || f.checkId === "CVE-2016-9964")).toBe(
      false,
    );
  });
});
