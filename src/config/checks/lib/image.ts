import type { K8sObject } from "../../../core/object.js";
import { type ContainerView, containersOf, podOf } from "../../../core/podspec.js";

/** A container image reference split the way container runtimes read it. */
export interface ImageRef {
  /** Everything before the tag and digest: [registry[:port]/]repository. */
  name: string;
  /** Explicit tag, if any. */
  tag?: string;
  /** Digest (e.g. "sha256:..."), if any. A digest wins over the tag when pulling. */
  digest?: string;
}

/**
 * Splits an image reference. The tag is the part after the last ":" that follows the
 * last "/" (a ":" before a "/" is a registry port); the digest is everything after "@".
 */
export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const out: ImageRef = { name: rest };
  if (tag !== undefined && tag !== "") out.tag = tag;
  if (digest !== undefined && digest !== "") out.digest = digest;
  return out;
}

/** What the kubelet pulls: no digest and either no tag (implicitly "latest") or the "latest" tag. */
export function usesLatest(img: ImageRef): boolean {
  return img.digest === undefined && (img.tag === undefined || img.tag === "latest");
}

/** The containers of a workload that name an image (a non-empty string), each with that image. */
export function containerImages(obj: K8sObject): Array<{ c: ContainerView; image: string }> {
  const pod = podOf(obj);
  if (!pod) return [];
  const out: Array<{ c: ContainerView; image: string }> = [];
  for (const c of containersOf(pod)) {
    const image = c.container.image;
    if (typeof image === "string" && image.trim() !== "") out.push({ c, image });
  }
  return out;
}
