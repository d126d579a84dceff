// Registries, folders and docs agree: every benchmark module is run by `npm run bench`, every layer's
// commands are registered, and every doc the README names exists.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..", "..");

describe("registries", () => {
  it("bench/run.ts lists every benchmark module in bench/", () => {
    const runner = readFileSync(join(ROOT, "bench", "run.ts"), "utf8");
    const listed = [...runner.matchAll(/import\("\.\/([\w-]+)\.js"\)/g)].map((m) => m[1]).sort();
    const modules = readdirSync(join(ROOT, "bench"))
      .filter(
        (f) =>
          f.endsWith(".ts") &&
          /export async function run\(/.test(readFileSync(join(ROOT, "bench", f), "utf8")),
      )
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(listed).toEqual(modules);
  });

  it("src/cli/layers.ts registers the commands of every layer that has a cli.ts", () => {
    const layers = readFileSync(join(ROOT, "src", "cli", "layers.ts"), "utf8");
    for (const dir of readdirSync(join(ROOT, "src"))) {
      if (dir === "cli" || !existsSync(join(ROOT, "src", dir, "cli.ts"))) continue;
      expect(layers, dir).toContain(`from "../${dir}/cli.js"`);
    }
  });

  it("every doc the README links to exists", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\((docs\/[\w.-]+\.md)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(existsSync(join(ROOT, link)), link).toBe(true);
  });
});
