import { rbacAggregatedClusterRole } from "../../../src/config/checks/rbac-aggregated-clusterrole.js";
import { rbacCreatePods } from "../../../src/config/checks/rbac-create-pods.js";
import { rbacEscalateBindImpersonate } from "../../../src/config/checks/rbac-escalate-bind-impersonate.js";
import { rbacNodesProxy } from "../../../src/config/checks/rbac-nodes-proxy.js";
import { rbacPodExec } from "../../../src/config/checks/rbac-pod-exec.js";
import { rbacSaTokenCreate } from "../../../src/config/checks/rbac-sa-token-create.js";
import { rbacSecretsRead } from "../../../src/config/checks/rbac-secrets-read.js";
import { rbacWebhookConfig } from "../../../src/config/checks/rbac-webhook-config.js";
import { rbacWildcard } from "../../../src/config/checks/rbac-wildcard.js";
import { role } from "./fixtures.js";
import { ruleTester } from "./harness.js";

const R = (i: number) => ["rules", i];
const bootstrap = {
  metadata: { name: "cluster-admin", labels: { "kubernetes.io/bootstrapping": "rbac-defaults" } },
};
const readPods = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] };

ruleTester(rbacWildcard, {
  valid: [
    { name: "explicit rule", objects: [role("reader", [readPods])] },
    {
      name: "a custom resource called Role is not RBAC",
      objects: [
        {
          ...role("x", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
          apiVersion: "iam.example.com/v1",
        },
      ],
    },
    {
      name: "subresource wildcard is not *",
      objects: [role("scale", [{ apiGroups: ["apps"], resources: ["*/scale"], verbs: ["update"] }])],
    },
    {
      name: "bootstrap cluster-admin is Kubernetes' own",
      objects: [
        { ...role("x", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "ClusterRole"), ...bootstrap },
      ],
    },
  ],
  invalid: [
    {
      name: "full wildcard ClusterRole is critical",
      objects: [role("god", [readPods, { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "ClusterRole")],
      expected: [
        {
          id: "KW-RBAC-001",
          path: [...R(1), "verbs"],
          severity: "critical",
          message: ["every action on every resource"],
        },
      ],
    },
    {
      name: "full wildcard Role is high",
      objects: [role("ns-god", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }])],
      expected: [{ id: "KW-RBAC-001", path: [...R(0), "verbs"], severity: "high" }],
    },
    {
      name: "resources only",
      objects: [role("apps", [{ apiGroups: ["apps"], resources: ["*"], verbs: ["get"] }])],
      expected: [
        { id: "KW-RBAC-001", path: [...R(0), "resources"], severity: "high", message: ["in resources"] },
      ],
    },
    {
      name: "apiGroups only",
      objects: [role("cm", [{ apiGroups: ["*"], resources: ["configmaps"], verbs: ["get"] }])],
      expected: [{ id: "KW-RBAC-001", path: [...R(0), "apiGroups"] }],
    },
    {
      name: "nonResourceURLs",
      objects: [role("urls", [{ nonResourceURLs: ["*"], verbs: ["get"] }], "ClusterRole")],
      expected: [{ id: "KW-RBAC-001", path: [...R(0), "nonResourceURLs"] }],
    },
  ],
});

ruleTester(rbacSecretsRead, {
  valid: [
    { name: "pods only", objects: [role("r", [readPods])] },
    {
      name: "secrets in another group",
      objects: [role("r", [{ apiGroups: ["example.com"], resources: ["secrets"], verbs: ["get"] }])],
    },
    {
      name: "write-only on secrets",
      objects: [role("r", [{ apiGroups: [""], resources: ["secrets"], verbs: ["create", "update"] }])],
    },
    {
      name: "secrets subresource is not secrets",
      objects: [role("r", [{ apiGroups: [""], resources: ["pods", "secrets/status"], verbs: ["get"] }])],
    },
  ],
  invalid: [
    {
      name: "list secrets",
      objects: [role("r", [readPods, { apiGroups: [""], resources: ["secrets"], verbs: ["list"] }])],
      expected: [
        {
          id: "KW-RBAC-002",
          path: R(1),
          severity: "high",
          message: ["grants list on secrets", 'in namespace "shop"'],
        },
      ],
    },
    {
      name: "resources * covers secrets, verbs * covers get",
      objects: [role("r", [{ apiGroups: [""], resources: ["*"], verbs: ["*"] }], "ClusterRole")],
      expected: [{ id: "KW-RBAC-002", path: R(0), message: ["get, list, watch", "cluster-wide"] }],
    },
    {
      name: "apiGroups * covers the core group",
      objects: [role("r", [{ apiGroups: ["*"], resources: ["secrets"], verbs: ["watch"] }])],
      expected: [{ id: "KW-RBAC-002", path: R(0) }],
    },
    {
      name: "resourceNames narrows but still counts",
      objects: [
        role("r", [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["tls"], verbs: ["get"] }]),
      ],
      expected: [{ id: "KW-RBAC-002", path: R(0), severity: "medium", message: ["resourceNames tls"] }],
    },
  ],
});

