// Bad usage ends with exit code 2 and a reason on stderr's first line (report contract), before any
// scan runs and without printing a report or the whole help text.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, kubeward } from "./helpers.js";

let tmp: string;
beforeAll(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), "kw-usage-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function expectUsageError(args: string[], reason: string): void {
  const r = kubeward(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^kubeward: /);
  expect(lines[0]).toContain(reason);
  expect(r.stderr).not.toContain("Usage:");
}

describe("usage errors", () => {
  it.each([["abc"], ["256"], ["-1"], ["0x3"], ["1e1"], [""]])(
    "--exit-code %j is refused before the scan",
    (value) => {
      expectUsageError(
        ["scan", "manifests", "examples/", "-f", "json", "--exit-code", value],
        `argument '${value}' is invalid. expected a number 0-255`,
      );
    },
  );

  it("an unknown --severity is refused before the scan, naming it", () => {
    expectUsageError(
      ["scan", "manifests", "examples/", "-f", "json", "--severity", "high,bogus"],
      'unknown severity "bogus"',
    );
  });

  it("unknown options, commands, choices and missing arguments name the problem and point at --help", () => {
    expectUsageError(["scan", "manifests", "examples/", "--bogus"], "unknown option '--bogus'");
    expectUsageError(["scan", "imagez", "x"], "unknown command 'imagez'");
    expectUsageError(["scan", "manifests", "examples/", "-f", "xml"], "argument 'xml' is invalid");
    expectUsageError(["scan", "manifests"], "missing required argument 'targets'");
    const r = kubeward(["scan", "manifests"]);
    expect(r.stderr).toContain("(add --help for usage)");
  });

  it("-o into a missing directory exits 2 with the file named", () => {
    const file = join(tmp, "missing", "report.json");
    expectUsageError(
      ["scan", "manifests", "examples/", "-o", file],
      `cannot write "${file}": no such directory`,
    );
  });

  it("valid --exit-code values are used as given", () => {
    expect(kubeward(["scan", "manifests", "examples/", "-f", "json", "--exit-code", "7"]).code).toBe(7);
    expect(kubeward(["scan", "manifests", "examples/", "-f", "json", "--exit-code", "255"]).code).toBe(255);
    const none = kubeward([
      "scan",
      "manifests",
      "examples/",
      "-f",
      "json",
      "--exit-code",
      "7",
      "--severity",
      "info",
    ]);
    expect(none.code).toBe(7); // the example has one info finding
    const clean = kubeward([
      "scan",
      "manifests",
      "examples/shop/00-namespace.yaml",
      "-f",
      "json",
      "--exit-code",
      "7",
      "--severity",
      "critical",
    ]);
    expect(clean.code).toBe(0);
  });
});
