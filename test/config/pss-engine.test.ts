// The PSS engine beyond the fixtures: version parsing, bad input, version-specific behaviour that
// upstream defines but its fixtures do not exercise, the registry, the shared evaluation and lines.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LineCounter, parseDocument } from "yaml";
import {
  evaluatePss,
  evaluationOf,
  PSS_CHECK_IDS,
  PSS_CHECK_MAP,
  PSS_CHECKS,
  PSS_LATEST,
  type PssLevel,
  type PssPod,
  parsePssLevel,
  parsePssVersion,
  pssSummary,
  pssViolationMessage,
} from "../../src/config/pss/index.js";
import type { ScanContext } from "../../src/core/check.js";
import { filterByFramework } from "../../src/core/compliance.js";
import { runChecks } from "../../src/core/engine.js";
import type { FieldPath } from "../../src/core/model.js";
import { type K8sObject, objectFromData } from "../../src/core/object.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");

type Spec = Record<string, unknown>;
const restricted = (extra: Spec = {}, containerExtra: Spec = {}): Spec => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  containers: [
    {
      name: "app",
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        ...containerExtra,
      },
    },
  ],
  ...extra,
});
const podOf = (spec: Spec, annotations?: Record<string, string>): PssPod => ({
  metadata: annotations ? { annotations } : {},
  spec,
});
const failing = (p: PssPod, level: PssLevel, version: string) =>
  evaluatePss(p, level, version).map((r) => r.check);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe("parsePssVersion", () => {
  it("resolves latest to the newest known version", () => {
    expect(PSS_LATEST).toBe("v1.37");
    expect(parsePssVersion("latest")).toMatchObject({ minor: 37, resolved: "v1.37" });
  });
  it("parses v1.<minor>", () => {
    expect(parsePssVersion("v1.0")).toMatchObject({ minor: 0, resolved: "v1.0" });
    expect(parsePssVersion("v1.25")).toMatchObject({ minor: 25, resolved: "v1.25" });
    expect(parsePssVersion("v1.37")).toMatchObject({ minor: 37, resolved: "v1.37" });
  });
  it("evaluates versions newer than the newest known one as the newest, like upstream", () => {
    expect(parsePssVersion("v1.40")).toMatchObject({ minor: 37, resolved: "v1.37", input: "v1.40" });
  });
  for (const bad of [
    "",
    "1.25",
    "v1",
    "v1.",
    "v2.0",
    "v1.025",
    "V1.25",
    "v1.25.0",
    "latest ",
    "v1.-1",
    "v1.1e3",
  ]) {
    it(`rejects ${JSON.stringify(bad)} with code pss-version`, () => {
      expect(codeOf(() => parsePssVersion(bad))).toBe("pss-version");
      expect(() => parsePssVersion(bad)).toThrow(JSON.stringify(bad));
    });
  }
  it("rejects a non-string with code pss-version", () => {
    expect(codeOf(() => parsePssVersion(25 as unknown as string))).toBe("pss-version");
  });
});

