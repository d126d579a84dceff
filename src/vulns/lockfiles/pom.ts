import type { Cataloger } from "../../core/cataloger.js";
import { baseName, type LockPackage, MAX_LOCKFILE_BYTES, pkg } from "./util.js";

const tag = (xml: string, name: string) => new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(xml)?.[1];

/**
 * pom.xml: dependencies whose version is written out, or is a ${property} defined in the same file's
 * <properties> (or ${project.version}). Versions from parents, BOMs and ranges are not resolved here.
 */
export const pomCataloger: Cataloger = {
  id: "pom-xml",
  wants: (path, size) => baseName(path) === "pom.xml" && size <= MAX_LOCKFILE_BYTES,
  catalog(file) {
    const xml = file.data.toString("utf8").replace(/<!--[\s\S]*?-->/g, "");
    const props = new Map<string, string>();
    const propsBlock = /<properties>([\s\S]*?)<\/properties>/.exec(xml)?.[1] ?? "";
    for (const m of propsBlock.matchAll(/<([\w.-]+)>\s*([^<]*?)\s*<\/\1>/g)) props.set(m[1]!, m[2]!);
    const projectVersion = tag(
      xml.replace(/<parent>[\s\S]*?<\/parent>/, "").replace(/<dependencies>[\s\S]*<\/dependencies>/, ""),
      "version",
    );
    if (projectVersion) props.set("project.version", projectVersion);
    const out: LockPackage[] = [];
    for (const m of xml.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)) {
      const body = m[1]!;
      const group = tag(body, "groupId");
      const artifact = tag(body, "artifactId");
      let version = tag(body, "version");
      if (!group || !artifact || !version) continue;
      version = version.replace(/\$\{([^}]+)\}/g, (all, k: string) => props.get(k) ?? all);
      if (version.includes("${") || /^[[(]/.test(version)) continue;
      const scope = tag(body, "scope");
      out.push(
        pkg(`${group}:${artifact}`, version, "Maven", file.path, scope === "test" ? { dev: true } : {}),
      );
    }
    return out;
  },
};
