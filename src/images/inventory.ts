import type { OsInfo } from "../core/cataloger.js";
import { OS_ECOSYSTEMS, type Package, type ScanError } from "../core/model.js";
import { CATALOGERS } from "./catalogers/index.js";
import type { ImageCataloger } from "./catalogers/types.js";
import { packageKey } from "./collector.js";
import { ImageError } from "./errors.js";
import { detectOs } from "./os-release.js";
import { osEcosystem, purlFor } from "./purl.js";
import { type ImageRef, parseImageRef } from "./ref.js";
import type { RegistryOptions } from "./registry/client.js";
import { openRegistryImage } from "./registry/source.js";
import { openDockerArchive, openOciArchive } from "./sources/archive.js";
import { parsePlatform } from "./sources/manifest.js";
import { dirStore, openOciLayout } from "./sources/oci-layout.js";
import { walkRootfs } from "./sources/rootfs.js";
import type { HistoryEntry, ImageConfig, ImageMetadata, ImageSource } from "./types.js";
import type { VirtualFs } from "./vfs.js";
import { Collector, collectPackages, type WalkLimits, type WalkProgress, walkLayers } from "./walker.js";

export interface InventoryOptions {
  /** os/arch[/variant] to pick from a multi-platform index; default linux/amd64. */
  platform?: string;
  catalogers?: readonly ImageCataloger[];
  limits?: Partial<WalkLimits>;
  registry?: RegistryOptions;
  onProgress?(p: WalkProgress): void;
}

export interface Inventory {
  image: ImageMetadata;
  os?: OsInfo;
  packages: Package[];
  errors: ScanError[];
  config: ImageConfig;
  history: HistoryEntry[];
  /** The merged file system (metadata of every path; bytes of retained files only). */
  fs: VirtualFs;
}

/** Opens an image by REF from any supported transport (not rootfs:); `parsed` when the caller has it already. */
export async function openImage(
  ref: string,
  opts: InventoryOptions = {},
  parsed: ImageRef = parseImageRef(ref),
): Promise<ImageSource> {
  const platform = parsePlatform(opts.platform);
  switch (parsed.transport) {
    case "oci":
      return openOciLayout(dirStore(parsed.path), parsed.tag, platform, "oci", ref);
    case "oci-archive":
      return openOciArchive(parsed.path, parsed.tag, platform, ref);
    case "docker-archive":
      return openDockerArchive(parsed.path, parsed.tag, ref);
    case "docker":
      return openRegistryImage(parsed.ref, platform, opts.registry ?? {});
    case "rootfs":
      throw new ImageError("bad-reference", "a root filesystem is not an image; use inventoryRootfs", ref);
  }
}

