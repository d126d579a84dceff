import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * The expected answer, computed independently of kubeward: the records are read with Python's zipfile,
 * the status file with a few lines of text splitting, and versions compared by dpkg itself.
 */
export function expectedDebianPairs(statusFile: string, zipFile: string): string[] {
  const recs = JSON.parse(
    execFileSync("python3", [
      "-c",
      `import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
out = []
for n in z.namelist():
    r = json.loads(z.read(n))
    for a in r["affected"]:
        for rg in a["ranges"]:
            fixed = [e["fixed"] for e in rg["events"] if "fixed" in e]
            out.append([r["aliases"][0], a["package"]["name"], fixed[0]])
print(json.dumps(out))`,
      zipFile,
    ]).toString(),
  ) as Array<[string, string, string]>;
  const installed: Array<{ name: string; src: string; srcVersion: string }> = [];
  for (const para of readFileSync(statusFile, "utf8").split(/\n\n+/)) {
    const field = (k: string) => new RegExp(`^${k}: (.*)$`, "m").exec(para)?.[1];
    const name = field("Package");
    const version = field("Version");
    if (!name || !version || !/ installed$/.test(field("Status") ?? "")) continue;
    const source = field("Source");
    const m = source ? /^(\S+)(?: \((\S+)\))?$/.exec(source) : null;
    installed.push({ name, src: m?.[1] ?? name, srcVersion: m?.[2] ?? version });
  }
  const out: string[] = [];
  for (const [cve, srcName, fixed] of recs) {
    for (const p of installed) {
      if (p.src !== srcName) continue;
      try {
        execFileSync("dpkg", ["--compare-versions", p.srcVersion, "lt", fixed]);
        out.push(`${cve} ${p.name}`);
      } catch {
        // not lower: already fixed
      }
    }
  }
  return out.sort();
}
