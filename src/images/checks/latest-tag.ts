import type { ImageCheck } from "./types.js";

export const latestTag: ImageCheck = {
  id: "KW-IMG-004",
  title: "Image referenced by the :latest tag",
  severity: "low",
  layer: "image",
  description:
    "A :latest (or missing) tag is mutable: what runs can change without any change to the manifests.",
  remediation: "Reference images by an immutable version tag, or better by digest (name@sha256:...).",
  references: ["https://kubernetes.io/docs/concepts/containers/images/#image-names"],
  frameworks: {},
  run(f) {
    const ref = f.image.ref;
    if (f.image.transport !== "docker" || ref.includes("@sha256:")) return [];
    if (/:latest$/.test(ref)) return [{ message: `${ref} uses the mutable :latest tag`, details: { ref } }];
    return [];
  },
};
