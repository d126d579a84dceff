import type { ObjectCheck, Violation } from "../../core/check.js";
import { isRecord } from "../../core/object.js";
import { deepestExisting, recordList, stringList } from "./lib/k8s.js";

/** Whether a TLS host entry covers a rule host: exact, or "*.d" covering exactly one more label. */
export function tlsHostCovers(tlsHost: string, host: string): boolean {
  const t = tlsHost.toLowerCase();
  const h = host.toLowerCase();
  if (t === h) return true;
  if (!t.startsWith("*.") || h.startsWith("*.")) return false;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot) === t.slice(1);
}

/**
 * KW-NET-004: Ingresses without TLS, or with rule hosts that no spec.tls entry covers. A TLS entry
 * without hosts uses the controller's default (wildcard) host and covers every host; a rule without a
 * host is covered as soon as any TLS entry exists.
 */
export const netIngressTls: ObjectCheck = {
  id: "KW-NET-004",
  title: "Ingress serves hosts without TLS",
  severity: "medium",
  layer: "network",
  description:
    "Hosts of an Ingress that no spec.tls entry lists are served over plain HTTP: credentials, session " +
    "cookies and data cross the network unencrypted and can be read or altered in transit.",
  remediation:
    "Add a spec.tls entry listing every host with a certificate Secret (e.g. issued by cert-manager), and let " +
    "the controller redirect HTTP to HTTPS.",
  references: [
    "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls",
    "https://kubernetes.io/docs/concepts/services-networking/ingress/",
  ],
  frameworks: { cis: [], nsa: ["network-separation"] },
  kinds: ["Ingress"],
  run(obj) {
    const spec = isRecord(obj.raw.spec) ? obj.raw.spec : {};
    const rules = recordList(spec.rules);
    const tls = recordList(spec.tls);
    const hosts = rules.flatMap(({ item }) =>
      typeof item.host === "string" && item.host !== "" ? [item.host] : [],
    );
    if (tls.length === 0) {
      const what = hosts.length > 0 ? `host(s) ${hosts.join(", ")}` : "all traffic";
      return [
        {
          message: `Ingress has no spec.tls: ${what} served over plain HTTP`,
          path: deepestExisting(obj.raw, ["spec", "tls"]),
        },
      ];
    }
    if (tls.some(({ item }) => stringList(item.hosts).length === 0)) return [];
    const tlsHosts = tls.flatMap(({ item }) => stringList(item.hosts));
    const out: Violation[] = [];
    for (const { item, index } of rules) {
      if (typeof item.host !== "string" || item.host === "") continue;
      const host = item.host;
      if (tlsHosts.some((t) => tlsHostCovers(t, host))) continue;
      out.push({
        message: `Ingress rule host "${host}" is not listed in any spec.tls hosts (${tlsHosts.join(", ")}): served over plain HTTP`,
        path: ["spec", "rules", index, "host"],
      });
    }
    return out;
  },
};
