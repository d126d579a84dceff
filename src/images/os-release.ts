import type { OsInfo } from "../core/cataloger.js";
import type { VirtualFs } from "./vfs.js";

/** Parses os-release (shell-style KEY=value, quoted or not). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    let v = line.slice(eq + 1).trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) {
      v = v.slice(1, -1);
      if (
        line
          .slice(eq + 1)
          .trim()
          .startsWith('"')
      )
        v = v.replace(/\\(["$`\\])/g, "$1");
    }
    out[key] = v;
  }
  return out;
}

/** Identifies the distribution: /etc/os-release, then /usr/lib/os-release, then release files. */
export function detectOs(fs: Pick<VirtualFs, "read">): OsInfo | undefined {
  for (const p of ["etc/os-release", "usr/lib/os-release"]) {
    const data = fs.read(p);
    if (!data) continue;
    const kv = parseOsRelease(data.toString("utf8"));
    if (!kv.ID) continue;
    let version = kv.VERSION_ID ?? "";
    if (!version && kv.ID === "debian")
      version = fs.read("etc/debian_version")?.toString("utf8").trim() ?? "";
    if (!version && kv.ID === "alpine")
      version = fs.read("etc/alpine-release")?.toString("utf8").trim() ?? "";
    return {
      family: kv.ID,
      version,
      ...(kv.PRETTY_NAME || kv.NAME ? { name: kv.PRETTY_NAME || kv.NAME } : {}),
      ...(kv.VERSION_CODENAME ? { codename: kv.VERSION_CODENAME } : {}),
    };
  }
  const alpine = fs.read("etc/alpine-release");
  if (alpine) return { family: "alpine", version: alpine.toString("utf8").trim() };
  const deb = fs.read("etc/debian_version");
  if (deb) return { family: "debian", version: deb.toString("utf8").trim() };
  const rh = fs.read("etc/redhat-release")?.toString("utf8");
  if (rh) {
    const m = /^(.*?) release (\S+)/.exec(rh);
    const fam = /centos/i.test(rh)
      ? "centos"
      : /fedora/i.test(rh)
        ? "fedora"
        : /rocky/i.test(rh)
          ? "rocky"
          : "rhel";
    return { family: fam, version: m?.[2] ?? "", ...(m ? { name: m[1] } : {}) };
  }
  return undefined;
}
