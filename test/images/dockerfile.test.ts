import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  DOCKERFILE_CHECKS,
  HELPER_FILES,
  isDockerfileName,
  runDockerfileChecks,
} from "../../src/images/dockerfile/checks/index.js";
import { parseDockerfile } from "../../src/images/dockerfile/parse.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("Dockerfile parser", () => {
  it("joins continuation lines, keeps start lines, skips comments, honours the escape directive and heredocs", () => {
    const df = parseDockerfile(
      "# escape=`\nFROM mcr.microsoft.com/windows/servercore AS base\n# comment\nRUN echo a `\n  && echo b\nRUN <<EOF\necho hi\nEOF\nUSER app\n",
    );
    expect(df.instructions.map((i) => [i.cmd, i.line, i.stage])).toEqual([
      ["FROM", 2, 0],
      ["RUN", 4, 0],
      ["RUN", 6, 0],
      ["USER", 9, 0],
    ]);
    expect(df.instructions[1]!.args).toBe("echo a  && echo b");
    expect(df.instructions[2]!.args).toContain("echo hi");
  });
});

describe("Dockerfile checks", () => {
  it("registers one check per file", () => {
    const files = readdirSync(join(here, "../../src/images/dockerfile/checks")).filter(
      (f) => f.endsWith(".ts") && !HELPER_FILES.includes(f),
    );
    expect(DOCKERFILE_CHECKS.size).toBe(files.length);
  });

  it("finds each problem on its line", () => {
    const text = [
      "FROM golang AS build", // 1: no tag
      "RUN go build -o /app .", // 2
      "FROM debian:latest", // 3: latest
      "ARG GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", // 4: secret
      "ENV APP_HOME=/app DB_PASSWORD=supersecret", // 5: secret
      "RUN apt-get update && apt-get install -y curl", // 6: cache
      "RUN apk add curl", // 7: cache
      "RUN curl -fsSL https://get.example.invalid/install.sh | sh", // 8: pipe
      "ADD https://example.invalid/x.tgz /opt/", // 9: remote add
      "ADD --checksum=sha256:abc https://example.invalid/y.tgz /opt/", // 10: fine
      "EXPOSE 8080 22/tcp", // 11: ssh
      "COPY --from=build /app /app", // 12
      "USER root", // 13: root
    ].join("\n");
    const { findings, errors } = runDockerfileChecks("Dockerfile", text);
    expect(errors).toEqual([]);
    expect(findings.map((f) => [f.checkId, f.location?.line])).toEqual([
      ["KW-DF-001", 13],
      ["KW-DF-002", 1],
      ["KW-DF-002", 3],
      ["KW-DF-003", 9],
      ["KW-DF-004", 11],
      ["KW-DF-005", 4],
      ["KW-DF-005", 5],
      ["KW-DF-006", 6],
      ["KW-DF-006", 7],
      ["KW-DF-007", 8],
      ["KW-DF-009", 6],
    ]);
  });

  // Cases of hadolint's DL3005 and DL3015 (their specs), plus the shell and exec forms around them.
  it.each([
    ["RUN apt-get update && apt-get dist-upgrade", ["KW-DF-008"]],
    ["ONBUILD RUN apt-get update && apt-get dist-upgrade", ["KW-DF-008"]],
    ["RUN apt-get update; apt-get -y upgrade", ["KW-DF-008"]],
    ["RUN sudo apt-get upgrade -y", ["KW-DF-008"]],
    ["RUN apt-get install --no-install-recommends python", []],
    ["ONBUILD RUN apt-get install --no-install-recommends python", []],
    ["RUN apt-get install python", ["KW-DF-009"]],
    ["ONBUILD RUN apt-get install python", ["KW-DF-009"]],
    ["RUN apt-get -y install python", ["KW-DF-009"]],
    ["RUN apt-get -o APT::Install-Recommends=false install python", []],
    ['RUN ["apt-get", "install", "-y", "python"]', ["KW-DF-009"]],
    ['RUN ["apt-get", "install", "--no-install-recommends", "python"]', []],
    ["RUN DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get install -y python", ["KW-DF-009"]],
    // Not apt-get itself, or apt-get asked for something else.
    ["RUN echo 'apt-get upgrade' && apt-cache policy upgrade", []],
    [
      "RUN apt-get update && apt-get install -y --no-install-recommends a && apt-get install -y b",
      ["KW-DF-009"],
    ],
    ["RUN --mount=type=cache,target=/var/cache/apt apt-get install -y --no-install-recommends a", []],
  ])("%s", (run, ids) => {
    const text = `FROM debian:12.7\n${run}\nUSER 1000\n`;
    const found = runDockerfileChecks("Dockerfile", text)
      .findings.map((f) => f.checkId)
      .filter((id) => id === "KW-DF-008" || id === "KW-DF-009");
    expect(found).toEqual(ids);
  });

  it("passes a careful Dockerfile", () => {
    const text = [
      "FROM debian:12.7-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS base",
      "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \\",
      "    && rm -rf /var/lib/apt/lists/*",
      "FROM base",
      "USER 10001",
    ].join("\n");
    expect(runDockerfileChecks("Dockerfile", text)).toEqual({ findings: [], errors: [] });
  });

  it("reports empty and FROM-less files", () => {
    expect(runDockerfileChecks("Dockerfile", "# nothing\n").errors.map((e) => e.code)).toEqual([
      "dockerfile-empty",
    ]);
    expect(runDockerfileChecks("Dockerfile", "RUN echo\n").errors.map((e) => e.code)).toEqual([
      "dockerfile-no-from",
    ]);
  });

  it("recognises Dockerfile names", () => {
    expect(
      ["Dockerfile", "a/Dockerfile.prod", "Containerfile", "x/app.dockerfile"].every(isDockerfileName),
    ).toBe(true);
    expect(isDockerfileName("docker-compose.yml")).toBe(false);
    // named after Dockerfiles, but source, docs or data (common in Go projects: dockerfile.go)
    for (const name of [
      "pkg/dockerfile.go",
      "Dockerfile.md",
      "docs/Dockerfile.txt",
      "Dockerfile.yaml",
      "x/dockerfile.py",
    ]) {
      expect(isDockerfileName(name), name).toBe(false);
    }
    expect(
      ["Dockerfile.tmpl", "Dockerfile.j2", "Dockerfile.dev", "build/Containerfile.alpine"].every(
        isDockerfileName,
      ),
    ).toBe(true);
  });
});
