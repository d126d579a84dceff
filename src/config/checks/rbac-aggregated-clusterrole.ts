import type { ObjectCheck } from "../../core/check.js";
import { isRecord } from "../../core/object.js";
import { isBootstrapDefault } from "./lib/k8s.js";
import { isRbacObject } from "./lib/rbac.js";
import { labelsOf, matchSelector } from "./lib/selector.js";

/**
 * KW-RBAC-012 (info): a ClusterRole with an aggregationRule. The controller manager overwrites its
 * rules with the union of every ClusterRole whose labels match a clusterRoleSelector, so the rules in
 * the manifest (usually none) are not what it grants. The message names the matching ClusterRoles
 * among the scanned objects; any ClusterRole created later with matching labels joins it.
 */
export const rbacAggregatedClusterRole: ObjectCheck = {
  id: "KW-RBAC-012",
  title: "Aggregated ClusterRole: permissions come from other ClusterRoles",
  severity: "info",
  layer: "rbac",
  description:
    "An aggregated ClusterRole has no rules of its own: it grants whatever ClusterRoles with matching labels " +
    "grant, including ones installed later by operators and CRDs. Review those roles and who may label them.",
  remediation:
    "Review the ClusterRoles matched by the aggregationRule's selectors, and restrict who can create or label " +
    "ClusterRoles; prefer explicit rules for roles that hold sensitive rights.",
  references: ["https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles"],
  frameworks: { cis: ["5.1.3"], nsa: ["authentication-authorization"] },
  kinds: ["ClusterRole"],
  run(obj, ctx) {
    if (isBootstrapDefault(obj) || !isRbacObject(obj) || !isRecord(obj.raw.aggregationRule)) return [];
    const selectors = obj.raw.aggregationRule.clusterRoleSelectors;
    const list = Array.isArray(selectors) ? selectors : [];
    const invalid: string[] = [];
    const matched = new Set<string>();
    list.forEach((sel, i) => {
      for (const other of ctx.objects) {
        if (other.kind !== "ClusterRole" || other === obj) continue;
        const r = matchSelector(sel, labelsOf(other.metadata.labels));
        if (!r.ok) {
          if (!invalid.includes(`selector ${i}: ${r.error}`)) invalid.push(`selector ${i}: ${r.error}`);
          break;
        }
        if (r.matches && typeof other.metadata.name === "string") matched.add(other.metadata.name);
      }
    });
    const names = [...matched].sort();
    const found =
      names.length > 0
        ? `matching ClusterRoles in the scanned objects: ${names.join(", ")}`
        : "no matching ClusterRole among the scanned objects";
    const bad = invalid.length > 0 ? `; invalid ${invalid.join("; ")}` : "";
    return [
      {
        message: `ClusterRole aggregates ${list.length} clusterRoleSelector(s); its rules are filled in by the controller (${found})${bad}`,
        path: ["aggregationRule"],
      },
    ];
  },
};
