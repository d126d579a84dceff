// Table-driven check tests in the style of typescript-eslint's RuleTester: each case lists the
// objects scanned together and the exact findings expected (check id, field path, container,
// and where given severity and the object reported). Objects go through the real engine.
import { describe, expect, it } from "vitest";
import type { Check, ScanContext } from "../../../src/core/check.js";
import { runChecks } from "../../../src/core/engine.js";
import type { FieldPath, Finding, Severity } from "../../../src/core/model.js";
import { type K8sObject, objectFromData } from "../../../src/core/object.js";

export interface Expected {
  id: string;
  /** Field path of the violation, relative to the reported object; omit for object-less findings. */
  path?: FieldPath;
  container?: string;
  severity?: Severity;
  /** metadata.name of the reported object, when the case has several. */
  name?: string;
  /** Substrings the message must contain. */
  message?: string[];
}

export interface Case {
  name: string;
  objects: Record<string, unknown>[];
}

export interface InvalidCase extends Case {
  expected: Expected[];
}

export const OPTIONS = { pssLevel: "restricted", pssVersion: "latest" } as const;

/**
 * Loads objects so that every field path the engine asks a line for gets its own line number; the
 * finding's line then tells which path the check reported.
 */
export function load(objects: Record<string, unknown>[]): {
  objects: K8sObject[];
  pathOf: (f: Finding) => FieldPath | undefined;
} {
  const paths: FieldPath[] = [];
  const loaded = objects.map((data, i) => {
    const obj = objectFromData(structuredClone(data), `case.yaml`, i);
    obj.lineOf = (p: FieldPath) => {
      paths.push([...p]);
      return paths.length;
    };
    return obj;
  });
  return {
    objects: loaded,
    pathOf: (f) => (f.location?.line === undefined ? undefined : paths[f.location.line - 1]),
  };
}

export function scan(checks: readonly Check[], objects: Record<string, unknown>[]) {
  const { objects: loaded, pathOf } = load(objects);
  const ctx: ScanContext = { objects: loaded, options: { ...OPTIONS } };
  const findings = runChecks(checks, ctx);
  return { findings, pathOf };
}

function normalise(f: Finding, pathOf: (f: Finding) => FieldPath | undefined, e?: Expected) {
  const out: Record<string, unknown> = {
    id: f.checkId,
    path: pathOf(f) ?? null,
    container: f.resource?.container ?? null,
  };
  if (e?.severity !== undefined) out.severity = f.severity;
  if (e?.name !== undefined) out.name = f.resource?.name;
  return out;
}

export function ruleTester(check: Check, cases: { valid: Case[]; invalid: InvalidCase[] }): void {
  describe(`${check.id} ${check.title}`, () => {
    it("has at least one valid and one invalid case", () => {
      expect(cases.valid.length).toBeGreaterThan(0);
      expect(cases.invalid.length).toBeGreaterThan(0);
    });
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        const { findings } = scan([check], c.objects);
        expect(findings.map((f) => `${f.checkId}: ${f.message}`)).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        const { findings, pathOf } = scan([check], c.objects);
        for (const f of findings) {
          expect(f.checkId).toBe(check.id);
          expect(f.layer).toBe(check.layer);
          expect(f.status).toBe("fail");
        }
        expect(findings.length).toBe(c.expected.length);
        findings.forEach((f, i) => {
          const e = c.expected[i]!;
          const want: Record<string, unknown> = {
            id: e.id,
            path: e.path ?? null,
            container: e.container ?? null,
          };
          if (e.severity !== undefined) want.severity = e.severity;
          if (e.name !== undefined) want.name = e.name;
          expect(normalise(f, pathOf, e)).toEqual(want);
          for (const m of e.message ?? []) expect(f.message).toContain(m);
        });
      });
    }
  });
}
