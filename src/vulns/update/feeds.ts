import type { FeedKind } from "../importers/index.js";

export interface Feed {
  name: string;
  kind: FeedKind;
  url: string;
  /** For secdb feeds: "Alpine" or "Wolfi". */
  distro?: string;
}

/** The OSV ecosystems `db update` fetches by default (OSV's per-ecosystem all.zip). */
export const DEFAULT_OSV_ECOSYSTEMS = [
  "Debian",
  "Ubuntu",
  "Alpine",
  "Red Hat",
  "npm",
  "PyPI",
  "Go",
  "Maven",
  "crates.io",
  "RubyGems",
  "NuGet",
  "Packagist",
] as const;

export const DEFAULT_OSV_URL = "https://osv-vulnerabilities.storage.googleapis.com";
export const DEFAULT_DEBIAN_TRACKER_URL = "https://security-tracker.debian.org/tracker/data/json";
export const DEFAULT_ALPINE_SECDB_URL = "https://secdb.alpinelinux.org";
export const DEFAULT_ALPINE_RELEASES = ["v3.18", "v3.19", "v3.20", "v3.21", "v3.22"];

export interface FeedSettings {
  osvUrl?: string;
  ecosystems?: readonly string[];
  /** "none" turns the feed off. */
  debianTrackerUrl?: string;
  alpineSecdbUrl?: string;
  alpineReleases?: readonly string[];
}

/** Feed settings from the environment: mirrors for air-gapped or proxied sites. */
export function feedSettingsFromEnv(env: NodeJS.ProcessEnv): FeedSettings {
  return {
    ...(env.KUBEWARD_OSV_URL ? { osvUrl: env.KUBEWARD_OSV_URL } : {}),
    ...(env.KUBEWARD_OSV_ECOSYSTEMS
      ? { ecosystems: env.KUBEWARD_OSV_ECOSYSTEMS.split(",").map((s) => s.trim()) }
      : {}),
    ...(env.KUBEWARD_DEBIAN_TRACKER_URL ? { debianTrackerUrl: env.KUBEWARD_DEBIAN_TRACKER_URL } : {}),
    ...(env.KUBEWARD_ALPINE_SECDB_URL ? { alpineSecdbUrl: env.KUBEWARD_ALPINE_SECDB_URL } : {}),
  };
}

/** The list of feeds to download for the given settings (later settings win over earlier ones). */
export function feedList(s: FeedSettings): Feed[] {
  const osv = (s.osvUrl ?? DEFAULT_OSV_URL).replace(/\/+$/, "");
  const feeds: Feed[] = (s.ecosystems ?? DEFAULT_OSV_ECOSYSTEMS).filter(Boolean).map((e) => ({
    name: `osv:${e}`,
    kind: "osv" as const,
    url: `${osv}/${encodeURIComponent(e)}/all.zip`,
  }));
  const deb = s.debianTrackerUrl ?? DEFAULT_DEBIAN_TRACKER_URL;
  if (deb !== "none") feeds.push({ name: "debian-tracker", kind: "debian-tracker", url: deb });
  const alp = s.alpineSecdbUrl ?? DEFAULT_ALPINE_SECDB_URL;
  if (alp !== "none") {
    for (const rel of s.alpineReleases ?? DEFAULT_ALPINE_RELEASES) {
      for (const repo of ["main", "community"])
        feeds.push({
          name: `alpine-secdb:${rel}/${repo}`,
          kind: "alpine-secdb",
          url: `${alp.replace(/\/+$/, "")}/${rel}/${repo}.json`,
          distro: "Alpine",
        });
    }
  }
  return feeds;
}
