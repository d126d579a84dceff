import type { ObjectCheck } from "../../core/check.js";
import { isRecord } from "../../core/object.js";
import { stringList } from "./lib/k8s.js";

/**
 * KW-NET-003: Services of type NodePort or LoadBalancer. A LoadBalancer restricted by
 * spec.loadBalancerSourceRanges is reported at low severity; NodePort opens the port on every node.
 */
export const netExposedService: ObjectCheck = {
  id: "KW-NET-003",
  title: "Service exposed outside the cluster (NodePort or LoadBalancer)",
  severity: "medium",
  layer: "network",
  description:
    "NodePort opens a port on every node's address, bypassing ingress controllers and their TLS and " +
    "authentication; LoadBalancer publishes the Service to whatever network the cloud load balancer faces, " +
    "often the internet.",
  remediation:
    "Use type ClusterIP behind an Ingress or Gateway with TLS. Where a LoadBalancer is needed, set " +
    "loadBalancerSourceRanges or an internal load balancer annotation.",
  references: [
    "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
    "https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/",
  ],
  frameworks: { cis: [], nsa: ["network-separation"] },
  kinds: ["Service"],
  run(obj) {
    const spec = isRecord(obj.raw.spec) ? obj.raw.spec : {};
    const type = spec.type;
    if (type === "NodePort") {
      const ports = Array.isArray(spec.ports)
        ? spec.ports
            .filter(isRecord)
            .map((p) => (typeof p.nodePort === "number" ? String(p.nodePort) : "auto"))
        : [];
      return [
        {
          message: `Service is type NodePort: port(s) ${ports.length > 0 ? ports.join(", ") : "auto"} open on every node`,
          path: ["spec", "type"],
        },
      ];
    }
    if (type === "LoadBalancer") {
      const ranges = stringList(spec.loadBalancerSourceRanges);
      return [
        {
          message:
            ranges.length > 0
              ? `Service is type LoadBalancer, limited to source ranges ${ranges.join(", ")}`
              : "Service is type LoadBalancer with no loadBalancerSourceRanges: reachable from any address the load balancer faces",
          path: ["spec", "type"],
          severity: ranges.length > 0 ? "low" : "medium",
        },
      ];
    }
    return [];
  },
};
