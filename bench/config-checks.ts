// Manifest checks benchmark: builds 10,000 realistic objects (workloads, Services, Ingresses,
// RBAC, NetworkPolicies, ServiceAccounts, LimitRanges) over 40 namespaces in memory and runs the
// workload, RBAC and network checks over them through runChecks. Reports throughput per family.
import { CONFIG_CHECKS, NETWORK_CHECKS, RBAC_CHECKS, WORKLOAD_CHECKS } from "../src/config/checks/index.js";
import type { Check } from "../src/core/check.js";
import { runChecks } from "../src/core/engine.js";
import { type K8sObject, objectFromData } from "../src/core/object.js";

const OBJECTS = 10_000;
const NAMESPACES = 40;
const ROUNDS = 5;

function workload(i: number): Record<string, unknown> {
  const ns = `team-${i % NAMESPACES}`;
  const labels = { app: `svc-${i}`, tier: i % 3 === 0 ? "front" : "back" };
  return {
    apiVersion: "apps/v1",
    kind: i % 7 === 0 ? "StatefulSet" : "Deployment",
    metadata: { name: `svc-${i}`, namespace: ns },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: `svc-${i}`,
          volumes:
            i % 50 === 0
              ? [{ name: "sock", hostPath: { path: "/var/run/docker.sock" } }]
              : [{ name: "tmp", emptyDir: {} }],
          containers: [
            {
              name: "app",
              image:
                i % 5 === 0
                  ? `registry.example.com/app-${i}:latest`
                  : `registry.example.com/app-${i}:1.${i % 9}.0`,
              env: [
                { name: "LOG_LEVEL", value: "info" },
                {
                  name: "DB_PASSWORD",
                  ...(i % 11 === 0
                    ? { value: "hunter2" }
                    : { valueFrom: { secretKeyRef: { name: "db", key: "pw" } } }),
                },
              ],
              resources: i % 4 === 0 ? {} : { limits: { cpu: "1", memory: "1Gi" } },
              securityContext: {
                readOnlyRootFilesystem: i % 2 === 0,
                capabilities: { add: i % 13 === 0 ? ["NET_ADMIN"] : [] },
              },
              livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
            },
            { name: "proxy", image: "envoyproxy/envoy:v1.31.0", resources: { requests: { cpu: "50m" } } },
          ],
        },
      },
    },
  };
}

function other(i: number): Record<string, unknown> {
  const ns = `team-${i % NAMESPACES}`;
  switch (i % 6) {
    case 0:
      return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `svc-${i}`, namespace: ns },
        spec: { type: i % 12 === 0 ? "NodePort" : "ClusterIP", ports: [{ port: 80 }] },
      };
    case 1:
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: i % 4 === 1 ? "ClusterRole" : "Role",
        metadata: { name: `role-${i}`, namespace: ns },
        rules: [
          { apiGroups: [""], resources: ["pods", "configmaps"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["apps"], resources: ["deployments"], verbs: i % 8 === 1 ? ["*"] : ["get"] },
          { apiGroups: [""], resources: ["secrets"], resourceNames: [`s-${i}`], verbs: ["get"] },
        ],
      };
    case 2:
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `rb-${i}`, namespace: ns },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `role-${i - 1}` },
        subjects: [{ kind: "ServiceAccount", name: i % 10 === 2 ? "default" : `svc-${i}` }],
      };
    case 3:
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: `np-${i}`, namespace: ns },
        spec: {
          podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }] },
          ingress: [{ from: [{ podSelector: {} }] }],
        },
      };
    case 4:
      return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: `svc-${i - 4}`, namespace: ns },
        automountServiceAccountToken: false,
      };
    default:
      return i % 12 === 5
        ? {
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: { name: `lr-${i}`, namespace: ns },
            spec: { limits: [{ type: "Container", default: { cpu: "1", memory: "512Mi" } }] },
          }
        : {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata: { name: `ing-${i}`, namespace: ns },
            spec: {
              rules: [{ host: `app-${i}.example.com` }],
              ...(i % 3 === 0 ? { tls: [{ hosts: [`app-${i}.example.com`] }] } : {}),
            },
          };
  }
}

function objects(): K8sObject[] {
  const out: K8sObject[] = [];
  for (let i = 0; i < OBJECTS; i++)
    out.push(objectFromData(i % 2 === 0 ? workload(i) : other(i), "bench.yaml", i));
  return out;
}

function time(checks: readonly Check[], objs: K8sObject[]): { ms: number; findings: number } {
  let findings = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) {
    // A fresh array per round: the per-scan index cache must be rebuilt, as in a real scan.
    findings = runChecks(checks, {
      objects: [...objs],
      options: { pssLevel: "restricted", pssVersion: "latest" },
    }).length;
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6 / ROUNDS, findings };
}

export async function run(): Promise<Record<string, number | string>> {
  const objs = objects();
  const all = time(CONFIG_CHECKS, objs);
  const wl = time(WORKLOAD_CHECKS, objs);
  const rbac = time(RBAC_CHECKS, objs);
  const net = time(NETWORK_CHECKS, objs);
  return {
    objects: OBJECTS,
    checks: CONFIG_CHECKS.length,
    findings: all.findings,
    "all checks ms per scan": Math.round(all.ms),
    "all checks objects/s": Math.round((OBJECTS / all.ms) * 1000),
    "workload checks ms": Math.round(wl.ms),
    "rbac checks ms": Math.round(rbac.ms),
    "network checks ms": Math.round(net.ms),
  };
}
