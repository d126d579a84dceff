import type { Readable } from "node:stream";

export const MT = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerV1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  author?: string;
}

/** The OCI/Docker image configuration (the parts kubeward reads). */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    ExposedPorts?: Record<string, unknown>;
    Labels?: Record<string, string> | null;
    WorkingDir?: string;
    Healthcheck?: { Test?: string[] };
    StopSignal?: string;
    Volumes?: Record<string, unknown>;
  };
  rootfs?: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

/** One layer to walk: its digest, media type and a way to open its bytes (still compressed). */
export interface LayerRef {
  digest: string;
  mediaType: string;
  size: number;
  /** What `digest` hashes: the stored bytes (default), the uncompressed tar (diff_id), or nothing checkable. */
  verify?: "raw" | "decompressed" | "none";
  /** Walks of this layer that may be tried when the stream breaks (network transports). Default 1. */
  attempts?: number;
  open(): Promise<Readable>;
}

/** An opened image from any transport: what the walker needs, nothing more. */
export interface ImageSource {
  /** How the user named it (normalised). */
  ref: string;
  transport: "docker" | "oci" | "oci-archive" | "docker-archive";
  /** Digest of the manifest (the image's identity), when known. */
  digest?: string;
  /** Digest of the index/manifest list the manifest was picked from. */
  indexDigest?: string;
  repoTags: string[];
  config: ImageConfig;
  configDigest?: string;
  layers: LayerRef[];
  close?(): Promise<void>;
}

/** Metadata reported as the contract's `image` section. */
export interface ImageMetadata {
  ref: string;
  transport: string;
  digest?: string;
  indexDigest?: string;
  configDigest?: string;
  repoTags: string[];
  os?: string;
  architecture?: string;
  variant?: string;
  created?: string;
  user?: string;
  /** Sum of compressed layer sizes as stored. */
  size: number;
  layers: { digest: string; mediaType: string; size: number; diffId?: string; createdBy?: string }[];
  labels?: Record<string, string>;
  exposedPorts?: string[];
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
  /** Build steps from the image config (docker history). */
  history?: { created?: string; createdBy?: string; emptyLayer?: boolean; comment?: string }[];
}
