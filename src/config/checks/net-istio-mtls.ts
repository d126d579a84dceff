import type { SetCheck, Violation } from "../../core/check.js";
import { isRecord, type K8sObject } from "../../core/object.js";
import { namespaceOf } from "./lib/k8s.js";
import { workloadsOf } from "./lib/netpol.js";

/** Istio's default root namespace (meshConfig.rootNamespace): policies there without a selector are mesh-wide. */
export const ISTIO_ROOT_NAMESPACE = "istio-system";

/** Istio is in play: any *.istio.io resource, or a Namespace labelled for sidecar injection. */
function usesIstio(objects: readonly K8sObject[]): boolean {
  return objects.some(
    (o) =>
      /^[a-z0-9.-]+\.istio\.io\//.test(o.apiVersion) ||
      (o.kind === "Namespace" &&
        (o.metadata.labels?.["istio-injection"] === "enabled" ||
          o.metadata.labels?.["istio.io/rev"] !== undefined)),
  );
}

const isPeerAuthentication = (o: K8sObject) =>
  o.kind === "PeerAuthentication" && o.apiVersion.startsWith("security.istio.io/");

/** A PeerAuthentication without selector (or with an empty one) applies to its whole namespace. */
function isNamespaceWide(spec: Record<string, unknown>): boolean {
  const sel = spec.selector;
  if (sel === undefined || sel === null) return true;
  return isRecord(sel) && (!isRecord(sel.matchLabels) || Object.keys(sel.matchLabels).length === 0);
}

/** The declared mode; an absent mtls block or mode means UNSET (inherit from the parent scope). */
function modeOf(spec: Record<string, unknown>): string {
  return isRecord(spec.mtls) && typeof spec.mtls.mode === "string" ? spec.mtls.mode : "UNSET";
}

/**
 * KW-NET-005: where Istio is used, peer authentication must be STRICT. Reports every
 * PeerAuthentication (or port override) set to PERMISSIVE or DISABLE, and a missing mesh-wide STRICT
 * policy in the root namespace istio-system (Istio's default is PERMISSIVE), naming the workload
 * namespaces that no namespace-wide STRICT policy covers either.
 */
export const netIstioMtls: SetCheck = {
  id: "KW-NET-005",
  title: "Istio mutual TLS is not STRICT",
  severity: "medium",
  layer: "network",
  description:
    "In PERMISSIVE mode Istio sidecars accept plain-text connections next to mutual TLS, so any pod outside the " +
    "mesh (or an attacker on the network) can talk to workloads without a verified identity; DISABLE turns " +
    "mutual TLS off entirely. The mesh default, with no PeerAuthentication, is PERMISSIVE.",
  remediation:
    "Create a PeerAuthentication named default in istio-system with spec.mtls.mode: STRICT, and remove " +
    "PERMISSIVE/DISABLE overrides once every client has a sidecar.",
  references: [
    "https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/",
    "https://istio.io/latest/docs/reference/config/security/peer_authentication/",
  ],
  frameworks: { cis: [], nsa: ["network-separation"] },
  runAll(ctx) {
    if (!usesIstio(ctx.objects)) return [];
    const out: Violation[] = [];
    const strictNamespaces = new Set<string>();
    let meshWide: { obj: K8sObject; mode: string } | undefined;
    for (const pa of ctx.objects.filter(isPeerAuthentication)) {
      const spec = isRecord(pa.raw.spec) ? pa.raw.spec : {};
      const mode = modeOf(spec);
      const ns = namespaceOf(pa);
      const wide = isNamespaceWide(spec);
      if (wide && ns === ISTIO_ROOT_NAMESPACE && !meshWide) meshWide = { obj: pa, mode };
      if (wide && mode === "STRICT") strictNamespaces.add(ns);
      const scope = wide
        ? ns === ISTIO_ROOT_NAMESPACE
          ? "mesh-wide"
          : `namespace "${ns}"`
        : "selected workloads";
      if (mode === "PERMISSIVE" || mode === "DISABLE") {
        out.push({
          message: `PeerAuthentication sets mtls.mode ${mode} for ${scope}`,
          path: ["spec", "mtls", "mode"],
          object: pa,
          severity: mode === "DISABLE" ? "high" : "medium",
        });
      }
      if (isRecord(spec.portLevelMtls)) {
        for (const [port, v] of Object.entries(spec.portLevelMtls)) {
          const pm = isRecord(v) && typeof v.mode === "string" ? v.mode : "";
          if (pm !== "PERMISSIVE" && pm !== "DISABLE") continue;
          out.push({
            message: `PeerAuthentication sets portLevelMtls ${port} to ${pm} for ${scope}`,
            path: ["spec", "portLevelMtls", port, "mode"],
            object: pa,
            severity: pm === "DISABLE" ? "high" : "medium",
          });
        }
      }
    }
    const meshStrict = meshWide?.mode === "STRICT";
    // An explicit PERMISSIVE/DISABLE mesh-wide policy is already reported above.
    const meshExplicitWeak =
      meshWide !== undefined && (meshWide.mode === "PERMISSIVE" || meshWide.mode === "DISABLE");
    if (!meshStrict && !meshExplicitWeak) {
      const exposed = [...new Set(workloadsOf(ctx).map((w) => w.namespace))]
        .filter((ns) => !strictNamespaces.has(ns))
        .sort();
      const state = meshWide
        ? `the mesh-wide PeerAuthentication in ${ISTIO_ROOT_NAMESPACE} leaves mtls.mode UNSET, so the PERMISSIVE default applies`
        : `no mesh-wide PeerAuthentication in root namespace ${ISTIO_ROOT_NAMESPACE}: the mesh default is PERMISSIVE`;
      const affected =
        exposed.length > 0
          ? `; workload namespaces without a STRICT namespace-wide policy: ${exposed.join(", ")}`
          : "";
      const v: Violation = { message: `${state}${affected}` };
      if (meshWide) {
        v.object = meshWide.obj;
        v.path = ["spec"];
      }
      out.push(v);
    }
    return out;
  },
};
