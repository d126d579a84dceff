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

/**
 * falco 0.34.1's engine_v4_k8s_audit_rules.yaml tests `ka.req.role.rules.resources contains "pods/exec"`.
 * Current libsinsp refuses any operator but exists/in/intersects on a list field when it compiles the
 * rule, so falcosecurity/testing (where expectations.json comes from) loads a copy that says
 * `intersects ("pods/exec")` instead (conformance SOURCE.md, difference b). This applies that one change.
 */
export const ENGINE_V4_RULES = "rules/falco-0.34.1-test-rules/engine_v4_k8s_audit_rules.yaml";
const V4_CONTAINS = 'ka.req.role.rules.resources contains "pods/exec"';
export function asTestingCopy(file: { path: string; text: string }): { path: string; text: string } {
  if (!file.path.endsWith(ENGINE_V4_RULES)) return file;
  const parts = file.text.split(V4_CONTAINS);
  if (parts.length !== 2) throw new Error(`${file.path}: expected one '${V4_CONTAINS}'`);
  return { path: file.path, text: parts.join('ka.req.role.rules.resources intersects ("pods/exec")') };
}
