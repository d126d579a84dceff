// Writing test trees: files below a temporary directory, named pipes and symlink loops.
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes `content` to `rel` below `root`, making the directories on the way; returns the file's path. */
export function writeUnder(root: string, rel: string, content: string | Buffer): string {
  const file = join(root, rel);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** A named pipe at `path`: opening it for reading blocks until a writer comes. */
export function mkfifo(path: string): void {
  execFileSync("mkfifo", [path]);
}

/** Makes `dir` holding symlink loops: `self` (its own directory) and `a` and `b` (pointing at each other). */
export function linkLoops(dir: string): void {
  mkdirSync(dir, { recursive: true });
  symlinkSync(".", join(dir, "self"));
  symlinkSync("b", join(dir, "a"));
  symlinkSync("a", join(dir, "b"));
}
