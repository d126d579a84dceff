import type { Package } from "../../core/model.js";

export interface Purl {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers: Record<string, string>;
}

/** Parses a package URL (github.com/package-url/purl-spec); undefined when it is not one. */
export function parsePurl(s: string): Purl | undefined {
  const m = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/([^?#]+?)(?:\?([^#]*))?(?:#.*)?$/.exec(s.trim());
  if (!m) return undefined;
  const type = m[1]!.toLowerCase();
  let path = m[2]!.replace(/^\/+/, "");
  let version: string | undefined;
  const at = path.lastIndexOf("@");
  if (at > 0) {
    version = decodeURIComponent(path.slice(at + 1));
    path = path.slice(0, at);
  }
  const segs = path.split("/").map((x) => decodeURIComponent(x));
  const name = segs.pop()!;
  if (!name) return undefined;
  const qualifiers: Record<string, string> = {};
  for (const kv of (m[3] ?? "").split("&")) {
    const eq = kv.indexOf("=");
    if (eq > 0) qualifiers[kv.slice(0, eq).toLowerCase()] = decodeURIComponent(kv.slice(eq + 1));
  }
  return {
    type,
    ...(segs.length ? { namespace: segs.join("/") } : {}),
    name,
    ...(version !== undefined ? { version } : {}),
    qualifiers,
  };
}

const OS_TYPES: Record<string, Record<string, string>> = {
  deb: { debian: "Debian", ubuntu: "Ubuntu" },
  apk: { alpine: "Alpine", wolfi: "Wolfi", chainguard: "Chainguard" },
  rpm: {
    redhat: "Red Hat",
    rhel: "Red Hat",
    rocky: "Rocky Linux",
    almalinux: "AlmaLinux",
    fedora: "Fedora",
    amzn: "Amazon Linux",
  },
};

/** The Package a purl names, with the OSV ecosystem; undefined for types kubeward cannot match. */
export function purlToPackage(s: string): Package | undefined {
  const p = parsePurl(s);
  if (!p || p.version === undefined) return undefined;
  const ns = p.namespace;
  const base = { version: p.version, purl: s };
  switch (p.type) {
    case "pypi":
      return { ...base, name: p.name, ecosystem: "PyPI" };
    case "npm":
      return { ...base, name: ns ? `${ns}/${p.name}` : p.name, ecosystem: "npm" };
    case "golang":
      return { ...base, name: ns ? `${ns}/${p.name}` : p.name, ecosystem: "Go" };
    case "maven":
      return ns ? { ...base, name: `${ns}:${p.name}`, ecosystem: "Maven" } : undefined;
    case "cargo":
      return { ...base, name: p.name, ecosystem: "crates.io" };
    case "gem":
      return { ...base, name: p.name, ecosystem: "RubyGems" };
    case "nuget":
      return { ...base, name: p.name, ecosystem: "NuGet" };
    case "composer":
      return { ...base, name: ns ? `${ns}/${p.name}` : p.name, ecosystem: "Packagist" };
    case "deb":
    case "apk":
    case "rpm": {
      const distroId = (p.qualifiers.distro ?? ns ?? "").split("-")[0]!.toLowerCase();
      const ecosystem = OS_TYPES[p.type]![distroId] ?? OS_TYPES[p.type]![ns ?? ""];
      if (!ecosystem) return undefined;
      let version = p.version;
      if (p.type === "rpm" && p.qualifiers.epoch && !version.includes(":"))
        version = `${p.qualifiers.epoch}:${version}`;
      // Syft and Trivy name the source package in an "upstream" qualifier: "perl" or "perl@5.36.0-7".
      const up = p.qualifiers.upstream;
      const src = up ? /^([^@]+)(?:@(.+))?$/.exec(up) : null;
      return {
        ...base,
        version,
        name: p.name,
        ecosystem,
        ...(src ? { sourceName: src[1]!, sourceVersion: src[2] ?? version } : {}),
      };
    }
    default:
      return undefined;
  }
}

/** The distribution a purl's "distro" qualifier names ("debian-12", "alpine-3.20.1", "ubuntu-22.04"). */
export function purlDistro(s: string): { family: string; version: string } | undefined {
  const p = parsePurl(s);
  const d = p?.qualifiers.distro;
  if (!p || !d) return undefined;
  const m = /^([a-z]+)-(\d.*)$/.exec(d);
  if (m) return { family: m[1]!, version: m[2]! };
  // Some tools write only the release for apk ("distro=3.20.1"): the namespace names the family.
  if (/^\d/.test(d) && p.namespace) return { family: p.namespace.toLowerCase(), version: d };
  return undefined;
}
