import type { DockerfileCheck } from "./types.js";

export const dfCurlPipeShell: DockerfileCheck = {
  id: "KW-DF-007",
  title: "Remote script piped into a shell",
  severity: "high",
  layer: "image",
  description: "RUN curl/wget ... | sh runs whatever the server returns at build time, unverified.",
  remediation: "Download the script, verify its checksum or signature, then run it.",
  references: ["https://docs.docker.com/build/building/best-practices/#using-pipes"],
  frameworks: {},
  run(df) {
    return df.instructions
      .filter((i) => i.cmd === "RUN" && /\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(ba|z|da)?sh\b/.test(i.args))
      .map((i) => ({ message: "downloads a script and pipes it into a shell", line: i.line }));
  },
};
