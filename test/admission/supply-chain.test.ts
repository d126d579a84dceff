// The admission CLI wired to the real supply-chain layers and a real local registry, through
// `kubeward admission review`: the cosign verifier (signature rules, src/signing), digest pinning
// and image users (mutation), and image inventory + vulnerability database (vulnerability rules).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDockerRef } from "../../src/images/ref.js";
import { generateEcdsaKey, publicKeyPem, signImage } from "../../src/signing/index.js";
import { OCI_MANIFEST, Repo } from "../../src/signing/registry-push.js";
import { VulnDb } from "../../src/vulns/db/store.js";
import { importPath } from "../../src/vulns/importers/index.js";
import { pushTestImage, startRegistry, type TestRegistry } from "../signing/helpers.js";
import { ensureAdmissionBuilt, kubeward } from "./helpers.js";
import { applyJsonPatch } from "./jsonpatch.js";
import { review } from "./suite.js";

let reg: TestRegistry;
let tmp: string;
const alice = generateEcdsaKey();
const mallory = generateEcdsaKey();

beforeAll(async () => {
  ensureAdmissionBuilt();
  reg = await startRegistry();
  tmp = mkdtempSync(join(tmpdir(), "kw-adm-sig-"));
});
afterAll(() => {
  reg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const podWith = (image: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "apps" },
  spec: { containers: [{ name: "app", image }] },
});

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const p = pack();
  for (const [name, text] of Object.entries(files)) p.entry({ name }, text);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Pushes a one-layer image whose config names `user`, with the given files. */
async function pushImageWithUser(
  repository: string,
  user: string | undefined,
  files: Record<string, string> = { README: repository },
): Promise<void> {
  const repo = new Repo(parseDockerRef(`${reg.host}/${repository}:1`), {});
  const l = await repo.pushBlob(await tarOf(files), "application/vnd.oci.image.layer.v1.tar");
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [l.digest] },
      config: user ? { User: user } : {},
    }),
  );
  const c = await repo.pushBlob(config, "application/vnd.oci.image.config.v1+json");
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: c.mediaType, digest: c.digest, size: c.size },
    layers: [{ mediaType: l.mediaType, digest: l.digest, size: l.size }],
  });
  await repo.putManifest("1", Buffer.from(manifest), OCI_MANIFEST);
}

describe("mutation reads the image's user from its registry", () => {
  it("sets runAsNonRoot only for an image whose config names a non-zero UID", async () => {
    await pushImageWithUser("users/nonroot", "1000:1000");
    await pushImageWithUser("users/root", "0");
    await pushImageWithUser("users/unset", undefined);
    const cfg = join(tmp, "mutate.yaml");
    writeFileSync(
      cfg,
      "apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\nmutation:\n  enabled: true\n",
    );
    const images = ["users/nonroot", "users/root", "users/unset"].map((r) => `${reg.host}/${r}:1`);
    const files = images.map((img, i) => {
      const f = join(tmp, `u${i}.json`);
      writeFileSync(f, JSON.stringify(review(podWith(img))));
      return f;
    });
    const r = kubeward(["admission", "review", ...files, "--config", cfg, "--endpoint", "mutate"]);
    expect(r.code, r.stderr).toBe(0);
    const nonRoot = (JSON.parse(r.stdout) as Array<{ response: { patch: string } }>).map((x, i) => {
      const after = applyJsonPatch(
        podWith(images[i]!),
        JSON.parse(Buffer.from(x.response.patch, "base64").toString("utf8")),
      ) as {
        spec: { containers: Array<{ securityContext?: { runAsNonRoot?: boolean } }> };
      };
      return after.spec.containers[0]!.securityContext?.runAsNonRoot;
    });
    expect(nonRoot).toEqual([true, undefined, undefined]);
  }, 60_000);
});

