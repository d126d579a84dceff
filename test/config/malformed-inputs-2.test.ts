// Hostile --policy and --policy-params files of `scan manifests`: each bad file, policy or binding is
// an error naming the file (and the policy), the good policies are still evaluated, and the exit code
// follows the report contract (0, or N with --exit-code N; 2 only when no policy at all is usable).
// Through the real CLI binary and through the loader the CLI calls; real FIFOs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPoliciesKeepingGood } from "../../src/admission/vap/index.js";
import type { Report } from "../../src/core/model.js";
import { ensureBuilt, kubeward } from "../cli/helpers.js";

const VAP = "apiVersion: admissionregistration.k8s.io/v1";
const RULES = `  matchConstraints:
    resourceRules:
      - { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"] }
`;
const policy = (name: string, expression: string, extra = "") =>
  `${VAP}\nkind: ValidatingAdmissionPolicy\nmetadata: { name: ${name} }\nspec:\n${extra}${RULES}  validations:\n    - expression: ${JSON.stringify(expression)}\n`;
const binding = (name: string, policyName: string, extra = "") =>
  `${VAP}\nkind: ValidatingAdmissionPolicyBinding\nmetadata: { name: ${name} }\nspec:\n  policyName: ${policyName}\n  validationActions: [Deny]\n${extra}`;
const docs = (...d: string[]) => d.join("---\n");

/** Nine levels of ten aliases each: a billion-laughs document of a few hundred bytes. */
function aliasBomb(): string {
  const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 0; i < 9; i++)
    lines.push(
      `l${i}: &l${i} [${Array(10)
        .fill(`*${i === 0 ? "a" : `l${i - 1}`}`)
        .join(", ")}]`,
    );
  return `${lines.join("\n")}\n`;
}

let dir: string;
let manifests: string;
const file = (name: string, content: string | Buffer) => {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kw-config-malformed2-"));
  manifests = file(
    "deploy.yaml",
    JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "big", namespace: "shop" },
      spec: {
        replicas: 10,
        selector: { matchLabels: { app: "big" } },
        template: {
          metadata: { labels: { app: "big" } },
          spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
        },
      },
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the policy loader scan manifests uses keeps what is good", () => {
  it("names each bad document by file, index and policy name; the good policy and binding are kept", async () => {
    const mixed = file(
      "mixed.yaml",
      docs(
        policy("good", "object.spec.replicas <= 3"),
        binding("good-binding", "good"),
        policy("broken-cel", "object.spec.replicas <= ("),
        binding("broken-binding", "broken-cel"),
        binding("ghost-binding", "ghost"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm }\n",
        `${VAP}\nkind: ValidatingAdmissionPolicy\nmetadata: [1, 2]\nspec: 5\n`,
      ),
    );
    const bomb = file("bomb.yaml", aliasBomb());
    const nested = file("nested.yaml", `a: ${"[".repeat(100_000)}\n`);
    const balanced = file("balanced.yaml", `a: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`);
    const huge = file("huge.yaml", Buffer.alloc(11 * 1024 * 1024, "#"));
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    const { loaded, problems } = await loadPoliciesKeepingGood(
      [mixed, bomb, nested, balanced, huge, fifo],
      [],
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(loaded.policies.map((p) => p.name)).toEqual(["good"]);
    expect(loaded.bindings.map((b) => b.name)).toEqual(["good-binding"]);
    const byFile = (f: string) => problems.filter((p) => p.file === f).map((p) => p.message);
    expect(byFile(mixed)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${mixed}#2 \\(broken-cel\\)\\.spec\\.validations\\[0\\]\\.expression: CEL compile error: .*; broken-cel not evaluated$`,
        ),
      ),
      `${mixed}#5: apiVersion must be admissionregistration.k8s.io/v1, got "v1"; cm not evaluated`,
      expect.stringMatching(
        new RegExp(`^${mixed}#6: metadata.name is required; ${mixed}#6: spec is required; not evaluated$`),
      ),
      `${mixed}#3: binding broken-binding names unknown policy broken-cel, which is invalid (see above); broken-binding not evaluated`,
      `${mixed}#4: binding ghost-binding names unknown policy ghost, which is in no policy file; ghost-binding not evaluated`,
    ]);
    expect(byFile(bomb)).toEqual([
      expect.stringMatching(new RegExp(`^${bomb}: not valid YAML: .*alias`, "i")),
    ]);
    expect(byFile(nested)).toEqual([expect.stringMatching(new RegExp(`^${nested}: not valid YAML`))]);
    expect(byFile(balanced)).toHaveLength(1);
    expect(byFile(balanced)[0]).toMatch(new RegExp(`^${balanced}: `));
    expect(byFile(huge)).toEqual([`${huge}: 11534336 bytes is more than the 10485760-byte limit`]);
    expect(byFile(fifo)).toEqual([`${fifo}: not a regular file (FIFO, socket, device or directory)`]);
    expect(problems.every((p) => p.code === "policy-invalid")).toBe(true);
  }, 30_000);

  it("params: a bad file and a bad document are named, a binding whose param is in no file is said", async () => {
    const pol = file(
      "param-policy.yaml",
      docs(
        policy(
          "limit",
          "object.spec.replicas <= int(params.data.max)",
          "  paramKind: { apiVersion: v1, kind: ConfigMap }\n",
        ),
        binding(
          "limit-binding",
          "limit",
          "  paramRef: { name: limits, namespace: default, parameterNotFoundAction: Deny }\n",
        ),
      ),
    );
    const params = file(
      "params.yaml",
      docs("- a list\n", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: other, namespace: default }\n"),
    );
    const bombParams = file("bomb-params.yaml", aliasBomb());
    const { loaded, params: got, problems } = await loadPoliciesKeepingGood([pol], [params, bombParams]);
    expect(loaded.bindings.map((b) => b.name)).toEqual(["limit-binding"]);
    expect(got.map((p) => (p.metadata as { name: string }).name)).toEqual(["other"]);
    expect(problems.map((p) => [p.file, p.code])).toEqual([
      [params, "params-invalid"],
      [bombParams, "params-invalid"],
      [pol, "params-missing"],
    ]);
    expect(problems[0]!.message).toBe(
      `${params}#0: a param must be an object with apiVersion and kind; left out`,
    );
    expect(problems[2]!.message).toBe(
      `${pol}#1 (limit-binding): paramRef names ConfigMap default/limits, which no params file holds; parameterNotFoundAction Deny applies to every object the binding matches`,
    );
  });
});

