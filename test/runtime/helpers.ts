import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The repo's parent folder holds `shared/`. */
export const SHARED = resolve(here, "../../../shared");
export const K8SAUDIT = join(SHARED, "conformance/falco-k8saudit");
export const FALCO_RULES = join(SHARED, "conformance/falco-rules");

export function readRules(...paths: string[]) {
  return paths.map((p) => ({ path: p, text: readFileSync(p, "utf8") }));
}
