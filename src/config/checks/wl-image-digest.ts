import type { ObjectCheck, Violation } from "../../core/check.js";
import { POD_KINDS } from "../../core/podspec.js";
import { containerImages, parseImage, usesLatest } from "./lib/image.js";

/**
 * KW-WL-002: a versioned tag without a digest. Tags can be moved; only a digest names one build.
 * Images that use :latest are reported by KW-WL-001 instead, not twice.
 */
export const imageDigest: ObjectCheck = {
  id: "KW-WL-002",
  title: "Image not pinned by digest",
  severity: "low",
  layer: "workload",
  description:
    'A tag is a mutable pointer: whoever can push to the repository can change what "1.2.3" means. ' +
    "Pinning the digest makes every node run exactly the build that was reviewed and scanned.",
  remediation:
    "Append the image digest to the reference (repo:1.2.3@sha256:<digest>), e.g. with `crane digest`.",
  references: [
    "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    "https://kubernetes.io/docs/concepts/containers/images/#updating-images",
  ],
  frameworks: { cis: [], nsa: ["pod-security"] },
  kinds: POD_KINDS,
  run(obj) {
    const out: Violation[] = [];
    for (const { c, image } of containerImages(obj)) {
      const ref = parseImage(image);
      if (ref.digest !== undefined || usesLatest(ref)) continue;
      out.push({
        message: `container "${c.name}" image "${image}" uses tag "${ref.tag}" without a digest`,
        path: [...c.path, "image"],
        container: c.name,
      });
    }
    return out;
  },
};
