// Each PSS ObjectCheck run through the real engine (runChecks) on objects built with objectFromData:
// one failing and one passing pod per upstream check, with the finding's fields and paths.
import { describe, expect, it } from "vitest";
import { PSS_CHECK_IDS, PSS_CHECK_MAP, PSS_CHECKS, type PssCheckId } from "../../src/config/pss/index.js";
import type { CheckOptions, ScanContext } from "../../src/core/check.js";
import { runChecks } from "../../src/core/engine.js";
import type { FieldPath } from "../../src/core/model.js";
import { type K8sObject, objectFromData } from "../../src/core/object.js";

type Spec = Record<string, unknown>;

/** A pod that passes restricted at every version. */
function restrictedSpec(): Spec {
  const ctx = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    initContainers: [{ name: "init", image: "busybox", securityContext: ctx() }],
    containers: [{ name: "app", image: "nginx", securityContext: ctx() }],
  };
}

function pod(spec: Spec, annotations?: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ns", ...(annotations ? { annotations } : {}) },
    spec,
  };
}

function deployment(spec: Spec, annotations?: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d", namespace: "ns" },
    spec: { template: { metadata: { labels: { app: "d" }, ...(annotations ? { annotations } : {}) }, spec } },
  };
}

function ctxOf(objects: K8sObject[], options: Partial<CheckOptions> = {}): ScanContext {
  return { objects, options: { pssLevel: "restricted", pssVersion: "latest", ...options } };
}

function withSpec(edit: (s: Spec & { containers: Spec[]; initContainers: Spec[] }) => void): Spec {
  const s = restrictedSpec() as Spec & { containers: Spec[]; initContainers: Spec[] };
  edit(s);
  return s;
}
const app = (s: { containers: Spec[] }) => s.containers[0] as Spec & { securityContext: Spec };

interface Case {
  check: PssCheckId;
  options?: Partial<CheckOptions>;
  fail: Record<string, unknown>;
  pass: Record<string, unknown>;
  message: string;
  /** Path of the first violation, relative to the object. */
  path: FieldPath;
  container?: string;
}