function sortPackages(pkgs: Package[]): Package[] {
  return pkgs.sort(
    (a, b) =>
      cmp(a.ecosystem, b.ecosystem) ||
      cmp(a.name, b.name) ||
      cmp(a.version, b.version) ||
      cmp(a.path ?? "", b.path ?? ""),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const LOCKFILES = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml)$/;

/** Turns the walk's raw results into the final package list: OS ecosystem, purls, no double counting. */
function finish(col: Collector, layerDigests: string[], os: OsInfo | undefined): Package[] {
  const { packages, owned, licenses } = collectPackages(col, layerDigests);
  // Projects whose node_modules are installed are inventoried from there; their lockfiles would repeat them.
  const installedRoots = new Set<string>();
  for (const p of packages) {
    const i = p.ecosystem === "npm" && p.path ? p.path.indexOf("node_modules/") : -1;
    if (i >= 0) installedRoots.add(p.path!.slice(0, i));
  }
  const out: Package[] = [];
  const seen = new Set<string>();
  for (const p of packages) {
    const isOs = OS_ECOSYSTEMS.has(p.ecosystem);
    if (p.ecosystem === "Debian" && !p.licenses) {
      const l = licenses.get(`dpkg\0${p.name}`);
      if (l?.length) p.licenses = l;
    }
    if (isOs && (p.ecosystem === "Debian" || p.ecosystem === "Red Hat"))
      p.ecosystem = osEcosystem(os, p.ecosystem);
    // A language package inside files an OS package installed is that OS package's business.
    if (!isOs && p.path && owned.has(p.path.split("!/")[0]!)) continue;
    if (p.ecosystem === "npm" && p.path && LOCKFILES.test(p.path)) {
      const dir = p.path.slice(0, p.path.lastIndexOf("/") + 1);
      if (installedRoots.has(dir)) continue;
    }
    const key = packageKey(p);
    if (seen.has(key)) continue;
    seen.add(key);
    const purl = p.purl ?? purlFor(p, os);
    out.push(purl ? { ...p, purl } : p);
  }
  return sortPackages(out);
}

export function imageMetadata(src: ImageSource): ImageMetadata {
  const c = src.config;
  const diffIds = c.rootfs?.diff_ids ?? [];
  const nonEmpty = (c.history ?? []).filter((h) => !h.empty_layer);
  return {
    ref: src.ref,
    transport: src.transport,
    ...(src.digest ? { digest: src.digest } : {}),
    ...(src.indexDigest ? { indexDigest: src.indexDigest } : {}),
    ...(src.configDigest ? { configDigest: src.configDigest } : {}),
    repoTags: src.repoTags,
    ...(c.os ? { os: c.os } : {}),
    ...(c.architecture ? { architecture: c.architecture } : {}),
    ...(c.variant ? { variant: c.variant } : {}),
    ...(c.created ? { created: c.created } : {}),
    user: c.config?.User ?? "",
    size: src.layers.reduce((n, l) => n + (l.size || 0), 0),
    layers: src.layers.map((l, i) => ({
      digest: l.digest,
      mediaType: l.mediaType,
      size: l.size,
      ...(diffIds[i] ? { diffId: diffIds[i] } : {}),
      ...(nonEmpty.length === src.layers.length && nonEmpty[i]?.created_by
        ? { createdBy: nonEmpty[i]!.created_by }
        : {}),
    })),
    ...(c.config?.Labels ? { labels: c.config.Labels } : {}),
    ...(c.config?.ExposedPorts ? { exposedPorts: Object.keys(c.config.ExposedPorts).sort() } : {}),
    ...(c.config?.Env ? { env: c.config.Env } : {}),
    ...(c.config?.Entrypoint ? { entrypoint: c.config.Entrypoint } : {}),
    ...(c.config?.Cmd ? { cmd: c.config.Cmd } : {}),
    ...(c.history?.length
      ? {
          history: c.history.map((h) => ({
            ...(h.created ? { created: h.created } : {}),
            ...(h.created_by ? { createdBy: h.created_by } : {}),
            ...(h.empty_layer ? { emptyLayer: true } : {}),
            ...(h.comment ? { comment: h.comment } : {}),
          })),
        }
      : {}),
  };
}

/** Inventories an image: walks its layers as streams and catalogs the packages it holds. */
export async function inventoryImage(
  ref: string,
  opts: InventoryOptions = {},
  parsed: ImageRef = parseImageRef(ref),
): Promise<Inventory> {
  const src = await openImage(ref, opts, parsed);
  try {
    const col = new Collector(opts.catalogers ?? [...CATALOGERS.values()], opts.limits);
    await walkLayers(col, src.layers, opts.onProgress ? { onProgress: opts.onProgress } : {});
    const os = detectOs(col.fs);
    const packages = finish(
      col,
      src.layers.map((l) => l.digest),
      os,
    );
    return {
      image: imageMetadata(src),
      ...(os ? { os } : {}),
      packages,
      errors: col.errors,
      config: src.config,
      history: src.config.history ?? [],
      fs: col.fs,
    };
  } finally {
    await src.close?.();
  }
}

/** Inventories a root filesystem directory (an unpacked image, a VM disk mounted read-only, a chroot). */
export async function inventoryRootfs(
  dir: string,
  opts: Pick<InventoryOptions, "catalogers" | "limits"> = {},
): Promise<Inventory> {
  const col = new Collector(opts.catalogers ?? [...CATALOGERS.values()], opts.limits);
  await walkRootfs(col, dir);
  const os = detectOs(col.fs);
  const packages = finish(col, [], os);
  const config: ImageConfig = {};
  return {
    image: { ref: `rootfs:${dir}`, transport: "rootfs", repoTags: [], size: 0, layers: [] },
    ...(os ? { os } : {}),
    packages,
    errors: col.errors,
    config,
    history: [],
    fs: col.fs,
  };
}
