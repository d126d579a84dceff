import { createReadStream } from "node:fs";
import { ImageError } from "../errors.js";
import type { ImageSource, Platform } from "../types.js";
import { clampPath } from "../vfs.js";
import { parseConfig, sha256 } from "./manifest.js";
import { type BlobStore, openOciLayout } from "./oci-layout.js";
import { indexTar, readMember, type TarMember } from "./tar-index.js";

/** Tells an OCI archive (oci-layout + index.json) from a docker save archive (manifest.json). */
export function detectArchiveKind(file: string): "oci-archive" | "docker-archive" {
  const members = indexTar(file);
  if (members.has("oci-layout") && members.has("index.json") && !members.has("manifest.json"))
    return "oci-archive";
  if (members.has("manifest.json")) return "docker-archive";
  if (members.has("index.json")) return "oci-archive";
  throw new ImageError("bad-reference", "file is neither a docker-archive nor an oci-archive", file);
}

function resolveMember(members: Map<string, TarMember>, name: string, file: string): TarMember {
  let current = name.replace(/^(\.\/)+/, "");
  let m = members.get(current);
  // docker save may store layers as symlinks to other members; a symbolic link's target is relative
  // to the folder of the link being followed (each hop of a chain), a hard link's to the archive root.
  for (let i = 0; m && (m.type === "2" || m.type === "1") && i < 8; i++) {
    const target = m.linkname!;
    const dir = current.includes("/") ? current.slice(0, current.lastIndexOf("/") + 1) : "";
    current = m.type === "1" ? target : clampPath(`${dir}${target}`);
    m = members.get(current);
  }
  if (!m) throw new ImageError("not-found", `archive has no member "${name}"`, file);
  return m;
}

function archiveStore(file: string, members: Map<string, TarMember>): BlobStore {
  return {
    name: file,
    has: (p) => members.has(p),
    readFile: (p, max) => readMember(file, resolveMember(members, p, file), max),
    openFile: (p) => {
      const m = resolveMember(members, p, file);
      if (m.size === 0) return createReadStream(file, { start: 1, end: 0 });
      return createReadStream(file, { start: m.offset, end: m.offset + m.size - 1 });
    },
  };
}

export function openOciArchive(
  file: string,
  tag: string | undefined,
  platform: Platform,
  ref: string,
): ImageSource {
  const members = indexTar(file);
  return openOciLayout(archiveStore(file, members), tag, platform, "oci-archive", ref);
}

interface DockerSaveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** Opens a `docker save` archive: manifest.json names the config and layer tar members. */
export function openDockerArchive(file: string, tag: string | undefined, ref: string): ImageSource {
  const members = indexTar(file);
  if (!members.has("manifest.json"))
    throw new ImageError("bad-manifest", "docker-archive without manifest.json", file);
  const doc = JSON.parse(
    `{"m":${readMember(file, members.get("manifest.json")!, 16 << 20).toString("utf8")}}`,
  ) as {
    m: unknown;
  };
  if (!Array.isArray(doc.m) || doc.m.length === 0)
    throw new ImageError("bad-manifest", "manifest.json lists no images", file);
  const list = doc.m as DockerSaveEntry[];
  let entry: DockerSaveEntry | undefined;
  if (tag) {
    entry = list.find((e) =>
      (e.RepoTags ?? []).some((t) => t === tag || t.endsWith(`:${tag}`) || t === `${tag}:latest`),
    );
    if (!entry) throw new ImageError("not-found", `no image tagged "${tag}" in archive`, file);
  } else if (list.length === 1) entry = list[0];
  else throw new ImageError("bad-reference", `archive holds ${list.length} images; name one with :TAG`, file);
  if (!entry || typeof entry.Config !== "string" || !Array.isArray(entry.Layers)) {
    throw new ImageError("bad-manifest", "manifest.json entry lacks Config or Layers", file);
  }
  const configBuf = readMember(file, resolveMember(members, entry.Config, file));
  const config = parseConfig(configBuf, `${file} ${entry.Config}`);
  const store = archiveStore(file, members);
  const diffIds = config.rootfs?.diff_ids ?? [];
  return {
    ref,
    transport: "docker-archive",
    repoTags: entry.RepoTags ?? [],
    config,
    configDigest: sha256(configBuf),
    layers: entry.Layers.map((name, i) => {
      const m = resolveMember(members, name, file);
      // Layers in a docker save archive are usually uncompressed tars whose digest is the diff_id.
      const digest =
        diffIds[i] ?? (name.startsWith("blobs/sha256/") ? `sha256:${name.slice(13)}` : `file:${name}`);
      return {
        digest,
        mediaType: "application/vnd.docker.image.rootfs.diff.tar",
        verify: diffIds[i] ? ("decompressed" as const) : ("none" as const),
        size: m.size,
        open: async () => store.openFile(name),
      };
    }),
  };
}
