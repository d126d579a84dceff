import type { ObjectCheck, Violation } from "../../core/check.js";
import { POD_KINDS } from "../../core/podspec.js";
import { containerImages, parseImage, usesLatest } from "./lib/image.js";

/** KW-WL-001: the image resolves to the mutable "latest" tag (written or implied). */
export const imageLatest: ObjectCheck = {
  id: "KW-WL-001",
  title: "Image uses the latest tag",
  severity: "medium",
  layer: "workload",
  description:
    'An image without a tag or digest is pulled as ":latest". The running version then depends on when each ' +
    "node pulled it, rollbacks cannot return to a known build, and a pushed image silently changes production.",
  remediation:
    "Reference a specific version tag, and preferably pin the digest (image: repo:1.2.3@sha256:...).",
  references: [
    "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    "https://kubernetes.io/docs/concepts/configuration/overview/#container-images",
  ],
  frameworks: { cis: [], nsa: ["pod-security"] },
  kinds: POD_KINDS,
  run(obj) {
    const out: Violation[] = [];
    for (const { c, image } of containerImages(obj)) {
      const ref = parseImage(image);
      if (!usesLatest(ref)) continue;
      const how = ref.tag === undefined ? "has no tag, so it is pulled as :latest" : "uses the :latest tag";
      out.push({
        message: `container "${c.name}" image "${image}" ${how}`,
        path: [...c.path, "image"],
        container: c.name,
      });
    }
    return out;
  },
};
