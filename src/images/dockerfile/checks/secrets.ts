import { secretReason } from "../../checks/secrets.js";
import { keyValues } from "../parse.js";
import type { DockerfileCheck } from "./types.js";

export const dfSecrets: DockerfileCheck = {
  id: "KW-DF-005",
  title: "Secret in ENV or ARG",
  severity: "critical",
  layer: "image",
  description: "A credential set with ENV or ARG stays in the image config or build history.",
  remediation: "Use build secrets (RUN --mount=type=secret) and runtime Secrets instead.",
  references: ["https://docs.docker.com/build/building/secrets/"],
  frameworks: {},
  run(df) {
    const out = [];
    for (const i of df.instructions) {
      if (i.cmd !== "ENV" && i.cmd !== "ARG") continue;
      for (const [name, value] of keyValues(i.args)) {
        const why = secretReason(name, value);
        if (why) out.push({ message: `${i.cmd} ${name}: ${why}`, line: i.line });
      }
    }
    return out;
  },
};
