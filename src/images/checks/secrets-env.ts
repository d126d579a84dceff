import { secretReason, splitEnv } from "./secrets.js";
import type { ImageCheck } from "./types.js";

export const secretsInEnv: ImageCheck = {
  id: "KW-IMG-002",
  title: "Secret in image environment",
  severity: "critical",
  layer: "image",
  description:
    "An ENV variable baked into the image looks like a credential; anyone who can pull the image can read it.",
  remediation:
    "Remove the secret from the image; pass it at run time from a Kubernetes Secret or a secrets manager.",
  references: ["https://docs.docker.com/build/building/secrets/"],
  frameworks: {},
  run(f) {
    const out = [];
    for (const entry of f.config.config?.Env ?? []) {
      const [name, value] = splitEnv(entry);
      const why = secretReason(name, value);
      if (why) out.push({ message: `ENV ${name}: ${why}`, details: { variable: name } });
    }
    return out;
  },
};