const CASES: Case[] = [
  {
    check: "allowPrivilegeEscalation",
    fail: pod(withSpec((s) => (app(s).securityContext.allowPrivilegeEscalation = true))),
    pass: pod(restrictedSpec()),
    message: 'container "app" sets securityContext.allowPrivilegeEscalation=true',
    path: ["spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"],
    container: "app",
  },
  {
    check: "appArmorProfile",
    fail: pod(restrictedSpec(), { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" }),
    pass: pod(restrictedSpec(), { "container.apparmor.security.beta.kubernetes.io/app": "localhost/prof" }),
    message: "annotation container.apparmor.security.beta.kubernetes.io/app=",
    path: ["metadata", "annotations", "container.apparmor.security.beta.kubernetes.io/app"],
    container: "app",
  },
  {
    check: "capabilities_baseline",
    options: { pssLevel: "baseline" },
    fail: pod({ containers: [{ name: "app", securityContext: { capabilities: { add: ["NET_RAW"] } } }] }),
    pass: pod({ containers: [{ name: "app", securityContext: { capabilities: { add: ["CHOWN"] } } }] }),
    message: 'container "app" adds capability "NET_RAW"',
    path: ["spec", "containers", 0, "securityContext", "capabilities", "add", 0],
    container: "app",
  },
  {
    check: "capabilities_restricted",
    fail: pod(withSpec((s) => (app(s).securityContext.capabilities = { drop: ["NET_RAW"] }))),
    pass: pod(
      withSpec((s) => (app(s).securityContext.capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] })),
    ),
    message: 'container "app" does not set securityContext.capabilities.drop=["ALL"]',
    path: ["spec", "containers", 0, "securityContext", "capabilities"],
    container: "app",
  },
  {
    check: "hostNamespaces",
    fail: deployment(withSpec((s) => (s.hostPID = true))),
    pass: deployment(withSpec((s) => (s.hostPID = false))),
    message: "pod sets hostPID=true",
    path: ["spec", "template", "spec", "hostPID"],
  },
  {
    check: "hostPathVolumes",
    options: { pssLevel: "baseline" },
    fail: pod({ containers: [{ name: "app" }], volumes: [{ name: "v", hostPath: { path: "/etc" } }] }),
    pass: pod({ containers: [{ name: "app" }], volumes: [{ name: "v", emptyDir: {} }] }),
    message: 'volume "v" is a hostPath volume',
    path: ["spec", "volumes", 0, "hostPath"],
  },
  {
    check: "hostPorts",
    fail: pod(withSpec((s) => (app(s).ports = [{ containerPort: 80, hostPort: 8080 }]))),
    pass: pod(withSpec((s) => (app(s).ports = [{ containerPort: 80, hostPort: 0 }]))),
    message: 'container "app" uses hostPort 8080',
    path: ["spec", "containers", 0, "ports", 0, "hostPort"],
    container: "app",
  },
  {
    check: "hostProbesAndHostLifecycle",
    fail: pod(withSpec((s) => (app(s).lifecycle = { preStop: { httpGet: { host: "10.0.0.1", port: 80 } } }))),
    pass: pod(withSpec((s) => (app(s).lifecycle = { preStop: { httpGet: { port: 80 } } }))),
    message: 'container "app" sets lifecycle.preStop.httpGet.host="10.0.0.1"',
    path: ["spec", "containers", 0, "lifecycle", "preStop", "httpGet", "host"],
    container: "app",
  },
  {
    check: "privileged",
    fail: pod(
      withSpec((s) => ((s.initContainers[0] as { securityContext: Spec }).securityContext.privileged = true)),
    ),
    pass: pod(
      withSpec(
        (s) => ((s.initContainers[0] as { securityContext: Spec }).securityContext.privileged = false),
      ),
    ),
    message: 'container "init" sets securityContext.privileged=true',
    path: ["spec", "initContainers", 0, "securityContext", "privileged"],
    container: "init",
  },
  {
    check: "procMount",
    options: { pssLevel: "baseline" },
    fail: pod({ containers: [{ name: "app", securityContext: { procMount: "Unmasked" } }] }),
    pass: pod({
      hostUsers: false,
      containers: [{ name: "app", securityContext: { procMount: "Unmasked" } }],
    }),
    message: 'container "app" sets securityContext.procMount="Unmasked"',
    path: ["spec", "containers", 0, "securityContext", "procMount"],
    container: "app",
  },
  {
    check: "procMount_restricted",
    fail: pod(
      withSpec((s) => {
        s.hostUsers = false;
        app(s).securityContext.procMount = "Unmasked";
      }),
    ),
    pass: pod(
      withSpec((s) => {
        s.hostUsers = false;
        app(s).securityContext.procMount = "Default";
      }),
    ),
    message: 'container "app" sets securityContext.procMount="Unmasked"',
    path: ["spec", "containers", 0, "securityContext", "procMount"],
    container: "app",
  },
  {
    check: "restrictedVolumes",
    fail: pod(withSpec((s) => (s.volumes = [{ name: "data", nfs: { server: "nfs", path: "/x" } }]))),
    pass: pod(withSpec((s) => (s.volumes = [{ name: "data", persistentVolumeClaim: { claimName: "c" } }]))),
    message: 'volume "data" uses restricted volume type nfs',
    path: ["spec", "volumes", 0, "nfs"],
  },
  {
    check: "runAsNonRoot",
    fail: pod(withSpec((s) => (s.securityContext = { seccompProfile: { type: "RuntimeDefault" } }))),
    pass: pod(
      withSpec((s) => {
        s.securityContext = { seccompProfile: { type: "RuntimeDefault" } };
        for (const c of [...s.containers, ...s.initContainers])
          (c.securityContext as Spec).runAsNonRoot = true;
      }),
    ),
    message: 'container "init" does not set securityContext.runAsNonRoot=true',
    path: ["spec", "initContainers", 0, "securityContext"],
    container: "init",
  },
  {
    check: "runAsUser",
    fail: pod(withSpec((s) => (app(s).securityContext.runAsUser = 0))),
    pass: pod(withSpec((s) => (app(s).securityContext.runAsUser = 1000))),
    message: 'container "app" sets securityContext.runAsUser=0',
    path: ["spec", "containers", 0, "securityContext", "runAsUser"],
    container: "app",
  },
  {
    check: "seLinuxOptions",
    options: { pssVersion: "v1.30" },
    fail: pod(withSpec((s) => (app(s).securityContext.seLinuxOptions = { type: "container_engine_t" }))),
    pass: pod(
      withSpec((s) => (app(s).securityContext.seLinuxOptions = { type: "container_t", level: "s0:c1" })),
    ),
    message: 'container "app" sets securityContext.seLinuxOptions.type="container_engine_t"',
    path: ["spec", "containers", 0, "securityContext", "seLinuxOptions", "type"],
    container: "app",
  },
  {
    check: "seccompProfile_baseline",
    options: { pssLevel: "baseline" },
    fail: pod({ containers: [{ name: "app", securityContext: { seccompProfile: { type: "Unconfined" } } }] }),
    pass: pod({ containers: [{ name: "app", securityContext: { seccompProfile: { type: "Localhost" } } }] }),
    message: 'container "app" sets securityContext.seccompProfile.type="Unconfined"',
    path: ["spec", "containers", 0, "securityContext", "seccompProfile", "type"],
    container: "app",
  },
  {
    check: "seccompProfile_restricted",
    fail: pod(withSpec((s) => (s.securityContext = { runAsNonRoot: true }))),
    pass: pod(
      withSpec((s) => {
        s.securityContext = { runAsNonRoot: true };
        for (const c of [...s.containers, ...s.initContainers]) {
          (c.securityContext as Spec).seccompProfile = { type: "RuntimeDefault" };
        }
      }),
    ),
    message: 'container "init" does not set securityContext.seccompProfile.type',
    path: ["spec", "initContainers", 0, "securityContext"],
    container: "init",
  },
  {
    check: "sysctls",
    options: { pssVersion: "v1.36" },
    fail: pod(
      withSpec(
        (s) => ((s.securityContext as Spec).sysctls = [{ name: "net.ipv4.tcp_notsent_lowat", value: "1" }]),
      ),
    ),
    pass: pod(
      withSpec(
        (s) => ((s.securityContext as Spec).sysctls = [{ name: "net.ipv4.tcp_rmem", value: "1 2 3" }]),
      ),
    ),
    message: 'pod sets forbidden sysctl "net.ipv4.tcp_notsent_lowat"',
    path: ["spec", "securityContext", "sysctls", 0, "name"],
  },
  {
    check: "windowsHostProcess",
    fail: pod(withSpec((s) => ((s.securityContext as Spec).windowsOptions = { hostProcess: true }))),
    pass: pod(withSpec((s) => ((s.securityContext as Spec).windowsOptions = { hostProcess: false }))),
    message: "pod sets securityContext.windowsOptions.hostProcess=true",
    path: ["spec", "securityContext", "windowsOptions", "hostProcess"],
  },
];