describe("evaluatePss bad input", () => {
  const ok = podOf(restricted());
  it("rejects an unknown level with code pss-level", () => {
    expect(codeOf(() => parsePssLevel("privileged"))).toBe("pss-level");
    expect(codeOf(() => evaluatePss(ok, "strict" as PssLevel, "latest"))).toBe("pss-level");
  });
  it("rejects a bad version with code pss-version", () => {
    expect(codeOf(() => evaluatePss(ok, "baseline", "1.30"))).toBe("pss-version");
  });
  it("rejects a pod without an object spec with code pss-input", () => {
    expect(
      codeOf(() => evaluatePss({ metadata: {}, spec: [] as unknown as Spec }, "baseline", "latest")),
    ).toBe("pss-input");
    expect(codeOf(() => evaluatePss({ metadata: {} } as PssPod, "baseline", "latest"))).toBe("pss-input");
    expect(codeOf(() => evaluatePss(null as unknown as PssPod, "baseline", "latest"))).toBe("pss-input");
    expect(() => evaluatePss({ metadata: {}, spec: "x" as unknown as Spec }, "baseline", "latest")).toThrow(
      "its spec is a string",
    );
    expect(() => evaluatePss(null as unknown as PssPod, "baseline", "latest")).toThrow("the pod is null");
  });
  it("tolerates missing or mistyped metadata", () => {
    expect(
      evaluatePss({ metadata: null, spec: restricted() } as unknown as PssPod, "restricted", "latest"),
    ).toEqual([]);
    expect(
      evaluatePss(podOf(restricted(), "x" as unknown as Record<string, string>), "restricted", "latest"),
    ).toEqual([]);
  });
  const hostile: Array<[string, Spec]> = [
    ["containers is a string", { containers: "app" }],
    ["containers hold null, numbers and strings", { containers: [null, 5, "x", []] }],
    ["securityContext is a list", { containers: [{ name: "a", securityContext: [] }], securityContext: "x" }],
    [
      "capabilities.add is a string",
      { containers: [{ name: "a", securityContext: { capabilities: { add: "NET_RAW" } } }] },
    ],
    ["sysctls is an object", { securityContext: { sysctls: { name: "x" } } }],
    ["volumes hold null", { volumes: [null, 3, { name: "v", hostPath: null }] }],
    ["probes are strings", { containers: [{ name: "a", livenessProbe: "x", lifecycle: [] }] }],
    ["a container has no name", { containers: [{ securityContext: { privileged: "true" } }] }],
  ];
  for (const [what, spec] of hostile) {
    it(`does not throw when ${what}`, () => {
      for (const level of ["baseline", "restricted"] as const) {
        for (const v of ["v1.0", "v1.24", "latest"])
          expect(() => evaluatePss(podOf(spec), level, v)).not.toThrow();
      }
      // fields the Kubernetes API could not decode count as unset: nothing forbidden is seen
      expect(evaluatePss(podOf(spec), "baseline", "latest")).toEqual([]);
    });
  }
  it("names an unnamed container by its position", () => {
    const r = evaluatePss(
      podOf({ containers: [{ securityContext: { privileged: true } }] }),
      "baseline",
      "latest",
    );
    expect(r[0]!.violations[0]!.container).toBe("containers[0]");
  });
});

