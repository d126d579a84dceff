// Helm and Kustomize directories, rendered by the real tools when they are installed.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findExecutable,
  helmSourceFile,
  loadManifests,
  systemToolRunner,
} from "../../src/core/loader/index.js";
import { writeUnder } from "../helpers/files.js";

let dir: string;
let emptyPath: string;
const p = (...parts: string[]) => join(dir, ...parts);
const write = (rel: string, content: string | Buffer) => writeUnder(dir, rel, content);
const HAS_KUSTOMIZE = !!(
  findExecutable("kustomize", process.env.PATH) || findExecutable("kubectl", process.env.PATH)
);
const HAS_HELM = !!findExecutable("helm", process.env.PATH);

const CHART = {
  "Chart.yaml": "apiVersion: v2\nname: webapp\nversion: 0.1.0\n",
  "values.yaml": "image: nginx:1.25\nprivileged: true\n",
  "templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          securityContext:
            privileged: {{ .Values.privileged }}
`,
  "templates/service.yaml":
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  ports: [{port: 80}]\n",
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-render-"));
  emptyPath = join(dir, "empty-bin");
  mkdirSync(emptyPath);
  for (const [rel, text] of Object.entries(CHART)) write(`repo/chart/${rel}`, text);
  write("repo/kust/kustomization.yaml", "resources:\n  - deploy.yaml\nnamePrefix: prod-\nnamespace: shop\n");
  write(
    "repo/kust/deploy.yaml",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - {name: api, image: api:1}\n",
  );
  write("repo/plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("missing tools", () => {
  it("reports one tool-missing error per chart or kustomization directory and scans the rest", async () => {
    const r = await loadManifests([p("repo")], { runTool: systemToolRunner(emptyPath) });
    expect(r.errors.map((e) => [e.file, e.code])).toEqual([
      [p("repo", "chart"), "tool-missing"],
      [p("repo", "kust"), "tool-missing"],
    ]);
    expect(r.errors[0].message).toContain("helm");
    expect(r.errors[1].message).toMatch(/kustomize.*kubectl/);
    // The chart's templates and the kustomization's resources are not read raw.
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["plain"]);
    expect(r.skipped).toEqual([]);
  });

  it("treats a chart named as the target like one found in a walk", async () => {
    const r = await loadManifests([p("repo", "chart")], { runTool: systemToolRunner(emptyPath) });
    expect(r.errors.map((e) => e.code)).toEqual(["tool-missing"]);
  });

  it.skipIf(HAS_HELM)("without helm on PATH, a chart gives tool-missing naming helm", async () => {
    const r = await loadManifests([p("repo", "chart")]);
    expect(r.errors).toEqual([expect.objectContaining({ file: p("repo", "chart"), code: "tool-missing" })]);
    expect(r.errors[0].message).toContain("helm is not installed");
  });
});

describe.runIf(HAS_KUSTOMIZE)("kustomize (real kustomize or kubectl)", () => {
  it("renders the directory as a unit; objects carry the directory and no line", async () => {
    const r = await loadManifests([p("repo", "kust")]);
    expect(r.errors).toEqual([]);
    expect(
      r.objects.map((o) => [o.kind, o.metadata.namespace, o.metadata.name, o.source.file, o.source.line]),
    ).toEqual([["Deployment", "shop", "prod-api", p("repo", "kust"), undefined]]);
    expect(r.objects[0].lineOf(["spec", "template", "spec", "containers", 0, "image"])).toBeUndefined();
  });

  it("renders a directory named by a relative path", async () => {
    const rel = relative(process.cwd(), p("repo", "kust"));
    const r = await loadManifests([rel]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => [o.metadata.name, o.source.file])).toEqual([["prod-api", rel]]);
  });

  it("finds a capitalised Kustomization file in a walk", async () => {
    write("k2/Kustomization", "resources: [cm.yaml]\nnameSuffix: -x\n");
    write("k2/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: k2}\n");
    const r = await loadManifests([p("k2")]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["k2-x"]);
  });

  it("reports a failing build as render-failed with the tool's message, and goes on", async () => {
    write("broken/kustomization.yaml", "resources:\n  - missing.yaml\n");
    const r = await loadManifests([p("broken"), p("repo", "plain")]);
    expect(r.errors).toEqual([expect.objectContaining({ file: p("broken"), code: "render-failed" })]);
    expect(r.errors[0].message).toContain("missing.yaml");
    expect(r.objects.map((o) => o.metadata.name)).toEqual(["plain"]);
  });
});

describe.runIf(HAS_HELM)("helm (real helm)", () => {
  it("renders a chart; objects point at their template through # Source:", async () => {
    const r = await loadManifests([p("repo", "chart")]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => [o.kind, o.source.file, o.source.line])).toEqual([
      ["Service", p("repo", "chart", "templates", "service.yaml"), undefined],
      ["Deployment", p("repo", "chart", "templates", "deployment.yaml"), undefined],
    ]);
    expect(
      (
        r.objects[1].raw as {
          spec: { template: { spec: { containers: Array<{ securityContext: unknown }> } } };
        }
      ).spec.template.spec.containers[0].securityContext,
    ).toEqual({ privileged: true });
  });
});

describe("helm # Source: mapping", () => {
  it("replaces the chart name by the chart directory, subcharts included", () => {
    const doc = "---\n# Source: webapp/charts/redis/templates/sts.yaml\napiVersion: apps/v1\n";
    expect(helmSourceFile(doc, "deploy/chart")).toBe(join("deploy/chart", "charts/redis/templates/sts.yaml"));
    expect(helmSourceFile("apiVersion: v1\n", "deploy/chart")).toBeUndefined();
  });
});