const checkFor = (id: PssCheckId) => {
  const c = PSS_CHECKS.find((x) => x.id === PSS_CHECK_MAP[id].scanner.id);
  if (!c) throw new Error(`no scanner check for ${id}`);
  return c;
};

describe("PSS scanner checks", () => {
  it("covers every upstream check with one case", () => {
    expect(CASES.map((c) => c.check).sort()).toEqual([...PSS_CHECK_IDS].sort());
  });

  for (const c of CASES) {
    describe(`${PSS_CHECK_MAP[c.check].scanner.id} ${c.check}`, () => {
      const check = checkFor(c.check);

      it("reports the failing pod with the field, container and PSS reference", () => {
        const obj = objectFromData(c.fail, "fail.yaml");
        const findings = runChecks([check], ctxOf([obj], c.options));
        expect(findings.length).toBeGreaterThan(0);
        const f = findings[0]!;
        expect(f.checkId).toBe(check.id);
        expect(f.status).toBe("fail");
        expect(f.layer).toBe("workload");
        expect(f.message).toContain(c.message);
        expect(f.resource?.container).toBe(c.container);
        expect(f.frameworks?.pss).toEqual({
          level: PSS_CHECK_MAP[c.check].level,
          version: expect.any(String),
          check: c.check,
        });
        expect(f.frameworks?.nsa).toContain("pod-security");
        const violations = check.run(obj, ctxOf([obj], c.options));
        expect(violations[0]!.path).toEqual(c.path);
      });

      it("passes the compliant pod", () => {
        const obj = objectFromData(c.pass, "pass.yaml");
        expect(runChecks([check], ctxOf([obj], c.options))).toEqual([]);
        // and the whole set agrees: nothing else fails the compliant pod either
        expect(runChecks(PSS_CHECKS, ctxOf([obj], c.options)).map((f) => f.checkId)).toEqual([]);
      });
    });
  }
});