ruleTester(rbacCreatePods, {
  valid: [
    { name: "read pods", objects: [role("r", [readPods])] },
    {
      name: "create deployments",
      objects: [role("r", [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create"] }])],
    },
    // A create request carries no name, so resourceNames makes the rule unable to grant it.
    {
      name: "create with resourceNames grants nothing",
      objects: [
        role("r", [{ apiGroups: [""], resources: ["pods"], resourceNames: ["x"], verbs: ["create"] }]),
      ],
    },
    {
      name: "create pods/exec is not create pods",
      objects: [role("r", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }])],
    },
  ],
  invalid: [
    {
      name: "create pods",
      objects: [role("r", [{ apiGroups: [""], resources: ["pods"], verbs: ["create"] }])],
      expected: [{ id: "KW-RBAC-003", path: R(0) }],
    },
    {
      name: "wildcards",
      objects: [role("r", [readPods, { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "ClusterRole")],
      expected: [{ id: "KW-RBAC-003", path: R(1), message: ["cluster-wide"] }],
    },
  ],
});

ruleTester(rbacPodExec, {
  valid: [
    {
      name: "pods does not cover pods/exec",
      objects: [role("r", [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }])],
    },
    {
      name: "pods/log",
      objects: [role("r", [{ apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }])],
    },
  ],
  invalid: [
    {
      name: "exec with create",
      objects: [role("r", [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }])],
      expected: [{ id: "KW-RBAC-004", path: R(0), message: ["pods/exec (create)"] }],
    },
    {
      name: "attach and portforward via get (WebSocket)",
      objects: [
        role("r", [{ apiGroups: [""], resources: ["pods/attach", "pods/portforward"], verbs: ["get"] }]),
      ],
      expected: [{ id: "KW-RBAC-004", path: R(0), message: ["pods/attach (get)", "pods/portforward (get)"] }],
    },
    {
      name: "kubectl debug through pods/ephemeralcontainers",
      objects: [
        role("r", [{ apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["get", "patch"] }]),
      ],
      expected: [{ id: "KW-RBAC-004", path: R(0), message: ["pods/ephemeralcontainers (patch)"] }],
    },
    {
      name: "*/exec",
      objects: [role("r", [readPods, { apiGroups: [""], resources: ["*/exec"], verbs: ["create"] }])],
      expected: [{ id: "KW-RBAC-004", path: R(1) }],
    },
  ],
});

const rbacGroup = "rbac.authorization.k8s.io";
ruleTester(rbacEscalateBindImpersonate, {
  valid: [
    {
      name: "edit roles",
      objects: [
        role("r", [{ apiGroups: [rbacGroup], resources: ["roles"], verbs: ["get", "create", "update"] }]),
      ],
    },
    {
      name: "bind on the wrong group",
      objects: [role("r", [{ apiGroups: [""], resources: ["roles"], verbs: ["bind"] }])],
    },
    // users and groups are cluster-scoped: a namespaced Role cannot grant impersonating them.
    {
      name: "Role cannot impersonate users",
      objects: [role("r", [{ apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] }])],
    },
  ],
  invalid: [
    {
      name: "escalate",
      objects: [
        role(
          "r",
          [{ apiGroups: [rbacGroup], resources: ["clusterroles"], verbs: ["escalate"] }],
          "ClusterRole",
        ),
      ],
      expected: [
        { id: "KW-RBAC-005", path: R(0), severity: "high", message: ["escalate on roles/clusterroles"] },
      ],
    },
    {
      name: "bind with resourceNames",
      objects: [
        role("r", [
          { apiGroups: [rbacGroup], resources: ["roles"], resourceNames: ["view"], verbs: ["bind"] },
        ]),
      ],
      expected: [
        { id: "KW-RBAC-005", path: R(0), message: ["bind on roles/clusterroles", "resourceNames view"] },
      ],
    },
    {
      name: "impersonate users in a ClusterRole is critical",
      objects: [
        role("r", [{ apiGroups: [""], resources: ["users"], verbs: ["impersonate"] }], "ClusterRole"),
      ],
      expected: [
        { id: "KW-RBAC-005", path: R(0), severity: "critical", message: ["impersonate users/groups"] },
      ],
    },
    {
      name: "Role impersonating service accounts",
      objects: [role("r", [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }])],
      expected: [
        { id: "KW-RBAC-005", path: R(0), severity: "high", message: ["impersonate serviceaccounts"] },
      ],
    },
    {
      name: "user extras",
      objects: [
        role(
          "r",
          [
            {
              apiGroups: ["authentication.k8s.io"],
              resources: ["userextras/scopes"],
              verbs: ["impersonate"],
            },
          ],
          "ClusterRole",
        ),
      ],
      expected: [{ id: "KW-RBAC-005", path: R(0), message: ["impersonate userextras"] }],
    },
    {
      name: "full wildcard grants all of them",
      objects: [role("r", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "ClusterRole")],
      expected: [
        {
          id: "KW-RBAC-005",
          path: R(0),
          severity: "critical",
          message: [
            "escalate",
            "bind",
            "impersonate serviceaccounts",
            "impersonate users/groups",
            "impersonate uids",
            "impersonate userextras",
          ],
        },
      ],
    },
  ],
});

