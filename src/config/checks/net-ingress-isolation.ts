import type { SetCheck } from "../../core/check.js";
import { uncoveredWorkloads } from "./lib/netpol.js";

/**
 * KW-NET-001: workloads whose pods no NetworkPolicy selects for Ingress. Policies count for
 * Ingress when policyTypes lists it, or when policyTypes is empty (Kubernetes' default); their
 * podSelector (matchLabels and In/NotIn/Exists/DoesNotExist expressions) is evaluated against
 * the pod template labels in the same namespace. Objects without a namespace count as "default".
 */
export const netIngressIsolation: SetCheck = {
  id: "KW-NET-001",
  title: "Workload not isolated by an ingress NetworkPolicy",
  severity: "medium",
  layer: "network",
  description:
    "Pods that no NetworkPolicy selects for ingress accept connections from every pod in the cluster. An " +
    "attacker in any compromised pod can then reach them directly, databases and admin ports included.",
  remediation:
    "Add a default-deny ingress NetworkPolicy (podSelector: {}, policyTypes: [Ingress]) to the namespace, then " +
    "policies that allow only the expected clients of each workload.",
  references: [
    "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic",
    "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
  ],
  frameworks: { cis: ["5.3.2"], nsa: ["network-separation"] },
  runAll(ctx) {
    return uncoveredWorkloads(ctx, "Ingress");
  },
};
