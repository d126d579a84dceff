import { netEgressIsolation } from "../../../src/config/checks/net-egress-isolation.js";
import { netExposedService } from "../../../src/config/checks/net-exposed-service.js";
import { netIngressIsolation } from "../../../src/config/checks/net-ingress-isolation.js";
import { netIngressTls } from "../../../src/config/checks/net-ingress-tls.js";
import { netInvalidPolicySelector } from "../../../src/config/checks/net-invalid-policy-selector.js";
import { netIstioMtls } from "../../../src/config/checks/net-istio-mtls.js";
import { cronJob, deployment, goodPodSpec, netpol, pod } from "./fixtures.js";
import { ruleTester } from "./harness.js";

const LABELS = ["spec", "template", "metadata", "labels"];
const web = deployment("web");
const api = deployment("api", goodPodSpec(), "shop", { app: "api", tier: "back" });
const denyIngress = netpol("default-deny", { podSelector: {}, policyTypes: ["Ingress"] });
const denyAll = netpol("deny-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });

ruleTester(netIngressIsolation, {
  valid: [
    { name: "default deny selects every pod", objects: [web, api, denyIngress] },
    {
      name: "no policyTypes means Ingress",
      objects: [web, netpol("allow-web", { podSelector: { matchLabels: { app: "web" } }, ingress: [{}] })],
    },
    {
      name: "matchExpressions NotIn matches pods without the key",
      objects: [
        web,
        netpol("p", {
          podSelector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["back"] }] },
        }),
      ],
    },
    {
      name: "CronJob pods selected by template labels",
      objects: [cronJob("report"), netpol("p", { podSelector: { matchLabels: { app: "report" } } })],
    },
    {
      name: "PodTemplate runs no pods",
      objects: [
        {
          apiVersion: "v1",
          kind: "PodTemplate",
          metadata: { name: "t", namespace: "shop" },
          template: { spec: goodPodSpec() },
        },
      ],
    },
    {
      name: "unset namespaces group as default",
      objects: [deployment("web", goodPodSpec(), null), netpol("deny", { podSelector: {} }, "default")],
    },
  ],
  invalid: [
    {
      name: "no policy at all",
      objects: [web],
      expected: [
        {
          id: "KW-NET-001",
          path: LABELS,
          name: "web",
          message: ['namespace "shop" has no NetworkPolicy for ingress and no default-deny ingress policy'],
        },
      ],
    },
    {
      name: "policy selects another workload only",
      objects: [
        web,
        api,
        netpol("allow-api", {
          podSelector: { matchLabels: { app: "api" } },
          ingress: [{ from: [{ podSelector: {} }] }],
        }),
      ],
      expected: [
        {
          id: "KW-NET-001",
          path: LABELS,
          name: "web",
          message: ["1 ingress NetworkPolicy(ies) but none selects labels {app: web}"],
        },
      ],
    },
    {
      name: "egress-only policy does not isolate ingress",
      objects: [pod("solo"), netpol("egress", { podSelector: {}, policyTypes: ["Egress"] })],
      expected: [
        {
          id: "KW-NET-001",
          path: ["metadata", "labels"],
          name: "solo",
          message: ["has no NetworkPolicy for ingress"],
        },
      ],
    },
    {
      name: "policy in another namespace",
      objects: [web, netpol("deny", { podSelector: {} }, "other")],
      expected: [{ id: "KW-NET-001", path: LABELS, name: "web" }],
    },
    {
      name: "Exists / DoesNotExist",
      objects: [
        web,
        api,
        netpol("tiered", { podSelector: { matchExpressions: [{ key: "tier", operator: "Exists" }] } }),
        netpol("untiered-but-not-web", {
          podSelector: {
            matchExpressions: [
              { key: "tier", operator: "DoesNotExist" },
              { key: "app", operator: "In", values: ["db"] },
            ],
          },
        }),
      ],
      expected: [{ id: "KW-NET-001", path: LABELS, name: "web" }],
    },
    {
      name: "cluster scan: ReplicaSet and Pod owned by a scanned Deployment are reported once, at the top",
      objects: [
        web,
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          metadata: {
            name: "web-5d8f",
            namespace: "shop",
            ownerReferences: [
              { apiVersion: "apps/v1", kind: "Deployment", name: "web", controller: true, uid: "1" },
            ],
          },
          spec: { template: { metadata: { labels: { app: "web" } }, spec: goodPodSpec() } },
        },
        {
          ...pod("web-5d8f-x2", goodPodSpec(), "shop", { app: "web" }),
          metadata: {
            name: "web-5d8f-x2",
            namespace: "shop",
            labels: { app: "web" },
            ownerReferences: [
              { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d8f", controller: true, uid: "2" },
            ],
          },
        },
        {
          ...pod("orphan"),
          metadata: {
            name: "orphan",
            namespace: "shop",
            labels: { app: "orphan" },
            ownerReferences: [
              { apiVersion: "apps/v1", kind: "ReplicaSet", name: "gone", controller: true, uid: "3" },
            ],
          },
        },
      ],
      expected: [
        { id: "KW-NET-001", path: LABELS, name: "web" },
        { id: "KW-NET-001", path: ["metadata", "labels"], name: "orphan" },
      ],
    },
    {
      name: "policy with invalid selector is ignored and named",
      objects: [
        web,
        netpol("broken", { podSelector: { matchExpressions: [{ key: "app", operator: "In", values: [] }] } }),
      ],
      expected: [
        { id: "KW-NET-001", path: LABELS, name: "web", message: ["ignored for invalid podSelector: broken"] },
      ],
    },
  ],
});