describe("upstream behaviour by version", () => {
  it("shares one frozen empty result for allowed pods", () => {
    const a = evaluatePss(podOf(restricted()), "restricted", "latest");
    const b = evaluatePss(podOf(restricted()), "baseline", "v1.0");
    expect(a).toEqual([]);
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("checks the appArmorProfile fields at every version (pod and container)", () => {
    const podLevel = podOf(
      restricted({ securityContext: { runAsNonRoot: true, appArmorProfile: { type: "Unconfined" } } }),
    );
    for (const v of ["v1.0", "v1.29", "latest"])
      expect(failing(podLevel, "baseline", v)).toEqual(["appArmorProfile"]);
    const c = podOf(restricted({}, { appArmorProfile: { type: "Localhost", localhostProfile: "p" } }));
    expect(failing(c, "restricted", "latest")).toEqual([]);
    const bad = podOf(restricted({}, { appArmorProfile: { type: "Unconfined" } }));
    const r = evaluatePss(bad, "baseline", "latest");
    expect(r[0]!.violations[0]!.path).toEqual([
      "containers",
      0,
      "securityContext",
      "appArmorProfile",
      "type",
    ]);
  });

  it("accepts empty and runtime/default AppArmor annotations", () => {
    const key = "container.apparmor.security.beta.kubernetes.io/app";
    expect(failing(podOf(restricted(), { [key]: "" }), "baseline", "latest")).toEqual([]);
    expect(failing(podOf(restricted(), { [key]: "runtime/default" }), "baseline", "latest")).toEqual([]);
    expect(failing(podOf(restricted(), { [key]: "docker/default" }), "baseline", "latest")).toEqual([
      "appArmorProfile",
    ]);
  });

  it("allows image volumes under restricted at every version; a volume with no source is an emptyDir", () => {
    const p = podOf(restricted({ volumes: [{ name: "i", image: { reference: "x" } }, { name: "d" }] }));
    for (const v of ["v1.0", "v1.25", "latest"]) expect(failing(p, "restricted", v)).toEqual([]);
  });

  it("replaces hostPathVolumes by restrictedVolumes under restricted", () => {
    const p = podOf(restricted({ volumes: [{ name: "h", hostPath: { path: "/" } }] }));
    expect(failing(p, "baseline", "latest")).toEqual(["hostPathVolumes"]);
    expect(failing(p, "restricted", "latest")).toEqual(["restrictedVolumes"]);
  });

  it("allows container_engine_t from v1.31", () => {
    const p = podOf(restricted({}, { seLinuxOptions: { type: "container_engine_t" } }));
    expect(failing(p, "baseline", "v1.30")).toEqual(["seLinuxOptions"]);
    expect(failing(p, "baseline", "v1.31")).toEqual([]);
  });

  it("forbids SELinux user and role at every version", () => {
    const p = podOf({
      securityContext: { seLinuxOptions: { user: "u", role: "r" } },
      containers: [{ name: "a" }],
    });
    const r = evaluatePss(p, "baseline", "latest");
    expect(r.map((x) => x.check)).toEqual(["seLinuxOptions"]);
    expect(r[0]!.violations.map((v) => v.path.at(-1))).toEqual(["user", "role"]);
  });

  it("exempts Windows pods from the Linux-only restricted checks from v1.25", () => {
    const win = podOf({
      os: { name: "windows" },
      securityContext: { runAsNonRoot: true },
      containers: [{ name: "a" }],
    });
    expect(failing(win, "restricted", "v1.24")).toEqual([
      "allowPrivilegeEscalation",
      "capabilities_restricted",
      "seccompProfile_restricted",
    ]);
    expect(failing(win, "restricted", "v1.25")).toEqual([]);
    // upstream quirk kept: under restricted the baseline seccomp check is overridden, so a Windows pod
    // may even set Unconfined; baseline still forbids it
    const unconfined = podOf({
      os: { name: "windows" },
      securityContext: { runAsNonRoot: true, seccompProfile: { type: "Unconfined" } },
      containers: [{ name: "a" }],
    });
    expect(failing(unconfined, "restricted", "latest")).toEqual([]);
    expect(failing(unconfined, "baseline", "latest")).toEqual(["seccompProfile_baseline"]);
    // runAsNonRoot applies to Windows pods too
    const noRoot = podOf({ os: { name: "windows" }, containers: [{ name: "a" }] });
    expect(failing(noRoot, "restricted", "latest")).toEqual(["runAsNonRoot"]);
  });

  it("relaxes runAsNonRoot, runAsUser and baseline procMount for user-namespace pods from v1.35", () => {
    const p = podOf({
      hostUsers: false,
      securityContext: { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "a",
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            runAsNonRoot: false,
            procMount: "Unmasked",
          },
        },
      ],
    });
    expect(failing(p, "restricted", "v1.34")).toEqual(["procMount", "runAsNonRoot", "runAsUser"]);
    expect(failing(p, "restricted", "v1.35")).toEqual(["procMount_restricted"]);
    expect(failing(p, "baseline", "v1.34")).toEqual(["procMount"]);
    expect(failing(p, "baseline", "v1.35")).toEqual([]);
    // hostUsers: true (or unset) relaxes nothing
    expect(failing({ ...p, spec: { ...p.spec, hostUsers: true } }, "restricted", "latest")).toEqual([
      "procMount_restricted",
      "runAsNonRoot",
      "runAsUser",
    ]);
  });

  it("checks probe and lifecycle hosts from v1.34 only, on every container kind", () => {
    const p = podOf(
      restricted({
        ephemeralContainers: [
          {
            name: "debug",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            startupProbe: { tcpSocket: { host: "example.com", port: 1 } },
          },
        ],
      }),
    );
    expect(failing(p, "baseline", "v1.33")).toEqual([]);
    const r = evaluatePss(p, "baseline", "v1.34");
    expect(r.map((x) => x.check)).toEqual(["hostProbesAndHostLifecycle"]);
    expect(r[0]!.violations[0]).toMatchObject({
      container: "debug",
      path: ["ephemeralContainers", 0, "startupProbe", "tcpSocket", "host"],
    });
  });

  it("reads the seccomp alpha annotations before v1.19 and the fields from v1.19", () => {
    const annotated = podOf(
      { containers: [{ name: "a" }] },
      { "container.seccomp.security.alpha.kubernetes.io/a": "unconfined" },
    );
    expect(failing(annotated, "baseline", "v1.18")).toEqual(["seccompProfile_baseline"]);
    expect(failing(annotated, "baseline", "v1.19")).toEqual([]);
    const r = evaluatePss(annotated, "baseline", "v1.18");
    expect(r[0]!.violations[0]).toMatchObject({
      inMetadata: true,
      path: ["metadata", "annotations", "container.seccomp.security.alpha.kubernetes.io/a"],
    });
    // an annotation for a container the pod does not have is ignored; the pod annotation must be valid even when empty
    const other = podOf(
      { containers: [{ name: "a" }] },
      { "container.seccomp.security.alpha.kubernetes.io/b": "unconfined" },
    );
    expect(failing(other, "baseline", "v1.0")).toEqual([]);
    const empty = podOf({ containers: [{ name: "a" }] }, { "seccomp.security.alpha.kubernetes.io/pod": "" });
    expect(failing(empty, "baseline", "v1.0")).toEqual(["seccompProfile_baseline"]);
    const docker = podOf(
      { containers: [{ name: "a" }] },
      { "seccomp.security.alpha.kubernetes.io/pod": "docker/default" },
    );
    expect(failing(docker, "baseline", "v1.0")).toEqual([]);
  });

  it("widens the safe sysctls at v1.27, v1.29, v1.32 and v1.37", () => {
    const steps: Array<[string, string, string]> = [
      ["net.ipv4.ip_local_reserved_ports", "v1.26", "v1.27"],
      ["net.ipv4.tcp_keepalive_probes", "v1.28", "v1.29"],
      ["net.ipv4.tcp_wmem", "v1.31", "v1.32"],
      ["net.ipv4.tcp_slow_start_after_idle", "v1.36", "v1.37"],
    ];
    for (const [name, before, from] of steps) {
      const p = podOf({ securityContext: { sysctls: [{ name, value: "1" }] }, containers: [{ name: "a" }] });
      expect(failing(p, "baseline", before)).toEqual(["sysctls"]);
      expect(failing(p, "baseline", from)).toEqual([]);
    }
  });

  it("requires runAsNonRoot per container when the pod does not set it, and forbids false anywhere", () => {
    const perContainer = podOf(
      restricted({ securityContext: { seccompProfile: { type: "RuntimeDefault" } } }, { runAsNonRoot: true }),
    );
    expect(failing(perContainer, "restricted", "latest")).toEqual([]);
    const podFalse = podOf(
      restricted(
        { securityContext: { runAsNonRoot: false, seccompProfile: { type: "Localhost" } } },
        { runAsNonRoot: true },
      ),
    );
    expect(failing(podFalse, "restricted", "latest")).toEqual(["runAsNonRoot"]);
  });

  it("lists baseline failures before restricted ones and tags each with its own level", () => {
    const p = podOf({
      hostNetwork: true,
      containers: [{ name: "a", securityContext: { privileged: true } }],
    });
    const r = evaluatePss(p, "restricted", "latest");
    expect(r.map((x) => [x.check, x.level])).toEqual([
      ["hostNamespaces", "baseline"],
      ["privileged", "baseline"],
      ["allowPrivilegeEscalation", "restricted"],
      ["capabilities_restricted", "restricted"],
      ["runAsNonRoot", "restricted"],
      ["seccompProfile_restricted", "restricted"],
    ]);
    expect(r[0]!.reason).toBe("host namespaces");
    expect(r[0]!.detail).toContain("hostNetwork=true");
    expect(pssSummary(r.slice(0, 2))).toBe(
      'host namespaces (hostNetwork=true), privileged (container "a" must not set securityContext.privileged=true)',
    );
    expect(pssViolationMessage(r.slice(0, 1), "restricted", "latest")).toBe(
      'violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true)',
    );
    expect(pssSummary([])).toBe("");
  });
});

