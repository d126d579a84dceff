import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RULE_FAMILIES } from "../../src/admission/rules/index.js";

describe("rule family registry", () => {
  it("lists exactly the family modules of src/admission/rules", () => {
    const dir = resolve(import.meta.dirname, "..", "..", "src", "admission", "rules");
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "types.ts")
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(Object.keys(RULE_FAMILIES).sort()).toEqual(files);
    for (const [k, f] of Object.entries(RULE_FAMILIES)) expect(f.name).toBe(k);
  });
});
