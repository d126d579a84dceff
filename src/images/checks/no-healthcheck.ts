import type { ImageCheck } from "./types.js";

export const noHealthcheck: ImageCheck = {
  id: "KW-IMG-007",
  title: "Image has no HEALTHCHECK",
  severity: "low",
  layer: "image",
  description:
    "The image defines no HEALTHCHECK. Kubernetes ignores it (probes are set in the pod), but other runtimes rely on it.",
  remediation: "Add a HEALTHCHECK, and define liveness/readiness probes in the pod spec.",
  references: ["https://docs.docker.com/reference/dockerfile/#healthcheck"],
  frameworks: {},
  run(f) {
    const test = f.config.config?.Healthcheck?.Test;
    if (test && test.length > 0 && test[0] !== "NONE") return [];
    return [
      {
        message:
          test?.[0] === "NONE"
            ? "HEALTHCHECK NONE disables the health check"
            : "no HEALTHCHECK in the image config",
      },
    ];
  },
};
