import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatLoadMessage, loadRules } from "../../src/runtime/rules/loader.js";
import { defaultTables } from "../../src/runtime/sources/index.js";
import { asTestingCopy, ENGINE_V4_RULES, FALCO_RULES, K8SAUDIT, readRules } from "./helpers.js";

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (n.endsWith(".yaml")) out.push(p);
  }
  return out;
}

/**
 * falco 0.34.1's trust_nginx_container.yaml appends to the `falco_*_images` lists that falco 0.34.1's own
 * k8s audit rules defined; no shared file defines them any more (the current file calls them
 * `k8s_audit_*_images`), and appending to a missing list is an error in Falco. It is loaded after these
 * three list definitions, standing in for that older base file.
 */
const LEGACY_IMAGE_LISTS = {
  path: "legacy-0.34.1-image-lists.yaml",
  text: ["falco_sensitive_mount_images", "falco_privileged_images", "falco_hostnetwork_images"]
    .map((n) => `- list: ${n}\n  items: [falcosecurity/falco]\n`)
    .join(""),
};

describe("shared rule files load with zero errors (but one rule current Falco refuses too)", () => {
  const files = [...yamlFiles(FALCO_RULES), ...yamlFiles(join(K8SAUDIT, "rules"))];
  it("finds the 3 syscall and 12 k8saudit rule files", () => expect(files.length).toBe(15));
  for (const f of files) {
    it(f.slice(f.indexOf("conformance/")), () => {
      // the small override files need the file they extend loaded first
      const base = f.includes("falco-0.34.1-test-rules/engine_v4/")
        ? readRules(join(K8SAUDIT, ENGINE_V4_RULES)).map(asTestingCopy)
        : f.includes("trust_nginx") && f.includes("0.34.1")
          ? [LEGACY_IMAGE_LISTS]
          : f.includes("falco-0.34.1-test-rules/") || f.includes("testing-overrides")
            ? readRules(join(K8SAUDIT, "rules/k8s_audit_rules.yaml"))
            : [];
      const rs = loadRules([...base, ...readRules(f)], { tables: defaultTables() });
      if (f.endsWith(ENGINE_V4_RULES)) {
        // the one rule current Falco refuses as well (see asTestingCopy); the rest of the file loads
        expect(rs.errors.map((e) => [e.code, e.item, e.line])).toEqual([
          ["bad-operator", "ClusterRole With Pod Exec Created", 282],
        ]);
        expect(rs.errors[0]?.message).toMatch(
          /^filter error: 'contains' operator not supported list filters/,
        );
        expect(loadRules(readRules(f).map(asTestingCopy), { tables: defaultTables() }).errors).toEqual([]);
      } else expect(rs.errors.map(formatLoadMessage)).toEqual([]);
      if (base.length === 0)
        expect(rs.rules.length + rs.inactive.length + rs.disabled.length).toBeGreaterThan(0);
      console.log(
        `${f.split("/").pop()}: ${rs.rules.length} active, ${rs.inactive.length} inactive, ${rs.disabled.length} disabled, ${rs.warnings.length} warnings`,
      );
    });
  }
});

describe("the 0.34.1 trust_nginx_container.yaml over the current k8s audit rules", () => {
  it("fails like Falco: appending to a list that does not exist", () => {
    const rs = loadRules(
      readRules(
        join(K8SAUDIT, "rules/k8s_audit_rules.yaml"),
        join(K8SAUDIT, "rules/falco-0.34.1-test-rules/trust_nginx_container.yaml"),
      ),
      { tables: defaultTables() },
    );
    expect(rs.errors.map((e) => [e.code, e.item])).toEqual([
      ["rules-no-previous", "falco_sensitive_mount_images"],
      ["rules-no-previous", "falco_privileged_images"],
      ["rules-no-previous", "falco_hostnetwork_images"],
    ]);
  });
});

describe("source registry", () => {
  it("every source file under src/runtime/sources is registered, and every entry names an existing file", async () => {
    const { SOURCES } = await import("../../src/runtime/sources/index.js");
    const dir = join(__dirname, "../../src/runtime/sources");
    const helpers = new Set(["index.ts", "types.ts", "k8saudit-parse.ts", "lines.ts"]);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && !helpers.has(f))
      .sort();
    expect([...new Set(Object.values(SOURCES).map((s) => s.file))].sort()).toEqual(files);
  });
});

describe("field tables", () => {
  it("define each field name once", async () => {
    const { K8S_AUDIT_FIELDS } = await import("../../src/runtime/fields/k8saudit.js");
    const { SYSCALL_FIELDS } = await import("../../src/runtime/fields/syscall.js");
    for (const t of [K8S_AUDIT_FIELDS, SYSCALL_FIELDS]) {
      const names = t.all().map((d) => d.name);
      expect(names.length).toBe(new Set(names).size);
    }
  });
});
