import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * The package's root folder (holding package.json), found by walking up from this module.
 * Data files shipped in the package (benchmark definitions, rule sets) are resolved from here,
 * so they load the same from src/ (tests), dist/ (CLI) and dist-bench/ (benchmarks).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("kubeward: cannot find the package root (package.json)");
    dir = parent;
  }
  cached = dir;
  return dir;
}

/** A path inside the package, e.g. packageFile("src", "node", "benchmarks"). */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
