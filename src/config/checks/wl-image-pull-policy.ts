import type { ObjectCheck, Violation } from "../../core/check.js";
import { POD_KINDS } from "../../core/podspec.js";
import { containerImages, parseImage, usesLatest } from "./lib/image.js";

/**
 * KW-WL-003: imagePullPolicy IfNotPresent or Never set explicitly on an image without a digest.
 * A node then keeps running whatever it cached under that tag. An unset policy is not reported:
 * Kubernetes defaults it to Always for :latest, and for other tags KW-WL-002 already applies.
 */
export const imagePullPolicy: ObjectCheck = {
  id: "KW-WL-003",
  title: "Mutable image tag with imagePullPolicy other than Always",
  severity: "low",
  layer: "workload",
  description:
    "With IfNotPresent or Never the kubelet reuses an image it already has under the same tag. When the tag " +
    "is mutable (no digest), different nodes run different builds, and a fixed image never reaches nodes " +
    "that cached the old one.",
  remediation:
    "Pin the image by digest (then IfNotPresent is safe), or set imagePullPolicy: Always for mutable tags.",
  references: [
    "https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy",
    "https://kubernetes.io/docs/concepts/containers/images/#updating-images",
  ],
  frameworks: { cis: [], nsa: ["pod-security"] },
  kinds: POD_KINDS,
  run(obj) {
    const out: Violation[] = [];
    for (const { c, image } of containerImages(obj)) {
      const policy = c.container.imagePullPolicy;
      if (policy !== "IfNotPresent" && policy !== "Never") continue;
      const ref = parseImage(image);
      if (ref.digest !== undefined) continue;
      const latest = usesLatest(ref);
      out.push({
        message:
          `container "${c.name}" sets imagePullPolicy ${policy} for mutable image "${image}"` +
          (latest ? " (latest tag: nodes keep whatever build they cached first)" : " (tag without digest)"),
        path: [...c.path, "imagePullPolicy"],
        container: c.name,
        severity: latest ? "medium" : "low",
      });
    }
    return out;
  },
};
