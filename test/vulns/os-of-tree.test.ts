import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { osOfTree } from "../../src/vulns/scan.js";

const dirs: string[] = [];
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "kw-os-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("osOfTree (scan fs) identifies a root filesystem as scan image does", () => {
  it("reads os-release", () => {
    const dir = tree({
      "etc/os-release": 'ID=alpine\nVERSION_ID=3.20.1\nPRETTY_NAME="Alpine Linux v3.20"\n',
    });
    expect(osOfTree(dir)).toMatchObject({ family: "alpine", version: "3.20.1" });
  });

  it("falls back to etc/debian_version when os-release has no VERSION_ID", () => {
    const dir = tree({
      "etc/os-release":
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n',
      "etc/debian_version": "12.8\n",
    });
    expect(osOfTree(dir)).toMatchObject({ family: "debian", version: "12.8" });
  });

  it("falls back to usr/lib/os-release, and is undefined for a source tree", () => {
    expect(osOfTree(tree({ "usr/lib/os-release": "ID=ubuntu\nVERSION_ID=22.04\n" }))).toMatchObject({
      family: "ubuntu",
      version: "22.04",
    });
    expect(osOfTree(tree({ "package.json": "{}" }))).toBeUndefined();
  });
});
