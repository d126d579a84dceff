// A realistic report for the reporter tests: workload findings with lines, RBAC,
// network, suppressed and passed findings, vulnerabilities, node evidence, a
// hostile string, scan errors, and a CIS compliance summary. Built with the real
// buildReport and complianceSummary.
import type { CheckMeta } from "../../src/core/check.js";
import { complianceSummary } from "../../src/core/compliance.js";
import type { Finding, Report } from "../../src/core/model.js";
import { buildReport } from "../../src/core/report.js";

const PSS_DOC = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
const RBAC_DOC = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/";

export const CHECKS: CheckMeta[] = [
  {
    id: "KW-POD-001",
    title: "Container allows privilege escalation",
    severity: "high",
    layer: "workload",
    description:
      "A process in the container can gain more privileges than its parent (setuid binaries, file capabilities).",
    remediation: "Set securityContext.allowPrivilegeEscalation to false.",
    references: [PSS_DOC],
    frameworks: { cis: ["5.2.5"], nsa: ["pod-security"] },
  },
  {
    id: "KW-POD-002",
    title: "Container may run as root",
    severity: "medium",
    layer: "workload",
    description: "Neither the pod nor the container sets runAsNonRoot: true.",
    remediation: "Set securityContext.runAsNonRoot to true and run as a non-zero UID.",
    references: [PSS_DOC],
    frameworks: { cis: ["5.2.6"], nsa: ["pod-security"] },
  },
  {
    id: "KW-POD-003",
    title: "Root file system is writable",
    severity: "low",
    layer: "workload",
    description: "The container can write to its root file system.",
    remediation:
      "Set securityContext.readOnlyRootFilesystem to true and mount writable volumes where needed.",
    references: [],
    frameworks: { nsa: ["immutable-filesystem"] },
  },
  {
    id: "KW-RBAC-001",
    title: "Binding grants cluster-admin",
    severity: "critical",
    layer: "rbac",
    description: "A binding gives the cluster-admin role to a subject other than system:masters.",
    remediation: "Bind a narrower role; keep cluster-admin for break-glass accounts.",
    references: [RBAC_DOC],
    frameworks: { cis: ["5.1.1"], nsa: ["rbac"] },
  },
  {
    id: "KW-RBAC-002",
    title: "Role grants access to secrets",
    severity: "high",
    layer: "rbac",
    description: "The role can get, list or watch Secrets.",
    remediation: "Remove get/list/watch on secrets from the role.",
    references: [RBAC_DOC],
    frameworks: { cis: ["5.1.2"], nsa: ["rbac"] },
  },
  {
    id: "KW-RBAC-003",
    title: "Role uses wildcards",
    severity: "medium",
    layer: "rbac",
    description: "The role uses * in resources or verbs.",
    remediation: "List the resources and verbs the role needs.",
    references: [RBAC_DOC],
    frameworks: { cis: ["5.1.3"] },
  },
  {
    id: "KW-NET-001",
    title: "Namespace has no NetworkPolicy",
    severity: "medium",
    layer: "network",
    description: "Pods in the namespace accept traffic from anywhere.",
    remediation: "Add a default-deny NetworkPolicy and allow the flows the namespace needs.",
    references: ["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
    frameworks: { cis: ["5.3.2"], nsa: ["network-separation"] },
  },
];

const meta = (id: string) => CHECKS.find((c) => c.id === id)!;

function check(id: string, rest: Partial<Finding> & Pick<Finding, "message">): Finding {
  const m = meta(id);
  return {
    checkId: m.id,
    title: m.title,
    severity: m.severity,
    status: "fail",
    layer: m.layer,
    remediation: m.remediation,
    references: m.references,
    frameworks: { ...m.frameworks },
    ...rest,
  };
}

const web = { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" };

export function fixtureFindings(): Finding[] {
  return [
    check("KW-POD-001", {
      message: 'container "app" sets securityContext.allowPrivilegeEscalation=true',
      resource: { ...web, container: "app" },
      location: { file: "deploy/web.yaml", line: 17 },
      frameworks: {
        ...meta("KW-POD-001").frameworks,
        pss: { level: "restricted", version: "v1.37", check: "allowPrivilegeEscalation" },
      },
    }),
    check("KW-POD-002", {
      message: 'container "app" does not set runAsNonRoot',
      resource: { ...web, container: "app" },
      location: { file: "deploy/web.yaml", line: 12 },
      frameworks: {
        ...meta("KW-POD-002").frameworks,
        pss: { level: "restricted", version: "v1.37", check: "runAsNonRoot" },
      },
    }),
    check("KW-POD-003", {
      message: 'container "sidecar" does not set readOnlyRootFilesystem',
      resource: { ...web, container: "sidecar" },
      location: { file: "deploy/web.yaml", line: 30 },
    }),
    check("KW-POD-003", {
      status: "pass",
      message: "Root file system is writable: not found",
      resource: { apiVersion: "apps/v1", kind: "Deployment", name: "api" },
      location: { file: "deploy/api.yaml", line: 1 },
    }),
    check("KW-POD-002", {
      // A label value from the manifest, quoted into the message: hostile characters on purpose.
      message: 'container "api" runs as root; label team="<ops> & \'dev\'" \u001b[2J\u0007',
      resource: { apiVersion: "apps/v1", kind: "Deployment", name: "api", container: "api" },
      location: { file: "deploy/api.yaml", line: 20 },
    }),
    check("KW-RBAC-001", {
      message: 'ClusterRoleBinding "all-admins" binds cluster-admin to group "developers"',
      resource: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        name: "all-admins",
      },
      location: { file: "deploy/rbac.yaml", line: 1 },
    }),
    check("KW-RBAC-002", {
      message: 'Role "reader" can get secrets',
      resource: {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        namespace: "shop",
        name: "reader",
      },
      location: { file: "deploy/rbac.yaml", line: 14 },
      suppressed: { by: "ignore-file", reason: "the shop needs its TLS secret", expires: "2027-01-31" },
    }),
    check("KW-RBAC-003", {
      status: "warn",
      message: 'Role "ops" uses "*" in verbs',
      resource: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespace: "ops", name: "ops" },
      location: { file: "deploy/rbac.yaml", line: 30 },
    }),
    check("KW-NET-001", {
      message: 'namespace "shop" has no NetworkPolicy',
      resource: { apiVersion: "v1", kind: "Namespace", name: "shop" },
      location: { file: "deploy/namespaces.yaml", line: 1 },
    }),
    {
      checkId: "CVE-2024-1234",
      title: "openssl: buffer overread in X.509 name checks",
      severity: "critical",
      status: "fail",
      layer: "vulnerability",
      message: "openssl 3.0.11-1~deb12u2 is affected by CVE-2024-1234",
      references: ["https://security-tracker.debian.org/tracker/CVE-2024-1234"],
      vulnerability: {
        id: "CVE-2024-1234",
        aliases: ["DEBIAN-CVE-2024-1234"],
        source: "DEBIAN-CVE-2024-1234",
        package: {
          name: "openssl",
          version: "3.0.11-1~deb12u2",
          ecosystem: "Debian",
          purl: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12",
          sourceName: "openssl",
          sourceVersion: "3.0.11-1~deb12u2",
        },
        fixedVersion: "3.0.13-1~deb12u1",
        fixState: "fixed",
        cvss: { version: "3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 9.8 },
        layerDigest: "sha256:1111111111111111111111111111111111111111111111111111111111111111",
      },
    },
    {
      checkId: "CVE-2023-9999",
      title: "zlib: theoretical overflow in minizip",
      severity: "low",
      status: "fail",
      layer: "vulnerability",
      message: "zlib1g 1:1.2.13.dfsg-1 is affected by CVE-2023-9999",
      vulnerability: {
        id: "CVE-2023-9999",
        aliases: [],
        source: "DEBIAN-CVE-2023-9999",
        package: {
          name: "zlib1g",
          version: "1:1.2.13.dfsg-1",
          ecosystem: "Debian",
          sourceName: "zlib",
          sourceVersion: "1:1.2.13.dfsg-1",
        },
        fixedVersion: null,
        fixState: "wont-fix",
      },
    },
    {
      checkId: "1.2.1",
      title: "Ensure that the --anonymous-auth argument is set to false",
      severity: "high",
      status: "fail",
      layer: "node",
      message: "kube-apiserver runs with --anonymous-auth=true",
      remediation: "Set --anonymous-auth=false in /etc/kubernetes/manifests/kube-apiserver.yaml.",
      frameworks: { cis: ["1.2.1"] },
      evidence: {
        component: "kube-apiserver",
        kind: "flag",
        key: "--anonymous-auth",
        path: "/etc/kubernetes/manifests/kube-apiserver.yaml",
        actual: "true",
        expected: "false",
      },
    },
    {
      checkId: "1.1.9",
      title:
        "Ensure that the Container Network Interface file permissions are set to 600 or more restrictive",
      severity: "medium",
      status: "manual",
      layer: "node",
      message: "CNI files cannot be found automatically; check them by hand",
      frameworks: { cis: ["1.1.9"] },
      evidence: {
        component: "cni",
        kind: "file-permissions",
        path: "/etc/cni/net.d",
        actual: null,
        expected: "600",
      },
    },
  ];
}

export const STARTED = new Date("2026-11-27T08:00:00.250Z");

/** The fixture report; pass findings in another order to test that reporters sort. */
export function fixtureReport(findings: Finding[] = fixtureFindings()): Report {
  return buildReport({
    type: "manifests",
    target: "deploy/",
    startedAt: STARTED,
    finishedAt: new Date(STARTED.getTime() + 41),
    options: { pssLevel: "restricted", pssVersion: "latest" },
    findings,
    errors: [
      {
        file: "deploy/bad.yaml",
        line: 3,
        message: "mapping values are not allowed here",
        code: "yaml-syntax",
      },
      { file: "deploy/huge.yaml", message: "file is larger than 10 MiB", code: "file-too-large" },
    ],
    extra: { compliance: complianceSummary("cis", CHECKS, findings) },
  });
}

export const RULES: ReadonlyMap<string, CheckMeta> = new Map(CHECKS.map((c) => [c.id, c]));

/** Deterministic shuffle (a fixed LCG), so that the "shuffled" test is repeatable. */
export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
