import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONFIG_CHECKS,
  NETWORK_CHECKS,
  RBAC_CHECKS,
  WORKLOAD_CHECKS,
} from "../../../src/config/checks/index.js";
import { type Check, isSetCheck } from "../../../src/core/check.js";
import { runChecks } from "../../../src/core/engine.js";
import { SEVERITIES } from "../../../src/core/model.js";
import { objectFromData } from "../../../src/core/object.js";
import { OPTIONS } from "./harness.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const DIR = join(ROOT, "src/config/checks");
const NSA_TOPICS = [
  "pod-security",
  "network-separation",
  "authentication-authorization",
  "audit-logging",
  "upgrading",
];
const PREFIX = { workload: "KW-WL-", rbac: "KW-RBAC-", network: "KW-NET-" } as const;

function isCheck(v: unknown): v is Check {
  return typeof v === "object" && v !== null && "id" in v && ("run" in v || "runAll" in v);
}

describe("registry", () => {
  it("index.ts registers exactly the checks defined in the folder, one per file", async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts");
    const fromFiles: Check[] = [];
    for (const f of files) {
      const mod = (await import(join(DIR, f))) as Record<string, unknown>;
      const checks = Object.values(mod).filter(isCheck);
      expect(checks.length, `${f} defines exactly one check`).toBe(1);
      fromFiles.push(checks[0]!);
    }
    expect(new Set(CONFIG_CHECKS)).toEqual(new Set(fromFiles));
    expect(CONFIG_CHECKS.length).toBe(files.length);
  });

  it("every check has a table-driven test (ruleTester) in this folder", async () => {
    const testDir = import.meta.dirname;
    const sources = readdirSync(testDir)
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => readFileSync(join(testDir, f), "utf8"))
      .join("\n");
    for (const f of readdirSync(DIR).filter((x) => x.endsWith(".ts") && x !== "index.ts")) {
      const mod = (await import(join(DIR, f))) as Record<string, unknown>;
      const [name] = Object.entries(mod).find(([, v]) => isCheck(v)) ?? [];
      expect(sources, `${f}: ruleTester(${name}, ...)`).toContain(`ruleTester(${name}, {`);
    }
  });

  it("families are split by layer and prefix", () => {
    for (const [list, layer] of [
      [WORKLOAD_CHECKS, "workload"],
      [RBAC_CHECKS, "rbac"],
      [NETWORK_CHECKS, "network"],
    ] as const) {
      for (const c of list) {
        expect(c.layer, c.id).toBe(layer);
        expect(c.id.startsWith(PREFIX[layer]), c.id).toBe(true);
      }
    }
  });

  it("ids are unique, well-formed and file names match their family", () => {
    const ids = CONFIG_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^KW-(WL|RBAC|NET)-0\d\d$/);
  });

  it("every check carries complete metadata", () => {
    for (const c of CONFIG_CHECKS) {
      expect(c.title.length, c.id).toBeGreaterThan(5);
      expect(c.description.length, c.id).toBeGreaterThan(40);
      expect(c.remediation.length, c.id).toBeGreaterThan(20);
      expect(SEVERITIES).toContain(c.severity);
      expect(c.references.length, c.id).toBeGreaterThan(0);
      for (const r of c.references) expect(r, c.id).toMatch(/^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\//);
      expect(Array.isArray(c.frameworks.cis), c.id).toBe(true);
      expect(Array.isArray(c.frameworks.nsa), c.id).toBe(true);
      for (const n of c.frameworks.cis ?? []) expect(n, c.id).toMatch(/^5\.\d+\.\d+$/);
      for (const t of c.frameworks.nsa ?? []) expect(NSA_TOPICS, c.id).toContain(t);
      if (!isSetCheck(c)) expect(c.kinds.length, c.id).toBeGreaterThan(0);
    }
  });

  it("no check reads the clock", () => {
    for (const f of readdirSync(DIR, { recursive: true }) as string[]) {
      if (!f.endsWith(".ts")) continue;
      const src = readFileSync(join(DIR, f), "utf8");
      expect(src, f).not.toMatch(/Date\.now|new Date\(|performance\.now/);
    }
  });
});

describe("malformed and hostile objects", () => {
  // Every check must survive anything a YAML document can hold: wrong types at every level.
  const hostile: Array<[string, Record<string, unknown>]> = [
    [
      "containers is a string",
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: "nginx" } },
    ],
    [
      "container entries are scalars",
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [null, 3, "x"] } },
    ],
    [
      "fields of the wrong type",
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: 5, namespace: ["x"], labels: "a=b" },
        spec: {
          securityContext: "root",
          volumes: [{ name: "v", hostPath: "/" }, { hostPath: { path: 7 } }],
          containers: [
            {
              name: 1,
              image: { repo: "x" },
              env: [{ name: "PASSWORD" }, { name: 3, value: "x" }, "junk"],
              resources: "big",
              securityContext: { capabilities: { add: "SYS_ADMIN" }, runAsUser: "0" },
              volumeMounts: "v",
            },
          ],
        },
      },
    ],
    ["template is missing", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: {} }],
    [
      "rules is a map",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "r" },
        rules: { verbs: ["*"] },
      },
    ],
    [
      "rule fields are strings",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "r" },
        rules: [{ verbs: "*", resources: "*", apiGroups: "" }],
      },
    ],
    [
      "subjects is null, roleRef a string",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "b" },
        subjects: null,
        roleRef: "cluster-admin",
      },
    ],
    [
      "aggregationRule selectors junk",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "a" },
        aggregationRule: { clusterRoleSelectors: [null, "x"] },
      },
    ],
    [
      "policy spec is a list",
      { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "n" }, spec: [] },
    ],
    [
      "policy selector is a string",
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "n" },
        spec: { podSelector: "app=web", policyTypes: "Egress" },
      },
    ],
    [
      "ingress rules junk",
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "i" },
        spec: { rules: [{ host: 5 }, null], tls: [{ hosts: "a" }] },
      },
    ],
    [
      "service ports junk",
      { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { type: "NodePort", ports: "80" } },
    ],
    [
      "peer authentication junk",
      {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: { name: "p" },
        spec: { mtls: "STRICT", portLevelMtls: [1] },
      },
    ],
    ["no kind, no metadata", {}],
    [
      "LimitRange junk",
      { apiVersion: "v1", kind: "LimitRange", metadata: { name: "l" }, spec: { limits: "x" } },
    ],
  ];
  it.each(hostile)("%s: no check throws", (_name, data) => {
    const objects = [
      objectFromData(data, "hostile.yaml"),
      objectFromData({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "ok", namespace: "x" },
        spec: { containers: [{ name: "c", image: "nginx" }] },
      }),
    ];
    expect(() => runChecks(CONFIG_CHECKS, { objects, options: { ...OPTIONS } })).not.toThrow();
  });

  it("a wrongly typed field does not hide the rest of the object", () => {
    const data = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "x" },
      spec: { securityContext: "junk", containers: [{ name: "c", image: "nginx:latest", env: "junk" }] },
    };
    const findings = runChecks(CONFIG_CHECKS, { objects: [objectFromData(data)], options: { ...OPTIONS } });
    expect(findings.map((f) => f.checkId)).toContain("KW-WL-001");
  });
});
