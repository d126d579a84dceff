/**
 * The engine evaluates shared condition prefixes once and answers sibling value tests on one field
 * (`ka.target.resource = pods`, `... = services`, ...) with one lookup. That must never change which
 * rules match: here every rule's whole compiled condition is checked on its own against the engine's
 * answer, for real traces, real rule files and events with unusual values.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newEvalCtx } from "../../src/runtime/condition/compile.js";
import { RuleEngine } from "../../src/runtime/engine.js";
import type { AuditEvent } from "../../src/runtime/fields/k8saudit.js";
import { K8S_AUDIT_FIELDS } from "../../src/runtime/fields/k8saudit.js";
import { loadRules } from "../../src/runtime/rules/loader.js";
import { decodeAuditLine } from "../../src/runtime/sources/k8saudit-parse.js";
import { asTestingCopy, K8SAUDIT, readRules } from "./helpers.js";

function events(): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const f of readdirSync(join(K8SAUDIT, "traces")).sort()) {
    for (const l of readFileSync(join(K8SAUDIT, "traces", f), "utf8").split("\n")) {
      out.push(...decodeAuditLine(l).events);
    }
  }
  // the same real events with the indexed fields changed to values no rule names, to numbers, or removed
  const odd: AuditEvent[] = [];
  for (const e of out.slice(0, 20)) {
    const r = e.raw as Record<string, Record<string, unknown>>;
    odd.push(
      { ...e, raw: { ...r, verb: 7 } },
      { ...e, raw: { ...r, stage: ["ResponseComplete"] } },
      { ...e, raw: { ...r, objectRef: { ...r.objectRef, resource: { pods: true } } } },
      { ...e, raw: { ...r, objectRef: undefined as unknown as Record<string, unknown> } },
      { ...e, raw: { ...r, verb: "Create" } },
    );
  }
  return [...out, ...odd];
}

/** Every distinct rule-file combination the 66 conformance cases load. */
function ruleFiles(): string[][] {
  const { cases } = JSON.parse(readFileSync(join(K8SAUDIT, "expectations.json"), "utf8")) as {
    cases: { rules_files: string[] }[];
  };
  const combos = new Map(
    cases.map((c) => [c.rules_files.join("|"), c.rules_files.map((f) => join(K8SAUDIT, f))]),
  );
  return [...combos.values()];
}

describe("rule engine index", () => {
  const evts = events();
  for (const files of ruleFiles()) {
    it(`matches each rule's own condition: ${files.map((f) => f.split("/").pop()).join(" + ")}`, () => {
      const rs = loadRules(readRules(...files).map(asTestingCopy), {
        tables: { k8s_audit: K8S_AUDIT_FIELDS },
      });
      expect(rs.errors).toEqual([]);
      const rules = rs.rules.filter((r) => r.source === "k8s_audit");
      if (rules.length === 0) return;
      const engine = new RuleEngine(rs, { hostname: "h" });
      const slots = rs.slots.get("k8s_audit")?.size ?? 0;
      let matched = 0;
      for (const e of evts) {
        const ctx = newEvalCtx<unknown>(slots, e);
        ctx.gen = 1;
        const want = rules.filter((r) => r.evaluate(ctx)).map((r) => r.name);
        const got = engine.process("k8s_audit", e, e.tsNs).map((a) => a.rule);
        expect({ id: e.raw.auditID, got }).toEqual({ id: e.raw.auditID, got: want });
        matched += got.length;
      }
      if (files.length === 1 && files[0]!.endsWith("/k8s_audit_rules.yaml"))
        expect(matched).toBeGreaterThan(50);
    });
  }
});
