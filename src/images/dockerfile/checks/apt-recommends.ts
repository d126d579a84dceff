import { aptGetArgs, runCommands } from "../parse.js";
import type { DockerfileCheck } from "./types.js";

/** apt's own switch for recommends, `-o APT::Install-Recommends=false` (any of apt's false words). */
const RECOMMENDS_OFF = /^APT::Install-Recommends=(false|0|no|off)$/i;

export const dfAptRecommends: DockerfileCheck = {
  id: "KW-DF-009",
  title: "apt-get install without --no-install-recommends",
  severity: "low",
  layer: "image",
  description:
    "apt-get install also installs every recommended package by default: more software in the image, more to patch.",
  remediation: "Use apt-get install --no-install-recommends and name the packages you need.",
  references: ["https://github.com/hadolint/hadolint/wiki/DL3015"],
  frameworks: {},
  run(df) {
    const out = [];
    for (const i of df.instructions)
      for (const words of runCommands(i)) {
        const args = aptGetArgs(words);
        if (!args?.includes("install")) continue;
        if (args.includes("--no-install-recommends") || args.some((a) => RECOMMENDS_OFF.test(a))) continue;
        out.push({ message: "apt-get install without --no-install-recommends", line: i.line });
      }
    return out;
  },
};
