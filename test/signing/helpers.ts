// Test helpers: a real distribution registry (shared/tools/start-registry.sh) on a free loopback
// port, and tiny images pushed with the Registry API v2.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDockerRef } from "../../src/images/ref.js";
import type { RegistryOptions } from "../../src/images/registry/client.js";
import { OCI_MANIFEST, Repo, sha256Digest } from "../../src/signing/registry-push.js";

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, "../..");
export const SHARED = resolve(REPO_ROOT, "../shared");
export const VECTORS = join(HERE, "vectors");

export function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => res(port));
    });
  });
}

export interface TestRegistry {
  host: string;
  dir: string;
  stop(): void;
}

/** shared/tools/start-registry.sh on a free port; with `basic`, behind an htpasswd user (bcrypt, as the registry wants). */
export async function startRegistry(basic?: { user: string; password: string }): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "kw-sign-reg-"));
  const port = await freePort();
  const args = [join(SHARED, "tools", "start-registry.sh"), dir, String(port)];
  if (basic) {
    execFileSync("htpasswd", ["-Bbc", join(dir, "htpasswd"), basic.user, basic.password], {
      stdio: "ignore",
    });
    args.push(join(dir, "htpasswd"));
  }
  const pid = Number(execFileSync("bash", args, { encoding: "utf8" }).trim());
  return {
    host: `127.0.0.1:${port}`,
    dir,
    stop: () => {
      try {
        process.kill(pid);
      } catch {
        /* already gone */
      }
    },
  };
}

/** Pushes a one-layer OCI image whose layer holds `content`; returns the manifest digest. */
export async function pushTestImage(
  host: string,
  repository: string,
  tag: string,
  content: string,
  registry: RegistryOptions = {},
): Promise<string> {
  const repo = new Repo(parseDockerRef(`${host}/${repository}:${tag}`), registry);
  const layer = Buffer.from(content);
  const l = await repo.pushBlob(layer, "application/vnd.oci.image.layer.v1.tar");
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [l.digest] },
      config: {},
    }),
  );
  const c = await repo.pushBlob(config, "application/vnd.oci.image.config.v1+json");
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: c.mediaType, digest: c.digest, size: c.size },
      layers: [{ mediaType: l.mediaType, digest: l.digest, size: l.size }],
    }),
  );
  await repo.putManifest(tag, manifest, OCI_MANIFEST);
  return sha256Digest(manifest);
}

export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === "function" ? p() : p);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code ?? `no code: ${String(err)}`;
  }
}
