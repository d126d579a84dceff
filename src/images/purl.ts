import type { OsInfo } from "../core/cataloger.js";
import type { Package } from "../core/model.js";

/** Percent-encodes a purl component (RFC 3986 unreserved characters and ':' stay as they are). */
function enc(s: string): string {
  return encodeURIComponent(s).replace(/%3A/gi, ":");
}

export function makePurl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers: Record<string, string | undefined> = {},
): string {
  const ns = namespace ? `${namespace.split("/").map(enc).join("/")}/` : "";
  const q = Object.entries(qualifiers)
    .filter((e): e is [string, string] => !!e[1])
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${enc(v)}`)
    .join("&");
  return `pkg:${type}/${ns}${enc(name)}${version ? `@${enc(version)}` : ""}${q ? `?${q}` : ""}`;
}

const RPM_VENDORS: Record<string, string> = {
  rhel: "redhat",
  centos: "centos",
  fedora: "fedora",
  rocky: "rocky",
  almalinux: "almalinux",
  amzn: "amazon",
  ol: "oracle",
  opensuse: "opensuse",
  "opensuse-leap": "opensuse",
  sles: "suse",
  mariner: "mariner",
  azurelinux: "azurelinux",
};

/** The Package URL of a package, using the OS for distro packages (namespace and distro qualifier). */
export function purlFor(p: Package & { arch?: string; epoch?: number }, os?: OsInfo): string | undefined {
  const distro = os ? `${os.family}-${os.version}` : undefined;
  switch (p.ecosystem) {
    case "Debian":
    case "Ubuntu":
      return makePurl("deb", os?.family ?? p.ecosystem.toLowerCase(), p.name, p.version, {
        arch: p.arch,
        distro,
      });
    case "Alpine":
      return makePurl("apk", "alpine", p.name, p.version, { arch: p.arch, distro: os?.version });
    case "Red Hat":
    case "Fedora":
    case "Rocky Linux":
    case "AlmaLinux":
    case "Amazon Linux":
      return makePurl("rpm", RPM_VENDORS[os?.family ?? ""] ?? os?.family ?? "redhat", p.name, p.version, {
        arch: p.arch,
        epoch: p.epoch ? String(p.epoch) : undefined,
        distro,
      });
    case "npm": {
      const at = p.name.startsWith("@") ? p.name.indexOf("/") : -1;
      return at > 0
        ? makePurl("npm", p.name.slice(0, at), p.name.slice(at + 1), p.version)
        : makePurl("npm", undefined, p.name, p.version);
    }
    case "PyPI":
      return makePurl("pypi", undefined, p.name.toLowerCase().replace(/[-_.]+/g, "-"), p.version);
    case "Go": {
      const slash = p.name.lastIndexOf("/");
      return slash > 0
        ? makePurl("golang", p.name.slice(0, slash), p.name.slice(slash + 1), p.version)
        : makePurl("golang", undefined, p.name, p.version);
    }
    case "Maven": {
      const [group, artifact] = p.name.split(":");
      return artifact
        ? makePurl("maven", group, artifact, p.version)
        : makePurl("maven", undefined, p.name, p.version);
    }
    case "crates.io":
      return makePurl("cargo", undefined, p.name, p.version);
    case "RubyGems":
      return makePurl("gem", undefined, p.name, p.version);
    default:
      return undefined;
  }
}

/** OSV ecosystem of the distribution's packages. */
export function osEcosystem(os: OsInfo | undefined, fallback: string): string {
  switch (os?.family) {
    case "ubuntu":
      return "Ubuntu";
    case "debian":
      return "Debian";
    case "alpine":
      return "Alpine";
    case "rhel":
    case "centos":
      return "Red Hat";
    case "fedora":
      return "Fedora";
    case "rocky":
      return "Rocky Linux";
    case "almalinux":
      return "AlmaLinux";
    case "amzn":
      return "Amazon Linux";
    default:
      return fallback;
  }
}