ruleTester(netEgressIsolation, {
  valid: [
    { name: "deny all", objects: [web, api, denyAll] },
    {
      name: "egress rules imply Egress",
      objects: [
        web,
        netpol("dns", { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }),
      ],
    },
  ],
  invalid: [
    {
      name: "ingress-only default deny leaves egress open",
      objects: [web, denyIngress],
      expected: [
        {
          id: "KW-NET-002",
          path: LABELS,
          name: "web",
          message: ["no NetworkPolicy for egress and no default-deny egress policy"],
        },
      ],
    },
    {
      name: "empty egress list without policyTypes is ingress only",
      objects: [web, netpol("p", { podSelector: {}, egress: [] })],
      expected: [{ id: "KW-NET-002", path: LABELS, name: "web" }],
    },
  ],
});

const svc = (spec: Record<string, unknown>) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "shop" },
  spec,
});
ruleTester(netExposedService, {
  valid: [
    { name: "ClusterIP", objects: [svc({ type: "ClusterIP", ports: [{ port: 80 }] })] },
    { name: "type unset defaults to ClusterIP", objects: [svc({ ports: [{ port: 80 }] })] },
  ],
  invalid: [
    {
      name: "NodePort",
      objects: [svc({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }, { port: 443 }] })],
      expected: [{ id: "KW-NET-003", path: ["spec", "type"], severity: "medium", message: ["30080, auto"] }],
    },
    {
      name: "LoadBalancer open to all",
      objects: [svc({ type: "LoadBalancer", ports: [{ port: 443 }] })],
      expected: [{ id: "KW-NET-003", path: ["spec", "type"], severity: "medium" }],
    },
    {
      name: "LoadBalancer with source ranges",
      objects: [svc({ type: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/8"] })],
      expected: [{ id: "KW-NET-003", path: ["spec", "type"], severity: "low", message: ["10.0.0.0/8"] }],
    },
  ],
});

const ingress = (spec: Record<string, unknown>) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "web", namespace: "shop" },
  spec,
});
const rule = (host?: string) => ({
  ...(host ? { host } : {}),
  http: {
    paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }],
  },
});
ruleTester(netIngressTls, {
  valid: [
    {
      name: "all hosts covered",
      objects: [
        ingress({
          tls: [{ hosts: ["shop.example.com"], secretName: "t" }],
          rules: [rule("shop.example.com")],
        }),
      ],
    },
    {
      name: "wildcard certificate",
      objects: [
        ingress({
          tls: [{ hosts: ["*.example.com"] }],
          rules: [rule("a.example.com"), rule("B.EXAMPLE.COM")],
        }),
      ],
    },
    {
      name: "TLS entry without hosts covers all",
      objects: [ingress({ tls: [{ secretName: "default" }], rules: [rule("x.example.org"), rule()] })],
    },
  ],
  invalid: [
    {
      name: "no tls",
      objects: [ingress({ rules: [rule("shop.example.com")] })],
      expected: [{ id: "KW-NET-004", path: ["spec"], message: ["shop.example.com served over plain HTTP"] }],
    },
    {
      name: "one host missing; wildcard covers one label only",
      objects: [
        ingress({
          tls: [{ hosts: ["*.example.com"], secretName: "t" }],
          rules: [rule("a.example.com"), rule("a.b.example.com"), rule("example.com")],
        }),
      ],
      expected: [
        { id: "KW-NET-004", path: ["spec", "rules", 1, "host"], message: ['"a.b.example.com"'] },
        { id: "KW-NET-004", path: ["spec", "rules", 2, "host"], message: ['"example.com"'] },
      ],
    },
  ],
});

