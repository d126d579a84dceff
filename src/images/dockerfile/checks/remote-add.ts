import type { DockerfileCheck } from "./types.js";

export const dfRemoteAdd: DockerfileCheck = {
  id: "KW-DF-003",
  title: "ADD downloads a URL without a checksum",
  severity: "medium",
  layer: "image",
  description: "ADD <url> fetches content at build time without verifying it.",
  remediation: "Use ADD --checksum=sha256:<digest> <url>, or curl + sha256sum -c in a RUN step.",
  references: ["https://docs.docker.com/reference/dockerfile/#add"],
  frameworks: {},
  run(df) {
    return df.instructions
      .filter(
        (i) => i.cmd === "ADD" && /(^|\s)(https?|ftp):\/\//i.test(i.args) && !/--checksum=/.test(i.args),
      )
      .map((i) => ({ message: `ADD ${i.args}`, line: i.line }));
  },
};
