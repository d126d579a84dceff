import type { OsInfo } from "../../core/cataloger.js";
import { OS_ECOSYSTEMS, type Package } from "../../core/model.js";
import { ecosystemBase } from "../versions/index.js";

/** The OSV release a distribution's advisories are filed under: Debian "12", Alpine "v3.20", Ubuntu "22.04". */
export function osRelease(base: string, os: OsInfo | undefined): string | undefined {
  const v = os?.version ?? "";
  if (!v) return undefined;
  switch (base) {
    case "Debian":
      return v.split(".")[0];
    case "Alpine": {
      const [maj, min] = v.split(".");
      return min === undefined ? undefined : `v${maj}.${min}`;
    }
    case "Red Hat":
    case "Rocky Linux":
    case "AlmaLinux":
      return v.split(".")[0];
    default:
      return v;
  }
}

/**
 * Whether an advisory filed for `rowRelease` of an ecosystem applies to a system running `release`.
 * Ubuntu files "22.04:LTS" and "Pro:22.04:LTS"; Red Hat files "enterprise_linux:9::appstream" and the like.
 */
export function releaseMatches(base: string, rowRelease: string, release: string | undefined): boolean {
  if (!OS_ECOSYSTEMS.has(base)) return true;
  if (rowRelease === "") return base === "Wolfi" || base === "Chainguard" || release === undefined;
  if (release === undefined) return false;
  if (rowRelease === release) return true;
  switch (base) {
    case "Ubuntu":
      return rowRelease.split(":").includes(release);
    case "Red Hat":
      return new RegExp(`(^|:|_)${release.replace(/\./g, "\\.")}(:|$|\\.)`).test(rowRelease);
    default:
      return false;
  }
}

/** The ecosystem base and release a package's advisories are looked up under. */
export function packageEcosystem(pkg: Package, os: OsInfo | undefined): { base: string; release?: string } {
  const base = ecosystemBase(pkg.ecosystem);
  const i = pkg.ecosystem.indexOf(":");
  if (i >= 0) return { base, release: pkg.ecosystem.slice(i + 1) };
  return { base, ...(OS_ECOSYSTEMS.has(base) ? { release: osRelease(base, os) } : {}) };
}