describe("scan manifests --policy with hostile policy files (real CLI)", () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it("lists the bad files and policies in errors, evaluates the good one, exit code per the contract", () => {
    const good = file(
      "cli-good.yaml",
      docs(policy("max3", "object.spec.replicas <= 3"), binding("max3-binding", "max3")),
    );
    const bad = file("cli-bad.yaml", docs(policy("broken", "object.("), binding("broken-binding", "broken")));
    const bomb = file("cli-bomb.yaml", aliasBomb());
    const args = [
      "scan",
      "manifests",
      manifests,
      "--policy",
      good,
      "--policy",
      bad,
      "--policy",
      bomb,
      "-f",
      "json",
    ];
    const r = kubeward(args);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings.filter((f) => f.checkId.startsWith("VAP/")).map((f) => f.checkId)).toEqual([
      "VAP/max3",
    ]);
    expect(report.errors.map((e) => [e.file, e.code]).sort()).toEqual([
      [bad, "policy-invalid"],
      [bad, "policy-invalid"],
      [bomb, "policy-invalid"],
    ]);
    const messages = report.errors.map((e) => e.message).join("\n");
    expect(messages).toMatch(/#0 \(broken\)\.spec\.validations\[0\]\.expression: CEL compile error/);
    expect(messages).toMatch(/binding broken-binding names unknown policy broken, which is invalid/);
    expect(messages).toContain(`${bomb}: not valid YAML`);
    expect(kubeward([...args, "--exit-code", "3"]).code).toBe(3);
  }, 60_000);

  it("exits 2 with one line when not one policy can be loaded", () => {
    const bomb = file("cli-only-bomb.yaml", aliasBomb());
    const r = kubeward(["scan", "manifests", manifests, "--policy", bomb, "-f", "json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(
      `no usable ValidatingAdmissionPolicy or binding in --policy files: ${bomb}: not valid YAML`,
    );
  }, 60_000);
});
