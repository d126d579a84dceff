import { ImageError } from "../images/errors.js";
import { type DockerRef, parseDockerRef } from "../images/ref.js";
import type { RegistryOptions } from "../images/registry/client.js";
import { abortableRegistry, underSignal } from "./abort.js";
import { SigningError } from "./errors.js";
import { Repo, sha256Digest } from "./registry-push.js";

export interface ResolvedImage {
  repo: Repo;
  ref: DockerRef;
  /** The manifest digest that is signed or verified. */
  digest: string;
  /** The repository as cosign names it in payloads and statements (go-containerregistry's Repository.Name()). */
  repositoryName: string;
  /** The manifest, when resolving fetched it (a tag, or a digest with `mustExist`). */
  manifest?: { buf: Buffer; mediaType: string };
  /** Cancels all work on this image: `repo` requests carry it, and verification loops check it. */
  signal?: AbortSignal;
}

/** cosign writes Docker Hub repositories as index.docker.io/…; other registries as given. */
export function cosignRepositoryName(ref: DockerRef): string {
  const host = ref.registry === "docker.io" ? "index.docker.io" : ref.registry;
  return `${host}/${ref.repository}`;
}

/** Normalises a repository name from a payload for comparison ("docker.io" and "index.docker.io" agree). */
export function normaliseRepositoryName(name: string): string {
  try {
    const r = parseDockerRef(name.replace(/^docker:\/\//, ""));
    return cosignRepositoryName(r);
  } catch {
    return name;
  }
}

export function parseRegistryImage(image: string): DockerRef {
  const s = image.replace(/^docker:\/\//, "").replace(/^docker:/, "");
  if (/^(oci|oci-archive|docker-archive|rootfs):/.test(s))
    throw new SigningError(
      "not-a-registry-image",
      "signatures live in a registry: give a registry reference",
      image,
    );
  try {
    return parseDockerRef(s);
  } catch (err) {
    throw new SigningError("bad-reference", err instanceof Error ? err.message : String(err), image);
  }
}

/**
 * Resolves a tag to the digest of the manifest it names now (the digest itself when one is given;
 * with `mustExist`, as when signing, the registry must also have that manifest). With `signal`,
 * every registry request made for the image, now and later through its `repo`, stops when it fires.
 */
export async function resolveImage(
  image: string,
  registry: RegistryOptions = {},
  opts: { mustExist?: boolean; signal?: AbortSignal } = {},
): Promise<ResolvedImage> {
  const { signal } = opts;
  const ref = parseRegistryImage(image);
  const repo = new Repo(ref, signal ? abortableRegistry(registry, signal) : registry);
  return underSignal(signal, async () => {
    let digest = ref.digest;
    let manifest: ResolvedImage["manifest"];
    if (digest && opts.mustExist) {
      manifest = await repo.manifest(digest);
      if (!manifest) throw new ImageError("not-found", `manifest ${digest} not found`, image);
    }
    if (!digest) {
      manifest = await repo.manifest(ref.tag ?? "latest");
      if (!manifest) throw new ImageError("not-found", `tag ${ref.tag ?? "latest"} not found`, image);
      digest = sha256Digest(manifest.buf);
    }
    return {
      repo,
      ref,
      digest,
      repositoryName: cosignRepositoryName(ref),
      ...(manifest ? { manifest } : {}),
      ...(signal ? { signal } : {}),
    };
  });
}
