import { aptGetArgs, runCommands } from "../parse.js";
import type { DockerfileCheck } from "./types.js";

export const dfAptUpgrade: DockerfileCheck = {
  id: "KW-DF-008",
  title: "apt-get upgrade in a build step",
  severity: "low",
  layer: "image",
  description:
    "RUN apt-get upgrade (or dist-upgrade) installs whatever is newest on the day of the build, so two builds of the same Dockerfile differ; the base image should bring the updates.",
  remediation:
    "Rebuild on an updated, pinned base image instead, and install the packages you need at pinned versions.",
  references: ["https://github.com/hadolint/hadolint/wiki/DL3005"],
  frameworks: {},
  run(df) {
    const out = [];
    for (const i of df.instructions)
      for (const words of runCommands(i)) {
        const args = aptGetArgs(words);
        const verb = args?.find((a) => a === "upgrade" || a === "dist-upgrade");
        if (verb) out.push({ message: `runs apt-get ${verb}`, line: i.line });
      }
    return out;
  },
};
