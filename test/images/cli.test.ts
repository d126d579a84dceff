import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { buildImage, DEBIAN_OS_RELEASE, dpkgStatus, writeOciLayout } from "./helpers/image-builder.js";

describe("kubeward scan image / sbom", () => {
  let ref: string;
  let out: string;
  beforeAll(async () => {
    const img = await buildImage({
      layers: [
        [
          { name: "etc/os-release", data: DEBIAN_OS_RELEASE },
          {
            name: "var/lib/dpkg/status",
            data: dpkgStatus([{ name: "libc6", version: "2.36-9+deb12u4", source: "glibc" }]),
          },
        ],
      ],
      config: { User: "", ExposedPorts: { "22/tcp": {} } },
    });
    const dir = mkdtempSync(join(tmpdir(), "kw-cli-"));
    writeOciLayout(join(dir, "oci"), { v1: img });
    ref = `oci:${join(dir, "oci")}:v1`;
    out = dir;
  });
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("writes the JSON contract with image, os, packages and image findings", async () => {
    const file = join(out, "report.json");
    const code = await main([
      "node",
      "kubeward",
      "scan",
      "image",
      ref,
      "--format",
      "json",
      "-o",
      file,
      "--no-progress",
      "--skip-vulns",
    ]);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(file, "utf8"));
    expect(r.schemaVersion).toBe(1);
    expect(r.scan).toMatchObject({ type: "image", target: ref, options: { platform: "linux/amd64" } });
    expect(r.image).toMatchObject({
      transport: "oci",
      os: "linux",
      architecture: "amd64",
      user: "",
      repoTags: ["v1"],
    });
    expect(r.image.layers).toHaveLength(1);
    expect(r.image.history).toEqual([{ createdBy: "layer 0" }]);
    expect(r.image.created).toBe("2026-01-02T03:04:05Z");
    expect(r.image.digest).toMatch(/^sha256:/);
    expect(r.image.size).toBeGreaterThan(0);
    expect(r.os).toMatchObject({ family: "debian", version: "12" });
    expect(r.packages).toEqual([
      expect.objectContaining({
        name: "libc6",
        version: "2.36-9+deb12u4",
        ecosystem: "Debian",
        sourceName: "glibc",
        sourceVersion: "2.36-9+deb12u4",
      }),
    ]);
    expect(r.findings.map((f: { checkId: string }) => f.checkId).sort()).toEqual([
      "KW-IMG-001",
      "KW-IMG-006",
      "KW-IMG-007",
    ]);
    expect(r.summary.total).toBe(3);
  });

  it("honours --exit-code and --severity", async () => {
    const file = join(out, "r2.json");
    expect(
      await main([
        "node",
        "kubeward",
        "scan",
        "image",
        ref,
        "-f",
        "json",
        "-o",
        file,
        "--exit-code",
        "5",
        "--no-progress",
        "--skip-vulns",
      ]),
    ).toBe(5);
    expect(
      await main([
        "node",
        "kubeward",
        "scan",
        "image",
        ref,
        "-f",
        "json",
        "-o",
        file,
        "--exit-code",
        "5",
        "--severity",
        "critical",
        "--no-progress",
        "--skip-vulns",
      ]),
    ).toBe(0);
  });

  it("writes CycloneDX and SPDX SBOMs", async () => {
    const cdx = join(out, "bom.cdx.json");
    expect(
      await main(["node", "kubeward", "sbom", ref, "--format", "cyclonedx", "-o", cdx, "--no-progress"]),
    ).toBe(0);
    expect(
      await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(readFileSync(cdx, "utf8")),
    ).toBeNull();
    const spdx = join(out, "bom.spdx.json");
    expect(
      await main(["node", "kubeward", "sbom", ref, "--format", "spdx-json", "-o", spdx, "--no-progress"]),
    ).toBe(0);
    expect(JSON.parse(readFileSync(spdx, "utf8")).spdxVersion).toBe("SPDX-2.3");
  });

  it("exits 2 with the error code for an unreadable image", async () => {
    const chunks: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => {
      chunks.push(String(s));
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(
        await main([
          "node",
          "kubeward",
          "scan",
          "image",
          `${ref.slice(0, -3)}:nope`,
          "--no-progress",
          "--skip-vulns",
        ]),
      ).toBe(2);
    } finally {
      process.stderr.write = orig;
    }
    expect(chunks.join("")).toContain("[not-found]");
  });
});
