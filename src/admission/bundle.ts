// Packs an AdmissionConfig and the files it names (policy, param and key files) for the ConfigMap
// of `admission manifests`: each file under its base name, and the config rewritten to name them so
// relative to the mounted directory.
import { promises as fs } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { isMap, isSeq, parseDocument } from "yaml";
import { AdmissionError } from "./errors.js";

const KEY_RE = /^[-._a-zA-Z0-9]+$/;

/** The config text rewritten, plus the files to ship beside it (ConfigMap key → content). */
export async function bundleConfig(
  configFile: string,
): Promise<{ configYaml: string; files: Record<string, string> }> {
  const text = await fs.readFile(configFile, "utf8").catch((err: Error) => {
    throw new AdmissionError(
      "config-unreadable",
      `${configFile}: cannot read admission config: ${err.message}`,
    );
  });
  const doc = parseDocument(text);
  const base = dirname(resolve(configFile));
  const files: Record<string, string> = {};
  const from = new Map<string, string>();
  const take = async (ref: unknown, where: string): Promise<string> => {
    if (typeof ref !== "string")
      throw new AdmissionError("config-invalid", `${configFile}: ${where} must be a file name`);
    const path = resolve(base, ref);
    const key = basename(path);
    if (!KEY_RE.test(key) || key === "config.yaml")
      throw new AdmissionError(
        "config-invalid",
        `${configFile}: ${where}: file name ${JSON.stringify(key)} cannot be a ConfigMap key`,
      );
    const seen = from.get(key);
    if (seen && seen !== path)
      throw new AdmissionError(
        "config-invalid",
        `${configFile}: ${where}: ${path} and ${seen} share the name ${key}; rename one`,
      );
    from.set(key, path);
    files[key] = await fs.readFile(path, "utf8").catch((err: Error) => {
      throw new AdmissionError(
        "config-unreadable",
        `${configFile}: ${where}: cannot read ${path}: ${err.message}`,
      );
    });
    return key;
  };
  const rewriteList = async (path: (string | number)[], where: string) => {
    const node = doc.getIn(path, true);
    if (!isSeq(node)) return;
    for (let i = 0; i < node.items.length; i++) {
      const item = doc.getIn([...path, i]);
      doc.setIn([...path, i], await take(item, `${where}[${i}]`));
    }
  };
  await rewriteList(["policies", "files"], "policies.files");
  await rewriteList(["policies", "params"], "policies.params");
  const sigs = doc.getIn(["signatures"], true);
  if (isSeq(sigs))
    for (let i = 0; i < sigs.items.length; i++)
      if (isMap(sigs.items[i])) await rewriteList(["signatures", i, "keyFiles"], `signatures[${i}].keyFiles`);
  return { configYaml: doc.toString(), files };
}
