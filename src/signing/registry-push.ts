// The write side of the Registry HTTP API v2 that signing needs (blob upload, manifest PUT,
// OCI 1.1 referrers with the tag-schema fallback), on top of the image layer's RegistryClient
// (its auth, retries and transport); reading manifests reuses src/images/registry/source.ts.
import { createHash } from "node:crypto";
import { ImageError } from "../images/errors.js";
import { type DockerRef, formatDockerRef } from "../images/ref.js";
import { errorBody, RegistryClient, type RegistryOptions, readLimited } from "../images/registry/client.js";
import { fetchBlob, fetchManifest } from "../images/registry/source.js";
import { SigningError } from "./errors.js";

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export function sha256Digest(buf: Buffer): string {
  return `sha256:${createHash("sha256").update(buf).digest("hex")}`;
}

/** One repository: the registry client and the repository name. */
export class Repo {
  readonly client: RegistryClient;
  constructor(
    readonly ref: DockerRef,
    opts: RegistryOptions = {},
  ) {
    this.client = new RegistryClient(ref.registry, opts);
  }

  get name(): string {
    return this.ref.repository;
  }

  get what(): string {
    return formatDockerRef({ registry: this.ref.registry, repository: this.ref.repository });
  }

  /** A manifest by tag or digest, or undefined when the registry says 404. */
  async manifest(reference: string): Promise<{ buf: Buffer; mediaType: string; digest: string } | undefined> {
    try {
      return await fetchManifest(this.client, this.name, reference, `${this.what}:${reference}`);
    } catch (err) {
      if (err instanceof ImageError && err.code === "not-found") return undefined;
      throw err;
    }
  }

  async blob(digest: string, max = 16 << 20): Promise<Buffer> {
    const res = await fetchBlob(this.client, this.name, digest, this.what);
    const buf = await this.readAtMost(res, max, `blob ${digest}`);
    if (sha256Digest(buf) !== digest)
      throw new SigningError("registry-error", `blob ${digest} content does not match its digest`, this.what);
    return buf;
  }

  /** A response body of at most `max` bytes: reading stops there, so an endless body costs nothing. */
  private async readAtMost(res: Response, max: number, what: string): Promise<Buffer> {
    try {
      return await readLimited(res, max, what);
    } catch (err) {
      if (err instanceof ImageError && err.code === "file-too-large")
        throw new SigningError("registry-error", `${what} is larger than ${max} bytes`, this.what);
      throw err;
    }
  }

  /** Monolithic upload (POST, then PUT ?digest=), skipped when the blob is already there. */
  async pushBlob(buf: Buffer, mediaType: string): Promise<Descriptor> {
    const digest = sha256Digest(buf);
    const desc = { mediaType, digest, size: buf.length };
    const head = await this.client.request(this.name, `/blobs/${digest}`, {
      method: "HEAD",
      actions: "pull,push",
    });
    await head.body?.cancel();
    if (head.ok) return desc;
    const start = await this.client.request(this.name, "/blobs/uploads/", {
      method: "POST",
      actions: "pull,push",
      retry: false,
    });
    if (start.status !== 202 || !start.headers.get("location"))
      throw new SigningError(
        "push-failed",
        `blob upload start: HTTP ${start.status}${await errorBody(start)}`,
        this.what,
      );
    await start.body?.cancel();
    // A relative Location is resolved against the URL the POST went to (http or https alike).
    const loc = new URL(start.headers.get("location")!, start.url || `http://${this.client.host}`);
    if (!/^https?:$/.test(loc.protocol))
      throw new SigningError("push-failed", `bad upload location ${loc.href}`, this.what);
    loc.searchParams.set("digest", digest);
    const put = await this.client.request(this.name, loc.href, {
      method: "PUT",
      body: buf,
      headers: { "content-type": "application/octet-stream" },
      actions: "pull,push",
      retry: false,
    });
    if (put.status !== 201)
      throw new SigningError(
        "push-failed",
        `blob ${digest}: HTTP ${put.status}${await errorBody(put)}`,
        this.what,
      );
    await put.body?.cancel();
    return desc;
  }

