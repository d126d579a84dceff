// Image rules: allowed registries and repository patterns, digest required, :latest forbidden.
import picomatch from "picomatch";
import { containersOf, type PodView } from "../../core/podspec.js";
import { parseDockerRef } from "../../images/ref.js";
import type { Mode } from "../config.js";
import type { AdmissionRuleFamily, RuleHit } from "./types.js";

const matchers = new Map<string, (s: string) => boolean>();
export function globMatch(pattern: string, value: string): boolean {
  let m = matchers.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    matchers.set(pattern, m);
  }
  return m(value);
}

/**
 * For the supply-chain gates: each container whose image is a valid reference in a repository that
 * matches one of the rule's patterns (invalid references are the image rules' to report), with the
 * fields every hit about that image carries.
 */
export function* imagesMatching(pod: PodView, rule: { images: readonly string[]; mode: Mode }, id: string) {
  for (const c of containersOf(pod)) {
    const image = c.container.image;
    if (typeof image !== "string") continue;
    let ref: ReturnType<typeof parseDockerRef>;
    try {
      ref = parseDockerRef(image);
    } catch {
      continue;
    }
    if (!rule.images.some((p) => globMatch(p, `${ref.registry}/${ref.repository}`))) continue;
    const base = {
      rule: id,
      mode: rule.mode,
      container: c.name,
      path: [...c.path, "image"],
      severity: "high" as const,
    };
    yield { c, image, ref, base };
  }
}

export const imagesFamily: AdmissionRuleFamily = {
  name: "images",
  enabled: (config) => config.images.length > 0,
  evaluate(ctx) {
    if (!ctx.pod) return [];
    const hits: RuleHit[] = [];
    for (const rule of ctx.config.images) {
      if (!ctx.inScope(rule)) continue;
      for (const c of containersOf(ctx.pod)) {
        const image = c.container.image;
        const path = [...c.path, "image"];
        const hit = (id: string, message: string) =>
          hits.push({ rule: id, mode: rule.mode, message, container: c.name, path, severity: "high" });
        if (typeof image !== "string" || image === "") {
          hit("image-invalid", `container "${c.name}" has no image`);
          continue;
        }
        let ref: ReturnType<typeof parseDockerRef>;
        try {
          ref = parseDockerRef(image);
        } catch (err) {
          hit(
            "image-invalid",
            `container "${c.name}" image ${JSON.stringify(image)} is not a valid reference: ${(err as Error).message}`,
          );
          continue;
        }
        const repo = `${ref.registry}/${ref.repository}`;
        if (rule.allowedRegistries && !rule.allowedRegistries.includes(ref.registry))
          hit(
            "image-registry",
            `container "${c.name}" image ${image} comes from registry ${ref.registry}, not one of ${rule.allowedRegistries.join(", ")}`,
          );
        if (rule.allowedRepositories && !rule.allowedRepositories.some((p) => globMatch(p, repo)))
          hit(
            "image-repository",
            `container "${c.name}" image repository ${repo} matches none of ${rule.allowedRepositories.join(", ")}`,
          );
        if (rule.requireDigest && !ref.digest)
          hit("image-digest", `container "${c.name}" image ${image} is not pinned to a digest (@sha256:...)`);
        if (rule.forbidLatest && !ref.digest && ref.tag === "latest")
          hit(
            "image-latest",
            `container "${c.name}" image ${image} uses the :latest tag${image.includes(":latest") ? "" : " (implied)"}`,
          );
      }
    }
    return hits;
  },
};
