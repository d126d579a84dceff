import { apk } from "./apk/index.js";
import { dpkg } from "./dpkg/index.js";
import { generic } from "./generic/index.js";
import { golang } from "./golang/index.js";
import { maven } from "./maven/index.js";
import { nuget } from "./nuget/index.js";
import { pep440 } from "./pep440/index.js";
import { rpm } from "./rpm/index.js";
import { rubygems } from "./rubygems/index.js";
import type { VersionScheme } from "./scheme.js";
import { semver } from "./semver/index.js";

/** Every version scheme, by id. One folder per scheme; test/vulns/versions-registry.test.ts keeps them in step. */
export const SCHEMES: ReadonlyMap<string, VersionScheme<unknown>> = new Map<string, VersionScheme<unknown>>([
  [apk.id, apk],
  [dpkg.id, dpkg],
  [generic.id, generic],
  [golang.id, golang],
  [maven.id, maven],
  [nuget.id, nuget],
  [pep440.id, pep440],
  [rpm.id, rpm],
  [rubygems.id, rubygems],
  [semver.id, semver],
]);

/** OSV ecosystem (before any ":release" suffix) to the scheme its ECOSYSTEM ranges use. */
const BY_ECOSYSTEM: Record<string, string> = {
  Debian: "dpkg",
  Ubuntu: "dpkg",
  Alpine: "apk",
  Wolfi: "apk",
  Chainguard: "apk",
  "Red Hat": "rpm",
  "Rocky Linux": "rpm",
  AlmaLinux: "rpm",
  openSUSE: "rpm",
  SUSE: "rpm",
  Mageia: "rpm",
  "Photon OS": "rpm",
  "Azure Linux": "rpm",
  npm: "semver",
  "crates.io": "semver",
  Hex: "semver",
  Pub: "semver",
  SwiftURL: "semver",
  PyPI: "pep440",
  Go: "go",
  Maven: "maven",
  RubyGems: "rubygems",
  NuGet: "nuget",
  Packagist: "generic",
};

/** The base of an OSV ecosystem name: "Debian:12" → "Debian", "Ubuntu:22.04:LTS" → "Ubuntu". */
export function ecosystemBase(ecosystem: string): string {
  const i = ecosystem.indexOf(":");
  return i < 0 ? ecosystem : ecosystem.slice(0, i);
}

export function schemeForEcosystem(ecosystem: string): VersionScheme<unknown> {
  return SCHEMES.get(BY_ECOSYSTEM[ecosystemBase(ecosystem)] ?? "generic")!;
}

export { compareVersions, isValidVersion, VersionError, type VersionScheme } from "./scheme.js";
