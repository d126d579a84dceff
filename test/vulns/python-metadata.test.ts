// scan fs and scan image read installed Python metadata with one parser: for the same real
// dist-info and egg-info files (this machine's Debian python3 packages), both report the same
// packages with the same licences.
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Package } from "../../src/core/model.js";
import { inventoryRootfs } from "../../src/images/index.js";
import { walkTree } from "../../src/vulns/fswalk.js";
import { fsCatalogers } from "../../src/vulns/scan.js";

const ROOT = "/usr/lib/python3";

/** name@version -> licences, for the PyPI packages of a scan, keyed by the metadata file. */
function byFile(pkgs: readonly Package[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of pkgs.filter((x) => x.ecosystem === "PyPI"))
    out.set(String(p.path).replace(/^\//, ""), `${p.name}@${p.version} ${JSON.stringify(p.licenses ?? [])}`);
  return out;
}

describe("installed Python metadata", () => {
  it("scan fs and scan image report the same packages and licences", async () => {
    expect(existsSync(`${ROOT}/dist-packages`), `${ROOT}/dist-packages (Debian's python3)`).toBe(true);
    const installed = readdirSync(`${ROOT}/dist-packages`).filter((n) => /\.(dist|egg)-info$/.test(n));
    const fs = walkTree(ROOT, { catalogers: fsCatalogers() });
    const image = await inventoryRootfs(ROOT);
    const fsPkgs = byFile(fs.packages);
    const imagePkgs = byFile(image.packages);
    expect(fsPkgs.size).toBe(installed.length);
    expect(fsPkgs).toEqual(imagePkgs);
    // The licences come from all three sources the parser knows: License-Expression or License,
    // else the classifiers; a real set of Debian packages has packages of the latter kinds.
    const licensed = [...fsPkgs.values()].filter((v) => !v.endsWith(" []"));
    expect(licensed.length).toBeGreaterThan(installed.length / 2);
    expect(fs.errors.filter((e) => e.code === "python-metadata")).toEqual([]);
  });
});
