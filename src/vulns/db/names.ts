import { ecosystemBase } from "../versions/index.js";

/**
 * The name under which a package is stored and looked up, so that spellings the ecosystem treats as
 * the same package meet: PEP 503 for PyPI, lower case for ecosystems whose registries ignore case.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  switch (ecosystemBase(ecosystem)) {
    case "PyPI":
      return name.toLowerCase().replace(/[-_.]+/g, "-");
    case "NuGet":
    case "Packagist":
    case "Hackage":
      return name.toLowerCase();
    case "Alpine":
    case "Debian":
    case "Ubuntu":
      return name.toLowerCase();
    default:
      return name;
  }
}

/** "Debian:12" → "12"; "Ubuntu:22.04:LTS" → "22.04:LTS"; "npm" → "". */
export function ecosystemRelease(ecosystem: string): string {
  const i = ecosystem.indexOf(":");
  return i < 0 ? "" : ecosystem.slice(i + 1);
}
