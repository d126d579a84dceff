import { secretReason } from "./secrets.js";
import type { ImageCheck } from "./types.js";

export const secretsInLabels: ImageCheck = {
  id: "KW-IMG-003",
  title: "Secret in image label",
  severity: "high",
  layer: "image",
  description: "An image label looks like a credential; labels are public metadata of the image.",
  remediation: "Remove the secret from the labels and rotate it.",
  references: ["https://docs.docker.com/build/building/secrets/"],
  frameworks: {},
  run(f) {
    const out = [];
    for (const [name, value] of Object.entries(f.config.config?.Labels ?? {})) {
      const why = secretReason(name.replace(/[.-]/g, "_"), String(value));
      if (why) out.push({ message: `label ${name}: ${why}`, details: { label: name } });
    }
    return out;
  },
};
