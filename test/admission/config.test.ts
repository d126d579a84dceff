import { describe, expect, it } from "vitest";
import { loadAdmissionConfig, parseAdmissionConfig } from "../../src/admission/config.js";
import { AdmissionEngine } from "../../src/admission/engine.js";
import { AdmissionError } from "../../src/admission/errors.js";
import { policyToEvaluate } from "../../src/admission/psa.js";
import { parseQuantity } from "../../src/admission/quantity.js";
import { CONFIG } from "./suite.js";

const HEAD = "apiVersion: kubeward.io/v1alpha1\nkind: AdmissionConfig\n";

function fails(text: string, ...parts: string[]): AdmissionError {
  let caught: unknown;
  try {
    parseAdmissionConfig(text, "cfg.yaml");
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AdmissionError);
  const e = caught as AdmissionError;
  expect(e.code).toBe("config-invalid");
  expect(e.message).toContain("cfg.yaml");
  for (const p of parts) expect(e.message).toContain(p);
  return e;
}

describe("AdmissionConfig", () => {
  it("loads the documented example with its defaults", async () => {
    const c = await loadAdmissionConfig(CONFIG);
    expect(c.podSecurity.defaults).toEqual({
      enforce: { level: "baseline", version: "latest" },
      warn: { level: "restricted", version: "latest" },
      audit: { level: "restricted", version: "latest" },
    });
    expect(c.namespaces["team-a"]!.labels).toEqual({ "pod-security.kubernetes.io/enforce": "restricted" });
    expect(c.resources[0]!.max["limits.cpu"]).toEqual({ text: "2", value: 2 });
    expect(c.policies.files[0]).toMatch(/fixtures\/vap\.yaml$/);
  });

  it("an empty config is privileged everywhere and has no rules", () => {
    const c = parseAdmissionConfig(HEAD, "cfg.yaml");
    expect(c.podSecurity.defaults.enforce).toEqual({ level: "privileged", version: "latest" });
    expect(c.checks).toEqual([]);
    expect(c.mutation.enabled).toBe(false);
  });

  it.each([
    [
      "wrong apiVersion",
      "apiVersion: v1\nkind: AdmissionConfig\n",
      "apiVersion: must be kubeward.io/v1alpha1",
    ],
    ["wrong kind", "apiVersion: kubeward.io/v1alpha1\nkind: Config\n", "kind: must be AdmissionConfig"],
    ["bad level", `${HEAD}podSecurity:\n  defaults: { enforce: strict }\n`, "podSecurity.defaults.enforce"],
    [
      "bad version",
      `${HEAD}podSecurity:\n  defaults: { enforce: baseline, enforce-version: v2.1 }\n`,
      "podSecurity.defaults.enforce-version",
    ],
    ["unknown key", `${HEAD}podSecurity:\n  default: {}\n`, "podSecurity.default: unknown key"],
    ["bad mode", `${HEAD}checks:\n  - ids: [KW-WL-004]\n    mode: block\n`, "checks[0].mode"],
    ["empty ids", `${HEAD}checks:\n  - mode: warn\n`, "checks[0].ids"],
    [
      "bad selector",
      `${HEAD}images:\n  - namespaceSelector: { matchExpressions: [{ key: a, operator: Near }] }\n`,
      "images[0].namespaceSelector",
    ],
    [
      "bad quantity",
      `${HEAD}resources:\n  - max: { limits.cpu: lots }\n`,
      "resources[0].max.limits.cpu: not a Kubernetes quantity",
    ],
    [
      "unknown resource field",
      `${HEAD}resources:\n  - require: [limits.gpu]\n`,
      'unknown field "limits.gpu"',
    ],
    [
      "signature rule without keys",
      `${HEAD}signatures:\n  - images: ["ghcr.io/**"]\n`,
      "signatures[0]: needs keys",
    ],
    [
      "vulnerability rule without a threshold",
      `${HEAD}vulnerabilities:\n  - images: ["**"]\n`,
      "vulnerabilities[0]: needs severity or maxFindings",
    ],
    [
      "bad timeout",
      `${HEAD}vulnerabilities:\n  - severity: high\n    timeoutSeconds: 90\n`,
      "timeoutSeconds",
    ],
    [
      "namespace labels not strings",
      `${HEAD}namespaces:\n  a:\n    labels: { x: 1 }\n`,
      "namespaces.a.labels.x",
    ],
  ])("%s is reported with the field", (_name, text, part) => {
    fails(text, part);
  });

  it("reports every problem at once", () => {
    const e = fails(
      `apiVersion: v1\nkind: X\nchecks:\n  - mode: nope\n`,
      "apiVersion",
      "kind",
      "checks[0].mode",
      "checks[0].ids",
    );
    expect(e.message.split("\n").length).toBeGreaterThanOrEqual(5);
  });

  it("rejects YAML errors and several documents", () => {
    fails(`${HEAD}podSecurity: [unclosed\n`, "not valid YAML");
    fails(`${HEAD}---\n${HEAD}`, "exactly one YAML document");
    fails("- a\n- b\n", "mapping at the top level");
  });

  it("a missing file is config-unreadable", async () => {
    await expect(loadAdmissionConfig("/nonexistent/kw.yaml")).rejects.toMatchObject({
      code: "config-unreadable",
    });
  });

  it("unknown check ids and set-level checks are refused when the engine is built", () => {
    const c1 = parseAdmissionConfig(`${HEAD}checks:\n  - ids: [KW-WL-999]\n`, "cfg.yaml");
    expect(() => new AdmissionEngine(c1)).toThrow(
      expect.objectContaining({ code: "config-invalid", message: expect.stringContaining("KW-WL-999") }),
    );
    const c2 = parseAdmissionConfig(`${HEAD}checks:\n  - ids: [KW-NET-001]\n`, "cfg.yaml");
    expect(() => new AdmissionEngine(c2)).toThrow(
      expect.objectContaining({
        code: "config-invalid",
        message: expect.stringContaining("cannot run at admission"),
      }),
    );
    const c3 = parseAdmissionConfig(`${HEAD}checks:\n  - ids: ["KW-WL-*"]\n`, "cfg.yaml");
    expect(() => new AdmissionEngine(c3)).not.toThrow();
  });
});