ruleTester(rbacNodesProxy, {
  valid: [
    {
      name: "nodes/metrics",
      objects: [
        role(
          "r",
          [{ apiGroups: [""], resources: ["nodes/metrics", "nodes/stats", "nodes"], verbs: ["get"] }],
          "ClusterRole",
        ),
      ],
    },
    {
      name: "Role cannot grant node access",
      objects: [role("r", [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }])],
    },
  ],
  invalid: [
    {
      name: "get nodes/proxy",
      objects: [role("r", [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }], "ClusterRole")],
      expected: [{ id: "KW-RBAC-006", path: R(0), message: ["get on nodes/proxy"] }],
    },
    {
      name: "*/proxy",
      objects: [role("r", [{ apiGroups: [""], resources: ["*/proxy"], verbs: ["*"] }], "ClusterRole")],
      expected: [{ id: "KW-RBAC-006", path: R(0), message: ["* on nodes/proxy"] }],
    },
  ],
});

ruleTester(rbacSaTokenCreate, {
  valid: [
    {
      name: "read service accounts",
      objects: [
        role("r", [
          {
            apiGroups: [""],
            resources: ["serviceaccounts", "serviceaccounts/token"],
            verbs: ["get", "list"],
          },
        ]),
      ],
    },
  ],
  invalid: [
    {
      name: "create token",
      objects: [role("r", [{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] }])],
      expected: [{ id: "KW-RBAC-007", path: R(0), severity: "high" }],
    },
    {
      name: "create token for one account",
      objects: [
        role("r", [
          {
            apiGroups: [""],
            resources: ["serviceaccounts/token"],
            resourceNames: ["builder"],
            verbs: ["create"],
          },
        ]),
      ],
      expected: [{ id: "KW-RBAC-007", path: R(0), severity: "medium", message: ["resourceNames builder"] }],
    },
  ],
});

const admission = "admissionregistration.k8s.io";
ruleTester(rbacWebhookConfig, {
  valid: [
    {
      name: "read-only",
      objects: [
        role(
          "r",
          [
            {
              apiGroups: [admission],
              resources: ["validatingwebhookconfigurations"],
              verbs: ["get", "list", "watch"],
            },
          ],
          "ClusterRole",
        ),
      ],
    },
    {
      name: "core group",
      objects: [
        role(
          "r",
          [{ apiGroups: [""], resources: ["mutatingwebhookconfigurations"], verbs: ["patch"] }],
          "ClusterRole",
        ),
      ],
    },
  ],
  invalid: [
    {
      name: "patch mutating webhooks",
      objects: [
        role(
          "r",
          [{ apiGroups: [admission], resources: ["mutatingwebhookconfigurations"], verbs: ["patch", "get"] }],
          "ClusterRole",
        ),
      ],
      expected: [{ id: "KW-RBAC-008", path: R(0), message: ["mutatingwebhookconfigurations (patch)"] }],
    },
    {
      name: "delete named webhook still counts; create by name cannot be granted",
      objects: [
        role(
          "r",
          [
            {
              apiGroups: [admission],
              resources: ["validatingwebhookconfigurations"],
              resourceNames: ["gatekeeper"],
              verbs: ["create", "delete"],
            },
          ],
          "ClusterRole",
        ),
      ],
      expected: [
        {
          id: "KW-RBAC-008",
          path: R(0),
          message: ["validatingwebhookconfigurations (delete)", "resourceNames gatekeeper"],
        },
      ],
    },
  ],
});

const labelled = (name: string, labels: Record<string, string>) => ({
  ...role(name, [readPods], "ClusterRole"),
  metadata: { name, labels },
});
ruleTester(rbacAggregatedClusterRole, {
  valid: [{ name: "plain ClusterRole", objects: [role("r", [readPods], "ClusterRole")] }],
  invalid: [
    {
      name: "aggregation names the matching roles in the scan",
      objects: [
        role("monitoring", [], "ClusterRole", {
          aggregationRule: {
            clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate-to-monitoring": "true" } }],
          },
        }),
        labelled("a-metrics", { "rbac.example.com/aggregate-to-monitoring": "true" }),
        labelled("b-other", { "rbac.example.com/aggregate-to-monitoring": "false" }),
      ],
      expected: [
        {
          id: "KW-RBAC-012",
          path: ["aggregationRule"],
          severity: "info",
          name: "monitoring",
          message: ["a-metrics"],
        },
      ],
    },
    {
      name: "invalid selector is named",
      objects: [
        role("agg", [], "ClusterRole", {
          aggregationRule: {
            clusterRoleSelectors: [{ matchExpressions: [{ key: "k", operator: "In", values: [] }] }],
          },
        }),
        labelled("x", { k: "v" }),
      ],
      expected: [
        { id: "KW-RBAC-012", path: ["aggregationRule"], message: ["invalid selector 0", "In needs values"] },
      ],
    },
  ],
});
