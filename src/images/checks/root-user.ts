import type { ImageCheck } from "./types.js";

/** The image runs as root when its config names no user, "root", or uid 0. */
export function runsAsRoot(user: string | undefined): boolean {
  const u = (user ?? "").trim();
  if (u === "") return true;
  const name = u.split(":")[0]!;
  return name === "root" || name === "0";
}

export const rootUser: ImageCheck = {
  id: "KW-IMG-001",
  title: "Image runs as root",
  severity: "medium",
  layer: "image",
  description:
    "The image config sets no USER (or sets root/0), so containers run as root unless the pod overrides it.",
  remediation:
    "Add a USER instruction with a non-root numeric uid (e.g. USER 10001) after installing packages.",
  references: ["https://docs.docker.com/build/building/best-practices/#user"],
  frameworks: {},
  run(f) {
    const user = f.config.config?.User ?? "";
    if (!runsAsRoot(user)) return [];
    return [
      {
        message: user ? `config.User is "${user}"` : "config.User is not set: containers run as root",
        details: { user },
      },
    ];
  },
};
