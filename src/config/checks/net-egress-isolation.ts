import type { SetCheck } from "../../core/check.js";
import { uncoveredWorkloads } from "./lib/netpol.js";

/**
 * KW-NET-002: workloads whose pods no NetworkPolicy selects for Egress. A policy counts for Egress
 * only when policyTypes lists it, or when policyTypes is empty and the policy has egress rules
 * (Kubernetes' default); an ingress-only policy leaves egress open.
 */
export const netEgressIsolation: SetCheck = {
  id: "KW-NET-002",
  title: "Workload not isolated by an egress NetworkPolicy",
  severity: "low",
  layer: "network",
  description:
    "Pods that no NetworkPolicy selects for egress can connect anywhere: other pods, the cloud metadata " +
    "endpoint, the Kubernetes API and the internet, which eases lateral movement and data exfiltration.",
  remediation:
    "Add a default-deny egress NetworkPolicy (podSelector: {}, policyTypes: [Egress]) to the namespace and allow " +
    "DNS plus the destinations each workload needs.",
  references: [
    "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic",
    "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
  ],
  frameworks: { cis: ["5.3.2"], nsa: ["network-separation"] },
  runAll(ctx) {
    return uncoveredWorkloads(ctx, "Egress");
  },
};
