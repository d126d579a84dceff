// Hostile admission config files on disk: each is refused with config-invalid naming the file,
// never a bare parser message (an alias bomb used to surface as the yaml package's own words).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionError } from "../../src/admission/errors.js";

const HEAD = "apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\n";
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-admission-malformed-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Nine levels of ten aliases each: a billion-laughs document of a few hundred bytes. */
function aliasBomb(): string {
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 0; i < 9; i++) {
    const prev = i === 0 ? "a" : `l${i - 1}`;
    lines.push(`l${i}: &l${i} [${Array(10).fill(`*${prev}`).join(", ")}]`);
  }
  return `${lines.join("\n")}\n`;
}

describe("admission config files that are hostile", () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ["alias bomb", `${HEAD}${aliasBomb()}`, /not valid YAML: .*alias/i],
    ["deep nesting", `${HEAD}exemptions: ${"[".repeat(100_000)}\n`, /not valid YAML/],
    ["truncated", `${HEAD}podSecurity:\n  defaults: {enforce: "restr`, /not valid YAML/],
    ["binary", Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x02]), /cfg-binary\.yaml: /],
  ];
  it.each(cases)("%s: config-invalid naming the file", async (name, content, message) => {
    const file = join(dir, `cfg-${name.replace(/\W+/g, "-")}.yaml`);
    writeFileSync(file, content);
    const started = Date.now();
    const err = await loadAdmissionConfig(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(AdmissionError);
    expect((err as AdmissionError).code).toBe("config-invalid");
    expect((err as Error).message.startsWith(`${file}: `)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });
});
