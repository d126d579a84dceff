import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eolFor } from "../../src/images/checks/eol-data.js";
import { HELPER_FILES, IMAGE_CHECKS, runImageChecks } from "../../src/images/checks/index.js";
import { secretReason } from "../../src/images/checks/secrets.js";
import { inventoryImage } from "../../src/images/inventory.js";
import {
  buildImage,
  DEBIAN_OS_RELEASE,
  dpkgStatus,
  type Entry,
  writeOciLayout,
} from "./helpers/image-builder.js";

const NOW = new Date("2026-11-27T00:00:00Z");
const here = dirname(fileURLToPath(import.meta.url));

async function findingsFor(
  layers: Entry[][],
  config: Record<string, unknown> = {},
  history?: Record<string, unknown>[],
) {
  const img = await buildImage({ layers, config, ...(history ? { history } : {}) });
  const dir = mkdtempSync(join(tmpdir(), "kw-chk-"));
  writeOciLayout(dir, { t: img });
  const inv = await inventoryImage(`oci:${dir}:t`);
  return runImageChecks(inv, { now: NOW });
}

const debianBase: Entry[] = [
  { name: "etc/os-release", data: DEBIAN_OS_RELEASE },
  { name: "var/lib/dpkg/status", data: dpkgStatus([{ name: "base-files", version: "12.4" }]) },
  { name: "bin/sh", data: "x".repeat(2000), mode: 0o755 },
];
const ids = (fs: { checkId: string }[]) => [...new Set(fs.map((f) => f.checkId))].sort();

describe("image check registry", () => {
  it("has one check per file, with unique ids and layer image", () => {
    const files = readdirSync(join(here, "../../src/images/checks")).filter(
      (f) => f.endsWith(".ts") && !HELPER_FILES.includes(f),
    );
    expect(IMAGE_CHECKS.size).toBe(files.length);
    for (const c of IMAGE_CHECKS.values()) {
      expect(c.layer).toBe("image");
      expect(c.id).toMatch(/^KW-IMG-\d{3}$/);
      expect(c.remediation.length).toBeGreaterThan(10);
    }
  });
});

describe("image checks", () => {
  it("a clean, non-root Debian 12 image with a health check passes everything", async () => {
    const fs = await findingsFor([debianBase], { User: "10001", Healthcheck: { Test: ["CMD", "/healthz"] } });
    expect(fs).toEqual([]);
  });

  it("flags root, secrets, SSH, missing health check, remote ADD", async () => {
    const fs = await findingsFor(
      [debianBase],
      {
        Env: [
          "PATH=/usr/bin",
          "DB_PASSWORD=hunter22",
          "AWS_KEY=AKIAABCDEFGHIJKLMNOP",
          "PASSWORD_FILE=/run/secrets/pw",
        ],
        Labels: { "org.example.api-token": "abcd1234efgh", maintainer: "me" },
        ExposedPorts: { "22/tcp": {}, "8080/tcp": {} },
      },
      [{ created_by: "/bin/sh -c #(nop) ADD https://example.invalid/tool.tgz /opt/ " }],
    );
    expect(ids(fs)).toEqual([
      "KW-IMG-001",
      "KW-IMG-002",
      "KW-IMG-003",
      "KW-IMG-005",
      "KW-IMG-006",
      "KW-IMG-007",
    ]);
    const env = fs.filter((f) => f.checkId === "KW-IMG-002").map((f) => f.message);
    expect(env).toEqual([
      'ENV DB_PASSWORD: name "DB_PASSWORD" suggests a secret',
      "ENV AWS_KEY: value looks like a AWS access key id",
    ]);
    expect(JSON.stringify(fs)).not.toContain("hunter22");
    expect(fs[0]).toMatchObject({ layer: "image", status: "fail", resource: { kind: "Image" } });
  });

  it("flags end-of-life distributions by the injected clock", async () => {
    const deb11 = DEBIAN_OS_RELEASE.replace('VERSION_ID="12"', 'VERSION_ID="11"').replace(
      "Linux 12 (bookworm)",
      "Linux 11 (bullseye)",
    );
    const fs = await findingsFor([[{ name: "etc/os-release", data: deb11 }]], {
      User: "1",
      Healthcheck: { Test: ["CMD", "x"] },
    });
    const eol = fs.filter((f) => f.checkId === "KW-IMG-008");
    expect(eol.map((f) => f.message)).toEqual([
      "Debian GNU/Linux 11 (bullseye) reached end of life on 2026-08-31",
    ]);
    expect(eolFor("alpine", "3.20.3")?.eol).toBe("2026-04-01");
    expect(eolFor("ubuntu", "22.04")?.eol).toBe("2027-06-01");
    expect(eolFor("debian", "12.7")?.release).toBe("12");
    expect(eolFor("plan9", "4")).toBeUndefined();
  });

  it("flags package caches, setuid files, and tools in a distroless image", async () => {
    const fs = await findingsFor(
      [
        [
          { name: "etc/os-release", data: DEBIAN_OS_RELEASE },
          {
            name: "var/lib/dpkg/status.d/base",
            data: "Package: base-files\nVersion: 12.4\nArchitecture: amd64\n",
          },
          {
            name: "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4",
            data: Buffer.alloc(100_000),
          },
          { name: "var/lib/apt/lists/lock", data: "" },
          { name: "usr/bin/passwd", data: "x".repeat(100), mode: 0o4755 },
          { name: "bin/busybox", data: "x".repeat(100), mode: 0o755 },
          { name: "bin/sh", type: "symlink", linkname: "busybox" },
        ],
      ],
      { User: "65532", Healthcheck: { Test: ["CMD", "x"] } },
    );
    expect(ids(fs)).toEqual(["KW-IMG-009", "KW-IMG-010", "KW-IMG-011"]);
    expect(fs.find((f) => f.checkId === "KW-IMG-009")!.message).toBe(
      "apt package lists: 1 files, 100000 bytes",
    );
    expect(fs.find((f) => f.checkId === "KW-IMG-010")!.message).toContain("/usr/bin/passwd");
    expect(fs.find((f) => f.checkId === "KW-IMG-011")!.message).toBe(
      "minimal image ships /bin/sh, /bin/busybox",
    );
  });
});

describe("secret heuristics", () => {
  it("matches credential names and token shapes, not paths or references", () => {
    expect(secretReason("GITHUB_TOKEN", "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB")).toBe(
      "value looks like a GitHub token",
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable reference, on purpose
    expect(secretReason("API_KEY", "${API_KEY}")).toBeUndefined();
    expect(secretReason("SECRET_FILE", "/run/secrets/x")).toBeUndefined();
    expect(secretReason("TOKEN_TTL", "3600s")).toBeUndefined();
    expect(secretReason("HOME", "/root")).toBeUndefined();
    expect(secretReason("KEY", "-----BEGIN RSA PRIVATE KEY-----\nabc")).toBe(
      "value looks like a private key",
    );
  });
});