describe("registry", () => {
  it("has one module per check in src/config/pss/checks, named by the upstream id", () => {
    const files = readdirSync(join(repo, "src/config/pss/checks"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => f.slice(0, -3))
      .sort();
    expect(files).toEqual([...PSS_CHECK_IDS].sort());
    expect(PSS_CHECK_IDS.length).toBe(19);
  });

  it("numbers the scanner checks KW-POD-001..019 with the required metadata", () => {
    expect(PSS_CHECKS.map((c) => c.id)).toEqual(
      Array.from({ length: 19 }, (_, i) => `KW-POD-${String(i + 1).padStart(3, "0")}`),
    );
    const first = PSS_CHECKS[0]!;
    expect(first.id).toBe(PSS_CHECK_MAP.allowPrivilegeEscalation.scanner.id);
    expect(first.title).toBe("Container allows privilege escalation");
    expect(first.frameworks).toEqual({
      cis: ["5.2.5"],
      nsa: ["pod-security"],
      pss: { level: "restricted", check: "allowPrivilegeEscalation" },
    });
    // the compliance layer finds all 19 by their upstream id
    expect(filterByFramework(PSS_CHECKS, "pss")).toHaveLength(19);
    for (const def of Object.values(PSS_CHECK_MAP)) {
      const want =
        def.level === "restricted"
          ? "medium"
          : def.id === "privileged" || def.id === "hostNamespaces"
            ? "critical"
            : "high";
      expect(def.scanner.severity, def.id).toBe(want);
    }
    for (const c of PSS_CHECKS) expect(c.kinds).toContain("CronJob");
  });

  it("is documented: docs/pod-security.md lists every check id with its scanner id", () => {
    const doc = readFileSync(join(repo, "docs/pod-security.md"), "utf8");
    for (const def of Object.values(PSS_CHECK_MAP)) {
      expect(doc, def.id).toMatch(new RegExp(`${def.scanner.id}\\s*\\|\\s*\`${def.id}\``));
    }
  });
});

describe("scanner integration", () => {
  const ctx = (
    objects: K8sObject[],
    pssLevel: PssLevel = "restricted",
    pssVersion = "latest",
  ): ScanContext => ({
    objects,
    options: { pssLevel, pssVersion },
  });

  it("evaluates each object once and shares the result across the checks", () => {
    const obj = objectFromData({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "a" }] },
    });
    const c = ctx([obj]);
    const first = evaluationOf(obj, c);
    expect(first).toBeDefined();
    expect(evaluationOf(obj, c)).toBe(first);
    const findings = runChecks(PSS_CHECKS, c);
    expect(new Set(findings.map((f) => f.checkId))).toEqual(
      new Set(["KW-POD-001", "KW-POD-004", "KW-POD-013", "KW-POD-017"]),
    );
    expect(evaluationOf(obj, c)).toBe(first);
    // other options: evaluated again
    const base = evaluationOf(obj, ctx([obj], "baseline", "v1.20"));
    expect(base).not.toBe(first);
    expect(base?.resolved).toBe("v1.20");
  });

  it("reports nothing for restricted-only checks at baseline, and nothing for kinds without a pod", () => {
    const obj = objectFromData({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "a" }] },
    });
    expect(runChecks(PSS_CHECKS, ctx([obj], "baseline"))).toEqual([]);
    const cm = objectFromData({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: {} });
    const noSpec = objectFromData({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: {},
    });
    expect(runChecks(PSS_CHECKS, ctx([cm, noSpec]))).toEqual([]);
  });

  it("fails the scan with code pss-version or pss-level when the options are bad (callers validate first)", () => {
    const obj = objectFromData({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "a" }] },
    });
    expect(codeOf(() => runChecks(PSS_CHECKS, ctx([obj], "baseline", "1.30")))).toBe("pss-version");
    expect(codeOf(() => runChecks(PSS_CHECKS, ctx([obj], "privileged" as PssLevel)))).toBe("pss-level");
  });

  it("names the resolved version in every finding", () => {
    const obj = objectFromData({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { hostIPC: true, containers: [{ name: "a" }] },
    });
    const f = runChecks(PSS_CHECKS, ctx([obj], "baseline", "latest"));
    expect(f).toHaveLength(1);
    expect(f[0]!.frameworks).toEqual({
      pss: { level: "baseline", version: "v1.37", check: "hostNamespaces" },
      cis: ["5.2.2", "5.2.3", "5.2.4"],
      nsa: ["pod-security", "network-separation"],
    });
    expect(f[0]!.severity).toBe("critical");
  });

  it("gives findings the line of the offending field, annotations included (CronJob template)", () => {
    const text = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/job: unconfined
        spec:
          restartPolicy: Never
          containers:
            - name: job
              image: busybox
              securityContext:
                privileged: true
`;
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter });
    const data = doc.toJS() as Record<string, unknown>;
    const base = objectFromData(data, "cron.yaml");
    const obj: K8sObject = {
      ...base,
      source: { file: "cron.yaml", line: 1, index: 0 },
      lineOf: (path: FieldPath) => {
        const node = doc.getIn(path as (string | number)[], true) as { range?: [number] } | undefined;
        return node?.range ? counter.linePos(node.range[0]).line : 1;
      },
    };
    const findings = runChecks(PSS_CHECKS, ctx([obj], "baseline"));
    const byCheck = Object.fromEntries(findings.map((f) => [f.frameworks?.pss?.check, f]));
    expect(byCheck.privileged?.location).toEqual({ file: "cron.yaml", line: 19 });
    expect(byCheck.privileged?.message).toBe('container "job" sets securityContext.privileged=true');
    expect(byCheck.privileged?.resource).toMatchObject({
      kind: "CronJob",
      name: "nightly",
      container: "job",
    });
    expect(byCheck.appArmorProfile?.location).toEqual({ file: "cron.yaml", line: 12 });
  });
});
