import { rbacAnonymousBinding } from "../../../src/config/checks/rbac-anonymous-binding.js";
import { rbacClusterAdminBinding } from "../../../src/config/checks/rbac-cluster-admin-binding.js";
import { rbacDefaultSaBinding } from "../../../src/config/checks/rbac-default-sa-binding.js";
import { binding } from "./fixtures.js";
import { ruleTester } from "./harness.js";

const user = (name: string) => ({ kind: "User", apiGroup: "rbac.authorization.k8s.io", name });
const group = (name: string) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name });
const sa = (name: string, namespace?: string) => ({
  kind: "ServiceAccount",
  name,
  ...(namespace ? { namespace } : {}),
});
const view = { kind: "ClusterRole", name: "view" };
const admin = { kind: "ClusterRole", name: "cluster-admin" };
const bootstrapMeta = { labels: { "kubernetes.io/bootstrapping": "rbac-defaults" } };

ruleTester(rbacClusterAdminBinding, {
  valid: [
    { name: "view", objects: [binding("b", view, [user("alice")])] },
    {
      name: "v1beta1 is RBAC too, but not cluster-admin here",
      objects: [{ ...binding("b", view, [user("a")]), apiVersion: "rbac.authorization.k8s.io/v1beta1" }],
    },
    {
      name: "custom resource binding",
      objects: [{ ...binding("b", admin, [user("a")]), apiVersion: "example.com/v1" }],
    },
    {
      name: "a Role named cluster-admin is not the ClusterRole",
      objects: [binding("b", { kind: "Role", name: "cluster-admin" }, [user("a")])],
    },
    {
      name: "bootstrap system:masters binding",
      objects: [
        binding("cluster-admin", admin, [group("system:masters")], "ClusterRoleBinding", bootstrapMeta),
      ],
    },
  ],
  invalid: [
    {
      name: "ClusterRoleBinding",
      objects: [binding("ops", admin, [user("alice"), sa("ci", "tools")], "ClusterRoleBinding")],
      expected: [
        {
          id: "KW-RBAC-009",
          path: ["roleRef", "name"],
          severity: "critical",
          message: ["User alice", "ServiceAccount tools/ci"],
        },
      ],
    },
    {
      name: "RoleBinding",
      objects: [binding("ops", admin, [user("bob")])],
      expected: [
        { id: "KW-RBAC-009", path: ["roleRef", "name"], severity: "high", message: ['namespace "shop"'] },
      ],
    },
  ],
});

ruleTester(rbacAnonymousBinding, {
  valid: [
    { name: "named user", objects: [binding("b", view, [user("alice"), group("devs")])] },
    {
      name: "bootstrap discovery binding",
      objects: [
        binding(
          "system:discovery",
          view,
          [group("system:authenticated")],
          "ClusterRoleBinding",
          bootstrapMeta,
        ),
      ],
    },
  ],
  invalid: [
    {
      name: "anonymous user and unauthenticated group",
      objects: [
        binding(
          "b",
          view,
          [user("alice"), user("system:anonymous"), group("system:unauthenticated")],
          "ClusterRoleBinding",
        ),
      ],
      expected: [
        {
          id: "KW-RBAC-010",
          path: ["subjects", 1, "name"],
          severity: "critical",
          message: ['ClusterRole "view"', "system:anonymous"],
        },
        { id: "KW-RBAC-010", path: ["subjects", 2, "name"], severity: "critical" },
      ],
    },
    {
      name: "system:authenticated is medium",
      objects: [binding("b", view, [group("system:authenticated")])],
      expected: [
        {
          id: "KW-RBAC-010",
          path: ["subjects", 0, "name"],
          severity: "medium",
          message: ["every authenticated identity"],
        },
      ],
    },
  ],
});

ruleTester(rbacDefaultSaBinding, {
  valid: [
    { name: "dedicated service account", objects: [binding("b", view, [sa("web", "shop")])] },
    { name: "a user called default", objects: [binding("b", view, [user("default")])] },
  ],
  invalid: [
    {
      name: "default SA without namespace in a RoleBinding means the binding's namespace",
      objects: [binding("b", view, [sa("web"), sa("default")])],
      expected: [{ id: "KW-RBAC-011", path: ["subjects", 1, "name"], message: ['namespace "shop"'] }],
    },
    {
      name: "default SA of another namespace in a ClusterRoleBinding",
      objects: [binding("b", view, [sa("default", "kube-system")], "ClusterRoleBinding")],
      expected: [{ id: "KW-RBAC-011", path: ["subjects", 0, "name"], message: ['namespace "kube-system"'] }],
    },
    {
      name: "service account groups contain default accounts",
      objects: [
        binding(
          "b",
          view,
          [group("system:serviceaccounts:shop"), group("system:serviceaccounts")],
          "ClusterRoleBinding",
        ),
      ],
      expected: [
        { id: "KW-RBAC-011", path: ["subjects", 0, "name"], message: ['namespace "shop"'] },
        { id: "KW-RBAC-011", path: ["subjects", 1, "name"], message: ["all namespaces"] },
      ],
    },
  ],
});
