import { describe, expect, it } from "vitest";
import { AdmissionEngine } from "../../src/admission/engine.js";
import { handleReview, loadEngine } from "../../src/admission/handler.js";
import { evaluatePss } from "../../src/config/pss/index.js";
import { applyJsonPatch } from "./jsonpatch.js";
import { CONFIG, checkCase, review, suite } from "./suite.js";

type Obj = Record<string, unknown>;

describe("admission decisions on the review suite", async () => {
  const engine = await loadEngine(CONFIG);
  for (const c of suite()) {
    it(c.name, async () => {
      const h = await handleReview(engine, c.endpoint, JSON.stringify(c.body));
      expect(h.httpStatus).toBe(200);
      checkCase(c, h.payload, c.body.apiVersion as string);
    });
  }
});

describe("mutation", () => {
  it("turns a pod failing restricted into one that passes, without touching explicit settings", async () => {
    const engine = await loadEngine(CONFIG);
    const c = suite().find((x) => x.endpoint === "mutate")!;
    const req = c.body.request as Obj;
    const before = req.object as Obj;
    expect(evaluatePss(before as never, "restricted", "latest").length).toBeGreaterThan(0);
    const h = await handleReview(engine, "mutate", JSON.stringify(c.body));
    const r = (h.payload as { response: { patch: string } }).response;
    const patch = JSON.parse(Buffer.from(r.patch, "base64").toString("utf8")) as Obj[];
    const after = applyJsonPatch(before, patch);
    expect(evaluatePss(after as never, "restricted", "latest")).toEqual([]);
    // and the validating webhook now admits it in the restricted namespace
    const again = await handleReview(engine, "validate", JSON.stringify(review(after)));
    expect((again.payload as { response: { allowed: boolean } }).response.allowed).toBe(true);
  });

  it("leaves runAsNonRoot unset (with a warning) when the image user is unknown", async () => {
    const engine = await loadEngine(CONFIG);
    const p = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "x", namespace: "team-a" },
      spec: { containers: [{ name: "c", image: "quay.io/other/img:1" }] },
    };
    const h = await handleReview(engine, "mutate", JSON.stringify(review(p)));
    const r = (h.payload as { response: { patch: string; warnings: string[] } }).response;
    const after = applyJsonPatch(p, JSON.parse(Buffer.from(r.patch, "base64").toString("utf8")));
    const fails = evaluatePss(after as never, "restricted", "latest").map((x) => x.check);
    expect(fails).toEqual(["runAsNonRoot"]);
    expect(r.warnings.some((w) => w.includes("runAsNonRoot left unset"))).toBe(true);
  });

  it("does nothing when mutation is disabled", async () => {
    const base = await loadEngine(CONFIG);
    const engine = new AdmissionEngine({
      ...base.config,
      mutation: { ...base.config.mutation, enabled: false },
    });
    const c = suite().find((x) => x.endpoint === "mutate")!;
    const h = await handleReview(engine, "mutate", JSON.stringify(c.body));
    expect((h.payload as { response: Obj }).response).toEqual({
      uid: (c.body.request as Obj).uid,
      allowed: true,
    });
  });
});
