import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { ImageError } from "./errors.js";
import { detectArchiveKind } from "./sources/archive.js";

/** A parsed REF: skopeo-style transport prefixes, or a bare path recognised by its contents. */
export type ImageRef =
  | { transport: "docker"; ref: DockerRef }
  | { transport: "oci"; path: string; tag?: string }
  | { transport: "oci-archive"; path: string; tag?: string }
  | { transport: "docker-archive"; path: string; tag?: string }
  | { transport: "rootfs"; path: string };

export interface DockerRef {
  /** Registry host as used for API calls (docker.io → registry-1.docker.io is done by the client). */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = "docker.io";

const REPO_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/** Parses a Docker reference the way the distribution/reference package normalises it. */
const HOST_COMPONENT = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const HOST_RE = new RegExp(
  `^(?:\\[[0-9A-Fa-f:.]+\\]|${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*)(?::[0-9]+)?$`,
);

export function parseDockerRef(input: string): DockerRef {
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw new ImageError("bad-reference", `invalid digest "${digest}"`, input);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new ImageError("bad-reference", `invalid tag "${tag}"`, input);
  }
  let registry = DOCKER_HUB;
  let repository = rest;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || /[A-Z]/.test(first)) {
      registry = first;
      repository = rest.slice(slash + 1);
    }
  }
  // The distribution grammar: dotted host name components or a bracketed IPv6 address, then an optional
  // numeric port. This also refuses transport prefixes ("rootfs:/etc", "oci:/x") posing as hosts.
  if (registry !== DOCKER_HUB && !HOST_RE.test(registry)) {
    throw new ImageError("bad-reference", `invalid registry host "${registry}"`, input);
  }
  if (registry === "index.docker.io" || registry === "registry-1.docker.io") registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes("/")) repository = `library/${repository}`;
  if (!repository || !REPO_RE.test(repository)) {
    throw new ImageError("bad-reference", `invalid repository name "${repository}"`, input);
  }
  if (!tag && !digest) tag = "latest";
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function formatDockerRef(r: DockerRef): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
}

/** Splits "PATH[:TAG]" the way skopeo does for oci: and archives (the last colon after the last slash). */
function splitPathTag(s: string): { path: string; tag?: string } {
  const slash = s.lastIndexOf("/");
  const colon = s.lastIndexOf(":");
  if (colon > slash && colon > 0 && !existsSync(s))
    return { path: s.slice(0, colon), tag: s.slice(colon + 1) };
  return { path: s };
}

export function parseImageRef(input: string): ImageRef {
  if (!input) throw new ImageError("bad-reference", "empty image reference");
  const m = /^(docker|oci|oci-archive|docker-archive|rootfs):(.*)$/.exec(input);
  if (m) {
    const [, transport, rest] = m as unknown as [string, string, string];
    switch (transport) {
      case "docker":
        return { transport: "docker", ref: parseDockerRef(rest.replace(/^\/\//, "")) };
      case "rootfs":
        return { transport: "rootfs", path: rest };
      default:
        return { transport: transport as "oci" | "oci-archive" | "docker-archive", ...splitPathTag(rest) };
    }
  }
  const bare = recogniseLocal(input);
  if (bare) return bare;
  return { transport: "docker", ref: parseDockerRef(input) };
}

/** A bare existing path is recognised by its contents: OCI layout, docker/OCI archive, or a root filesystem. */
function recogniseLocal(input: string): ImageRef | undefined {
  const { path, tag } = splitPathTag(input);
  if (!existsSync(path)) {
    if (input.startsWith("/") || input.startsWith("./") || input.startsWith("../")) {
      throw new ImageError("not-found", "no such file or directory", input);
    }
    return undefined;
  }
  const st = statSync(path);
  if (st.isDirectory()) {
    if (existsSync(join(path, "oci-layout")) && existsSync(join(path, "index.json"))) {
      return { transport: "oci", path, ...(tag ? { tag } : {}) };
    }
    return { transport: "rootfs", path };
  }
  if (st.isFile()) {
    return { transport: detectArchiveKind(path), path, ...(tag ? { tag } : {}) };
  }
  throw new ImageError("bad-reference", "not a file or directory", input);
}
