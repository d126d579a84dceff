import type { CatalogFile } from "../../core/cataloger.js";
import type { ImageCataloger } from "./types.js";

/** Debian license short names → SPDX ids, where the meaning is the same. */
const SPDX: Record<string, string> = {
  "GPL-1": "GPL-1.0-only",
  "GPL-1+": "GPL-1.0-or-later",
  "GPL-2": "GPL-2.0-only",
  "GPL-2+": "GPL-2.0-or-later",
  "GPL-3": "GPL-3.0-only",
  "GPL-3+": "GPL-3.0-or-later",
  "LGPL-2": "LGPL-2.0-only",
  "LGPL-2+": "LGPL-2.0-or-later",
  "LGPL-2.1": "LGPL-2.1-only",
  "LGPL-2.1+": "LGPL-2.1-or-later",
  "LGPL-3": "LGPL-3.0-only",
  "LGPL-3+": "LGPL-3.0-or-later",
  "AGPL-3": "AGPL-3.0-only",
  "AGPL-3+": "AGPL-3.0-or-later",
  Expat: "MIT",
  "BSD-2-clause": "BSD-2-Clause",
  "BSD-3-clause": "BSD-3-Clause",
  "BSD-4-clause": "BSD-4-Clause",
  "Apache-2": "Apache-2.0",
  "MPL-2": "MPL-2.0",
  "Artistic-1": "Artistic-1.0",
};

function normalise(name: string): string {
  return SPDX[name] ?? name;
}

/**
 * License names from a Debian copyright file: the `License:` short names of a machine-readable
 * (DEP-5) file, else the /usr/share/common-licenses files it refers to. In order, without repeats.
 */
export function parseDebianCopyright(text: string): string[] {
  const found: string[] = [];
  const add = (l: string) => {
    const n = normalise(l.trim());
    if (n && !found.includes(n)) found.push(n);
  };
  if (/^Format:/m.test(text)) {
    for (const m of text.matchAll(/^License:[ \t]*(\S[^\n]*)$/gm)) {
      // "GPL-2+ or Artistic" / "LGPL-3+ or GPL-2+": each alternative is a license of the package.
      for (const part of m[1]!.split(/\s+(?:or|and)\s+|,\s*/i)) add(part.replace(/\s+with\s+.*$/i, ""));
    }
  } else {
    for (const m of text.matchAll(/\/usr\/share\/common-licenses\/([A-Za-z0-9.+-]+)/g))
      add(m[1]!.replace(/\.$/, ""));
  }
  return found;
}

export const dpkgCopyrightCataloger: ImageCataloger = {
  id: "dpkg-copyright",
  wants: (path, size) => size < 1 << 20 && /^usr\/share\/doc\/[^/]+\/copyright$/.test(path),
  catalog: () => [],
  annotate(file: CatalogFile) {
    const name = file.path.split("/")[3]!;
    const licenses = parseDebianCopyright(file.data.toString("utf8"));
    return licenses.length ? [{ manager: "dpkg", name, licenses }] : [];
  },
};
