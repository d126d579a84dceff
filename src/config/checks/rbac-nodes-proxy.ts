import type { ObjectCheck, Violation } from "../../core/check.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { grantedVerbs, namesNote, rulesOf } from "./lib/rbac.js";

const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

/**
 * KW-RBAC-006: any verb on nodes/proxy. Nodes are cluster-scoped, so only ClusterRoles can grant it.
 * GET alone is enough: the kubelet API's exec/run endpoints accept WebSocket GET requests, and
 * requests through nodes/proxy bypass admission and audit of the pods touched.
 */
export const rbacNodesProxy: ObjectCheck = {
  id: "KW-RBAC-006",
  title: "ClusterRole grants nodes/proxy",
  severity: "high",
  layer: "rbac",
  description:
    "nodes/proxy gives direct access to the kubelet API of every node: list and exec into any pod on the node, " +
    "read logs and metrics, without the API server's admission control or per-pod audit.",
  remediation:
    "Remove nodes/proxy; monitoring agents need nodes/metrics or nodes/stats, which are separate subresources.",
  references: [
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes",
    "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/",
  ],
  frameworks: { cis: ["5.1.10"], nsa: ["authentication-authorization"] },
  kinds: ["ClusterRole"],
  run(obj) {
    if (isBootstrapDefault(obj)) return [];
    const out: Violation[] = [];
    for (const rule of rulesOf(obj)) {
      const verbs = grantedVerbs(rule, "", "nodes/proxy", VERBS);
      if (verbs.length === 0) continue;
      const shown = rule.verbs.includes("*") ? "*" : verbs.join(", ");
      out.push({
        message: `ClusterRole rule ${rule.index} grants ${shown} on nodes/proxy${namesNote(rule)}`,
        path: rule.path,
      });
    }
    return out;
  },
};