describe("namespace policy from labels (upstream PolicyToEvaluate rules)", () => {
  const defaults = {
    enforce: { level: "baseline", version: "v1.29" },
    warn: { level: "restricted", version: "latest" },
    audit: { level: "privileged", version: "latest" },
  } as const;
  const d = structuredClone(defaults) as never;

  it("labels override defaults mode by mode; absent labels keep the default", () => {
    const { policy, errors } = policyToEvaluate(
      {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit-version": "v1.25",
      },
      d,
    );
    expect(errors).toEqual([]);
    expect(policy.enforce).toEqual({ level: "restricted", version: "v1.29" });
    expect(policy.audit).toEqual({ level: "privileged", version: "v1.25" });
    expect(policy.warn).toEqual({ level: "restricted", version: "latest" });
  });

  it("a bad enforce level fails closed (restricted); bad warn and audit levels fail open (privileged); bad versions mean latest", () => {
    const { policy, errors } = policyToEvaluate(
      {
        "pod-security.kubernetes.io/enforce": "strict",
        "pod-security.kubernetes.io/warn": "nope",
        "pod-security.kubernetes.io/audit": "x",
        "pod-security.kubernetes.io/enforce-version": "v1.029",
      },
      d,
    );
    expect(policy.enforce).toEqual({ level: "restricted", version: "latest" });
    expect(policy.warn.level).toBe("privileged");
    expect(policy.audit.level).toBe("privileged");
    expect(errors).toHaveLength(4);
  });

  it("accepts far-future versions (evaluated as the newest known)", () => {
    expect(policyToEvaluate({ "pod-security.kubernetes.io/enforce-version": "v1.99" }, d).errors).toEqual([]);
    expect(policyToEvaluate({ "pod-security.kubernetes.io/enforce-version": "v1.123456" }, d).errors).toEqual(
      [],
    );
  });
});

describe("quantities", () => {
  it.each([
    ["500m", 0.5],
    ["2", 2],
    ["1.5", 1.5],
    ["128Mi", 128 * 2 ** 20],
    ["1G", 1e9],
    ["1e3", 1000],
    ["4Gi", 4 * 2 ** 30],
  ])("%s", (q, v) => expect(parseQuantity(q)).toBeCloseTo(v));
  it.each(["", "1.2.3", "5 Gi", "Mi", "10XB"])("%j is not a quantity", (q) =>
    expect(parseQuantity(q)).toBeUndefined(),
  );
});
