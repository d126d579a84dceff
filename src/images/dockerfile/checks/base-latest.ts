import type { DockerfileCheck } from "./types.js";

export const dfBaseLatest: DockerfileCheck = {
  id: "KW-DF-002",
  title: "Base image not pinned",
  severity: "low",
  layer: "image",
  description: "FROM uses :latest or no tag: rebuilding can silently pick up a different base image.",
  remediation: "Pin base images to a version tag and digest: FROM debian:12.7@sha256:...",
  references: ["https://docs.docker.com/build/building/best-practices/#from"],
  frameworks: {},
  run(df) {
    const aliases = new Set<string>();
    const out = [];
    for (const from of df.stages) {
      const parts = from.args.split(/\s+/).filter((p) => !p.startsWith("--"));
      const image = parts[0] ?? "";
      const alias = parts[1]?.toUpperCase() === "AS" ? parts[2] : undefined;
      if (
        image &&
        image !== "scratch" &&
        !aliases.has(image.toLowerCase()) &&
        !image.includes("$") &&
        !image.includes("@")
      ) {
        const lastSlash = image.lastIndexOf("/");
        const colon = image.lastIndexOf(":");
        const tag = colon > lastSlash ? image.slice(colon + 1) : undefined;
        if (!tag) out.push({ message: `FROM ${image} has no tag (means :latest)`, line: from.line });
        else if (tag === "latest") out.push({ message: `FROM ${image} uses :latest`, line: from.line });
      }
      if (alias) aliases.add(alias.toLowerCase());
    }
    return out;
  },
};
