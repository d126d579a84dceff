import type { DockerfileCheck } from "./types.js";

export const dfSshPort: DockerfileCheck = {
  id: "KW-DF-004",
  title: "Dockerfile exposes the SSH port",
  severity: "medium",
  layer: "image",
  description: "EXPOSE 22 suggests an SSH server in the container.",
  remediation: "Remove the SSH server and EXPOSE 22; use kubectl exec or ephemeral containers.",
  references: [
    "https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container",
  ],
  frameworks: {},
  run(df) {
    return df.instructions
      .filter((i) => i.cmd === "EXPOSE" && i.args.split(/\s+/).some((p) => /^22(\/tcp)?$/.test(p)))
      .map((i) => ({ message: `EXPOSE ${i.args}`, line: i.line }));
  },
};
