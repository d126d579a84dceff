import { finalStage } from "../parse.js";
import type { DockerfileCheck } from "./types.js";

export const dfRootUser: DockerfileCheck = {
  id: "KW-DF-001",
  title: "Dockerfile final stage runs as root",
  severity: "medium",
  layer: "image",
  description: "The final stage sets no USER, or its last USER is root/0, so the image runs as root.",
  remediation: "End the final stage with USER <non-root uid>, e.g. USER 10001.",
  references: ["https://docs.docker.com/build/building/best-practices/#user"],
  frameworks: {},
  run(df) {
    const stage = finalStage(df);
    if (stage.length === 0) return [];
    const users = stage.filter((i) => i.cmd === "USER");
    const last = users.at(-1);
    if (!last) return [{ message: "no USER instruction in the final stage", line: stage[0]!.line }];
    const name = last.args.split(":")[0]!.trim();
    return name === "root" || name === "0" ? [{ message: `last USER is ${last.args}`, line: last.line }] : [];
  },
};
