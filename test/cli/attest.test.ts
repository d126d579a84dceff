// `sbom --attest` and `scan image --attest` sign their output as an in-toto attestation of the image,
// pushed to a real registry; `verify-attestation` then finds exactly that predicate.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImage, DEBIAN_OS_RELEASE, dpkgStatus } from "../images/helpers/image-builder.js";
import { pushImage, type RunningRegistry, startRegistry } from "../images/helpers/registry.js";
import { ensureBuilt, kubeward } from "./helpers.js";

const ENV = { COSIGN_PASSWORD: "attest-test" };
let tmp: string;
let reg: RunningRegistry;
let image: string;

beforeAll(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), "kw-cli-attest-"));
  reg = await startRegistry(join(tmp, "registry"));
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
  });
  await pushImage(reg.host, "kw/app", "1", img);
  image = `${reg.host}/kw/app:1`;
  const keys = kubeward(["keygen", "--output-key-prefix", join(tmp, "signer")], { env: ENV });
  expect(keys.code, keys.stderr).toBe(0);
}, 120_000);
afterAll(() => {
  reg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** The statements `verify-attestation --format json` prints (an array of in-toto statements). */
function verified(type: string): { code: number | null; statements: Array<{ predicate: unknown }> } {
  const r = kubeward([
    "verify-attestation",
    image,
    "--key",
    join(tmp, "signer.pub"),
    "--type",
    type,
    "--format",
    "json",
  ]);
  return {
    code: r.code,
    statements: r.code === 0 ? (JSON.parse(r.stdout) as Array<{ predicate: unknown }>) : [],
  };
}

describe("--attest", () => {
  it("sbom --attest pushes the CycloneDX SBOM it printed as a signed attestation", () => {
    const r = kubeward(
      [
        "sbom",
        `docker://${image}`,
        "--format",
        "cyclonedx",
        "--attest",
        "--key",
        join(tmp, "signer.key"),
        "--no-progress",
      ],
      {
        env: ENV,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("attestation");
    const v = verified("cyclonedx");
    expect(v.code).toBe(0);
    expect(v.statements.map((s) => s.predicate)).toContainEqual(JSON.parse(r.stdout));
  });

  it("scan image --attest pushes the report as cosign's vulnerability predicate", () => {
    const r = kubeward(
      [
        "scan",
        "image",
        image,
        "--skip-vulns",
        "-f",
        "json",
        "--attest",
        "--key",
        join(tmp, "signer.key"),
        "--no-progress",
      ],
      {
        env: ENV,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const v = verified("vuln");
    expect(v.code).toBe(0);
    const results = v.statements.map(
      (s) => (s.predicate as { scanner: { result: { scan: { target: string } } } }).scanner.result,
    );
    expect(results.some((x) => x.scan.target === image)).toBe(true);
  });

  it("refuses --attest without a key or for a local image (exit 2, nothing printed)", () => {
    const noKey = kubeward(["sbom", `docker://${image}`, "--attest"], { env: ENV });
    expect(noKey.code).toBe(2);
    expect(noKey.stdout).toBe("");
    const local = kubeward(["sbom", `oci:${tmp}:x`, "--attest", "--key", join(tmp, "signer.key")], {
      env: ENV,
    });
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/registry image/);
  });
});
