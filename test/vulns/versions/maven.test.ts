import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareVersions } from "../../../src/vulns/versions/index.js";
import { maven } from "../../../src/vulns/versions/maven/index.js";
import { rng } from "../helpers.js";

// Oracle: Maven's own ComparableVersion (maven-artifact 3.8.7), run as `java -cp jar ...ComparableVersion v1 v2 ...`,
// which prints the comparison of each consecutive pair.
const JAR = "/usr/share/maven-repo/org/apache/maven/maven-artifact/3.8.7/maven-artifact-3.8.7.jar";
const canRun =
  existsSync(JAR) &&
  (() => {
    try {
      execFileSync("java", ["-version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

/** Real artifact versions: the directory names of the local Maven repository. */
function localRepoVersions(): string[] {
  const out = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (/^\d/.test(e.name)) out.add(e.name);
      else walk(join(dir, e.name), depth + 1);
    }
  };
  for (const root of ["/root/.m2/repository", "/usr/share/maven-repo"]) if (existsSync(root)) walk(root, 0);
  return [...out];
}

const EDGE = [
  "1",
  "1.0",
  "1.0.0",
  "1-ga",
  "1-final",
  "1-release",
  "1-sp",
  "1-sp1",
  "1-alpha",
  "1-alpha-1",
  "1-a1",
  "1-b1",
  "1-m1",
  "1-beta",
  "1-rc",
  "1-cr",
  "1-rc1",
  "1-snapshot",
  "1-SNAPSHOT",
  "1.0-xyz",
  "1.0.xyz",
  "1-1",
  "1.1",
  "1-abc",
  "1-0.1",
  "1.0.0-alpha1",
  "2.0.1-beta-2",
  "1.0-1",
  "1.0.1",
  "1.0-alpha-10",
  "1.0-alpha-2",
  "1.0RC1",
  "1.0-rc-1",
  "1.0a",
  "1.0b",
  "1.0c",
  "1.0.0.0.0.1",
  "1.2.3.jre7",
  "1.2.3.jre8",
  "2.0.0.Final",
  "3.0.0-M1",
  "4.0-beta-1",
  "10.0.0",
  "1..1",
  "1--1",
];

describe("Maven versions", () => {
  it.runIf(canRun)("agrees with Maven's ComparableVersion on 3,000 pairs", () => {
    const versions = [...localRepoVersions(), ...EDGE];
    const r = rng(5);
    const seq: string[] = [];
    for (let i = 0; i < 3000; i++) seq.push(versions[Math.floor(r() * versions.length)]!);
    for (const a of EDGE) for (const b of EDGE.slice(0, 12)) seq.push(a, b);
    const out = execFileSync(
      "java",
      ["-cp", JAR, "org.apache.maven.artifact.versioning.ComparableVersion", ...seq],
      {
        maxBuffer: 1 << 26,
      },
    ).toString();
    const verdicts = [...out.matchAll(/^ {3}(\S+) ([<>=]+) (\S+)$/gm)].map(
      (m) => [m[1]!, m[3]!, m[2] === "<" ? -1 : m[2] === ">" ? 1 : 0] as const,
    );
    expect(verdicts.length).toBe(seq.length - 1);
    const wrong = verdicts.filter(([a, b, want]) => Math.sign(compareVersions(maven, a, b)) !== want);
    expect(wrong).toEqual([]);
  });
});