  /** PUT a manifest by tag or digest; says whether the registry took the subject (OCI-Subject header). */
  async putManifest(
    reference: string,
    buf: Buffer,
    mediaType: string,
  ): Promise<{ digest: string; subjectAccepted: boolean }> {
    const res = await this.client.request(this.name, `/manifests/${reference}`, {
      method: "PUT",
      body: buf,
      headers: { "content-type": mediaType },
      actions: "pull,push",
      retry: false,
    });
    if (res.status !== 201)
      throw new SigningError(
        "push-failed",
        `manifest ${reference}: HTTP ${res.status}${await errorBody(res)}`,
        this.what,
      );
    await res.body?.cancel();
    return { digest: sha256Digest(buf), subjectAccepted: res.headers.has("oci-subject") };
  }

  /**
   * Referrers of a manifest: the referrers API (GET /v2/<name>/referrers/<digest>) when the registry
   * has it, else the fallback tag "<alg>-<hex>" holding an image index (OCI distribution spec 1.1).
   */
  async referrers(subject: string): Promise<Descriptor[]> {
    const res = await this.client.request(this.name, `/referrers/${subject}`, {
      headers: { accept: OCI_INDEX },
    });
    const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
    if (res.ok && type === OCI_INDEX) {
      const text = (await this.readAtMost(res, 4 << 20, `referrers of ${subject}`)).toString("utf8");
      let doc: { manifests?: Descriptor[] } | null;
      try {
        doc = JSON.parse(text) as { manifests?: Descriptor[] } | null;
      } catch {
        throw new SigningError(
          "registry-error",
          `referrers of ${subject}: the answer is not JSON`,
          this.what,
        );
      }
      return Array.isArray(doc?.manifests) ? doc.manifests : [];
    }
    await res.body?.cancel();
    if (res.ok || res.status === 404 || res.status === 400 || res.status === 405) {
      const idx = await this.manifest(fallbackTag(subject));
      if (!idx) return [];
      let doc: { manifests?: Descriptor[] };
      try {
        doc = JSON.parse(idx.buf.toString("utf8")) as { manifests?: Descriptor[] };
      } catch {
        throw new SigningError(
          "registry-error",
          `referrers fallback tag ${fallbackTag(subject)} is not JSON`,
          this.what,
        );
      }
      return Array.isArray(doc.manifests) ? doc.manifests : [];
    }
    throw new SigningError("registry-error", `referrers of ${subject}: HTTP ${res.status}`, this.what);
  }

  /** Pushes a manifest that has a subject; when the registry lacks the referrers API, updates the fallback index. */
  async pushReferrer(
    subject: string,
    manifest: Buffer,
    desc: Omit<Descriptor, "digest" | "size">,
  ): Promise<Descriptor> {
    const digest = sha256Digest(manifest);
    const put = await this.putManifest(digest, manifest, desc.mediaType);
    const d: Descriptor = { ...desc, digest, size: manifest.length };
    if (put.subjectAccepted) return d;
    const tag = fallbackTag(subject);
    const existing = await this.manifest(tag);
    let manifests: Descriptor[] = [];
    if (existing) {
      try {
        const doc = JSON.parse(existing.buf.toString("utf8")) as { manifests?: Descriptor[] };
        manifests = Array.isArray(doc.manifests) ? doc.manifests : [];
      } catch {
        manifests = [];
      }
    }
    if (!manifests.some((m) => m.digest === digest)) manifests.push(d);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    await this.putManifest(tag, index, OCI_INDEX);
    return d;
  }
}

/** The referrers tag schema: "sha256:abc" → "sha256-abc". */
export function fallbackTag(digest: string): string {
  return digest.replace(":", "-");
}
