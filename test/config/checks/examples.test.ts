// The example app under examples/shop must trip every family of manifest checks, so users who run
// `kubeward scan manifests examples/` see what each family reports.
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { CONFIG_CHECKS } from "../../../src/config/checks/index.js";
import { MANIFEST_CHECKS } from "../../../src/config/registry.js";
import { runChecks } from "../../../src/core/engine.js";
import { isRecord, type K8sObject, objectFromData } from "../../../src/core/object.js";
import { OPTIONS } from "./harness.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const EXAMPLE = join(ROOT, "examples/shop");

function loadExample(): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const file of readdirSync(EXAMPLE)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    const docs = parseAllDocuments(readFileSync(join(EXAMPLE, file), "utf8"));
    docs.forEach((doc, i) => {
      expect(doc.errors, `${file} parses`).toEqual([]);
      const data = doc.toJS();
      if (isRecord(data)) objects.push(objectFromData(data, `examples/shop/${file}`, i));
    });
  }
  return objects;
}

describe("examples/shop", () => {
  const objects = loadExample();
  const ctx = { objects, options: { ...OPTIONS } };

  it("loads every object", () => {
    expect(objects.length).toBeGreaterThanOrEqual(10);
  });

  it("workload, rbac and network checks all report findings", () => {
    const findings = runChecks(CONFIG_CHECKS, ctx);
    for (const layer of ["workload", "rbac", "network"]) {
      expect(findings.filter((f) => f.layer === layer).length, layer).toBeGreaterThan(0);
    }
    const ids = new Set(findings.map((f) => f.checkId));
    const expected = [
      "KW-WL-001",
      "KW-WL-002",
      "KW-WL-003",
      "KW-WL-004",
      "KW-WL-005",
      "KW-WL-006",
      "KW-WL-007",
      "KW-WL-008",
      "KW-WL-009",
      "KW-WL-010",
      "KW-WL-011",
      "KW-WL-012",
      "KW-WL-013",
      "KW-WL-014",
      "KW-WL-015",
      "KW-RBAC-001",
      "KW-RBAC-002",
      "KW-RBAC-003",
      "KW-RBAC-004",
      "KW-RBAC-005",
      "KW-RBAC-009",
      "KW-RBAC-011",
      "KW-NET-001",
      "KW-NET-002",
      "KW-NET-003",
      "KW-NET-004",
    ];
    for (const id of expected) expect(ids.has(id), id).toBe(true);
  });

  it("findings name the right objects", () => {
    const findings = runChecks(CONFIG_CHECKS, ctx);
    const sock = findings.find((f) => f.checkId === "KW-WL-012" && f.message.includes("docker.sock"));
    expect(sock?.resource).toMatchObject({
      kind: "Deployment",
      name: "image-worker",
      namespace: "shop",
      container: "worker",
    });
    expect(sock?.severity).toBe("critical");
    const secret = findings.find((f) => f.checkId === "KW-WL-009" && f.resource?.name === "web");
    expect(secret?.message).toContain("DB_PASSWORD");
    expect(secret?.message).not.toContain("Sup3rS3cret");
    const unisolated = findings
      .filter((f) => f.checkId === "KW-NET-001")
      .map((f) => f.resource?.name)
      .sort();
    expect(unisolated).toEqual(["cart-cleanup", "image-worker", "web"]);
  });

  it("together with the Pod Security checks, all four families report", () => {
    const findings = runChecks(MANIFEST_CHECKS, ctx);
    const pss = findings.filter((f) => f.frameworks?.pss !== undefined);
    expect(pss.length).toBeGreaterThan(0);
    expect(pss.some((f) => f.frameworks?.pss?.check === "privileged")).toBe(true);
    // At the restricted level upstream reports hostPath under restrictedVolumes (baseline: hostPathVolumes).
    expect(
      pss.some((f) => ["hostPathVolumes", "restrictedVolumes"].includes(f.frameworks?.pss?.check ?? "")),
    ).toBe(true);
  });
});

describe("examples/shop through the manifest loader", () => {
  it("findings point at the offending field's line", async () => {
    const { loadManifests } = await import("../../../src/core/loader/index.js");
    const loaded = await loadManifests([EXAMPLE]);
    expect(loaded.errors).toEqual([]);
    const findings = runChecks(CONFIG_CHECKS, { objects: loaded.objects, options: { ...OPTIONS } });
    const lineOf = (file: string, text: string) =>
      readFileSync(join(EXAMPLE, file), "utf8")
        .split("\n")
        .findIndex((l) => l.includes(text)) + 1;

    const sock = findings.find((f) => f.checkId === "KW-WL-012" && f.message.includes("docker.sock"));
    expect(sock?.location?.line).toBe(lineOf("worker.yaml", "path: /var/run/docker.sock"));
    const pw = findings.find((f) => f.checkId === "KW-WL-009" && f.resource?.name === "web");
    expect(pw?.location?.line).toBe(lineOf("web.yaml", "value: Sup3rS3cret!"));
    const nodePort = findings.find((f) => f.checkId === "KW-NET-003");
    expect(nodePort?.location?.line).toBe(lineOf("web.yaml", "type: NodePort"));
    const wildcard = findings.find((f) => f.checkId === "KW-RBAC-001");
    expect(wildcard?.location?.line).toBe(lineOf("rbac.yaml", 'verbs: ["*"]'));
  });
});