describe("signature rules and digest pinning with the cosign verifier", () => {
  it("admits images signed by the trusted key and denies the others; pins tags to digests", async () => {
    const signedDigest = await pushTestImage(reg.host, "team/app", "1", "signed");
    await signImage(`${reg.host}/team/app:1`, { key: alice });
    await pushTestImage(reg.host, "team/unsigned", "1", "unsigned");
    await pushTestImage(reg.host, "team/other", "1", "other");
    await signImage(`${reg.host}/team/other:1`, { key: mallory });
    writeFileSync(join(tmp, "alice.pub"), publicKeyPem(alice));
    const cfg = join(tmp, "config.yaml");
    writeFileSync(
      cfg,
      `apiVersion: kubeward.io/v1alpha1
kind: AdmissionConfig
signatures:
  - images: ["${reg.host}/team/**"]
    mode: enforce
    keyFiles: [alice.pub]
mutation:
  enabled: true
  pinDigests: true
`,
    );
    const files = ["team/app:1", "team/unsigned:1", "team/other:1", "library/elsewhere:1"].map((img, i) => {
      const f = join(tmp, `r${i}.json`);
      writeFileSync(
        f,
        JSON.stringify(
          review(podWith(img.startsWith("library/") ? `docker.io/${img}` : `${reg.host}/${img}`)),
        ),
      );
      return f;
    });
    const r = kubeward(["admission", "review", ...files, "--config", cfg]);
    expect(r.code, r.stderr).toBe(0);
    const out = (
      JSON.parse(r.stdout) as Array<{ response: { allowed: boolean; status?: { message: string } } }>
    ).map((x) => x.response);
    expect(out.map((x) => x.allowed)).toEqual([true, false, false, true]);
    expect(out[1]!.status?.message).toContain(
      'image-signature (container "app", field spec.containers[0].image)',
    );
    expect(out[2]!.status?.message).toMatch(/does not verify|no valid signature/);

    const m = kubeward(["admission", "review", files[0]!, "--config", cfg, "--endpoint", "mutate"]);
    expect(m.code, m.stderr).toBe(0);
    const patch = JSON.parse(
      Buffer.from(
        (JSON.parse(m.stdout) as { response: { patch: string } }).response.patch,
        "base64",
      ).toString("utf8"),
    );
    const after = applyJsonPatch(podWith(`${reg.host}/team/app:1`), patch) as {
      spec: { containers: Array<{ image: string }> };
    };
    expect(after.spec.containers[0]!.image).toBe(`${reg.host}/team/app:1@${signedDigest}`);
  }, 120_000);
});

describe("vulnerability rules with the image inventory and the vulnerability database", () => {
  it("denies an image with known vulnerabilities and admits a clean one", async () => {
    const shared = join(import.meta.dirname, "..", "..", "..", "shared", "vulndb", "debian");
    await pushImageWithUser("vuln/debian", undefined, {
      "etc/os-release":
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n',
      "var/lib/dpkg/status": readFileSync(join(shared, "bookworm-minbase.dpkg-status"), "utf8"),
    });
    await pushImageWithUser("vuln/clean", undefined);
    const dbPath = join(tmp, "vuln.db");
    const db = VulnDb.open(dbPath, { create: true });
    try {
      await importPath(db, join(shared, "Debian.zip"), { now: new Date("2026-11-01T00:00:00Z") });
    } finally {
      db.close();
    }
    const cfg = join(tmp, "vulns.yaml");
    writeFileSync(
      cfg,
      `apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\nvulnerabilities:\n  - images: ["${reg.host}/vuln/**"]\n    maxFindings: 0\n    timeoutSeconds: 30\n`,
    );
    const files = ["vuln/debian", "vuln/clean"].map((r, i) => {
      const f = join(tmp, `v${i}.json`);
      writeFileSync(f, JSON.stringify(review(podWith(`${reg.host}/${r}:1`))));
      return f;
    });
    const r = kubeward(["admission", "review", ...files, "--config", cfg, "--vuln-db", dbPath]);
    expect(r.code, r.stderr).toBe(0);
    const out = (
      JSON.parse(r.stdout) as Array<{ response: { allowed: boolean; status?: { message: string } } }>
    ).map((x) => x.response);
    expect(out[0]!.allowed).toBe(false);
    expect(out[0]!.status?.message).toMatch(
      /image-vulnerabilities \(container "app", field spec\.containers\[0\]\.image\): container "app" image .* has \d+ vulnerabilities, more than the 0 allowed/,
    );
    expect(out[1]!.allowed).toBe(true);
  }, 120_000);
});
