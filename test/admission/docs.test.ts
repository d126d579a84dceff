import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionEngine } from "../../src/admission/engine.js";
import { DEFAULT_CONFIG } from "../../src/admission/manifests.js";

const DOC = readFileSync(resolve(import.meta.dirname, "..", "..", "docs", "admission.md"), "utf8");

describe("docs/admission.md", () => {
  it("its configuration example is a valid AdmissionConfig that builds an engine", () => {
    const block = /## The configuration file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(DOC)?.[1];
    expect(block).toBeDefined();
    const config = parseAdmissionConfig(block!, "docs/admission.md");
    expect(config.checks.map((c) => c.ids)).toEqual([["KW-WL-001"], ["KW-WL-004"]]);
    expect(() => new AdmissionEngine(config)).not.toThrow();
  });

  it("the shipped default config (warn-first rollout) is valid and enforces nothing", () => {
    const config = parseAdmissionConfig(DEFAULT_CONFIG, "default");
    expect(config.podSecurity.defaults.enforce.level).toBe("privileged");
    expect(config.podSecurity.defaults.warn.level).toBe("restricted");
  });

  it("documents every bad-request code the server uses", () => {
    for (const code of [
      "review-not-json",
      "review-kind",
      "review-version",
      "review-no-request",
      "review-no-uid",
      "review-invalid",
      "body-too-large",
      "body-timeout",
    ])
      expect(DOC).toContain(code);
  });
});