const pa = (name: string, ns: string, spec: Record<string, unknown>) => ({
  apiVersion: "security.istio.io/v1",
  kind: "PeerAuthentication",
  metadata: { name, namespace: ns },
  spec,
});
const meshStrict = pa("default", "istio-system", { mtls: { mode: "STRICT" } });
const istioNs = {
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name: "shop", labels: { "istio-injection": "enabled" } },
};

ruleTester(netIstioMtls, {
  valid: [
    { name: "no Istio in the scan", objects: [web] },
    { name: "mesh-wide STRICT", objects: [web, meshStrict] },
    {
      name: "workload-specific STRICT override",
      objects: [
        web,
        meshStrict,
        pa("web", "shop", { selector: { matchLabels: { app: "web" } }, mtls: { mode: "STRICT" } }),
      ],
    },
  ],
  invalid: [
    {
      name: "Istio in use but no PeerAuthentication",
      objects: [istioNs, web],
      expected: [
        {
          id: "KW-NET-005",
          message: [
            "no mesh-wide PeerAuthentication in root namespace istio-system",
            "without a STRICT namespace-wide policy: shop",
          ],
        },
      ],
    },
    {
      name: "PERMISSIVE namespace and DISABLE port under a STRICT mesh",
      objects: [
        web,
        meshStrict,
        pa("shop", "shop", { mtls: { mode: "PERMISSIVE" } }),
        pa("metrics", "shop", {
          selector: { matchLabels: { app: "web" } },
          portLevelMtls: { "9090": { mode: "DISABLE" } },
        }),
      ],
      expected: [
        {
          id: "KW-NET-005",
          path: ["spec", "mtls", "mode"],
          name: "shop",
          severity: "medium",
          message: ['namespace "shop"'],
        },
        {
          id: "KW-NET-005",
          path: ["spec", "portLevelMtls", "9090", "mode"],
          name: "metrics",
          severity: "high",
        },
      ],
    },
    {
      name: "mesh-wide policy with mode UNSET",
      objects: [
        web,
        pa("default", "istio-system", {}),
        pa("shop", "shop", { mtls: { mode: "STRICT" } }),
        deployment("x", goodPodSpec(), "other"),
      ],
      expected: [
        {
          id: "KW-NET-005",
          path: ["spec"],
          name: "default",
          message: ["leaves mtls.mode UNSET", "policy: other"],
        },
      ],
    },
    {
      name: "mesh-wide DISABLE reported once",
      objects: [web, pa("default", "istio-system", { mtls: { mode: "DISABLE" } })],
      expected: [
        { id: "KW-NET-005", path: ["spec", "mtls", "mode"], severity: "high", message: ["mesh-wide"] },
      ],
    },
  ],
});

ruleTester(netInvalidPolicySelector, {
  valid: [
    {
      name: "valid selector",
      objects: [netpol("p", { podSelector: { matchExpressions: [{ key: "a", operator: "Exists" }] } })],
    },
    { name: "empty selector", objects: [denyAll] },
  ],
  invalid: [
    {
      name: "DoesNotExist with values",
      objects: [
        netpol("p", {
          podSelector: { matchExpressions: [{ key: "a", operator: "DoesNotExist", values: ["x"] }] },
        }),
      ],
      expected: [
        { id: "KW-NET-006", path: ["spec", "podSelector"], message: ["DoesNotExist takes no values"] },
      ],
    },
  ],
});
