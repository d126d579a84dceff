import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_CHECKS } from "../../../src/config/checks/index.js";

const DOC = resolve(import.meta.dirname, "../../../docs/checks.md");

/** Rows of the check table: | id | severity | title | CIS | NSA |. */
function tableRows(md: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of md.split("\n")) {
    const m = /^\|\s*(KW-[A-Z]+-\d+)\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    rows.set(
      m[1]!,
      m[2]!.split("|").map((c) => c.trim()),
    );
  }
  return rows;
}

const list = (xs: string[] | undefined) => (xs && xs.length > 0 ? xs.join(", ") : "—");

describe("docs/checks.md", () => {
  const rows = tableRows(readFileSync(DOC, "utf8"));

  it("lists every registered check, and nothing else", () => {
    expect([...rows.keys()].sort()).toEqual(CONFIG_CHECKS.map((c) => c.id).sort());
  });

  it("shows each check's severity, title and framework mapping as registered", () => {
    for (const c of CONFIG_CHECKS) {
      expect(rows.get(c.id), c.id).toEqual([
        c.severity,
        c.title,
        list(c.frameworks.cis),
        list(c.frameworks.nsa),
      ]);
    }
  });
});
