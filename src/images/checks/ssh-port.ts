import type { ImageCheck } from "./types.js";

export const sshPort: ImageCheck = {
  id: "KW-IMG-006",
  title: "Image exposes the SSH port",
  severity: "medium",
  layer: "image",
  description:
    "The image exposes port 22: containers should not run an SSH server; use kubectl exec or ephemeral debug containers.",
  remediation: "Remove EXPOSE 22 and the SSH server from the image.",
  references: [
    "https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container",
  ],
  frameworks: {},
  run(f) {
    const ports = Object.keys(f.config.config?.ExposedPorts ?? {});
    return ports
      .filter((p) => /^22(\/tcp)?$/.test(p))
      .map((p) => ({ message: `EXPOSE ${p}`, details: { port: p } }));
  },
};
