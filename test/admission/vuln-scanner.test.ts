import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createImageVulnerabilityScanner } from "../../src/admission/vuln-scanner.js";
import { ImageError } from "../../src/images/errors.js";

describe("admission vulnerability scanner", () => {
  it("scans registry images only: a pod image naming a local path is never read on the webhook's host", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-vuln-scanner-"));
    const scanner = createImageVulnerabilityScanner({ dbPath: join(dir, "none.db") });
    for (const transport of ["rootfs", "oci", "docker-archive"]) {
      const err = await scanner.scan(`${transport}:${dir}`).then(
        () => undefined,
        (e: unknown) => e,
      );
      // Read as a registry reference whose registry is "<transport>:", which cannot be reached.
      expect(err, transport).toBeInstanceOf(ImageError);
      expect((err as ImageError).message, transport).toContain(`${transport}:`);
      expect((err as ImageError).message, transport).not.toMatch(/layout|no such file|not an? (docker|oci)/i);
    }
  }, 30_000);
});
