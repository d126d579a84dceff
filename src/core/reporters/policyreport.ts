// Kubernetes Policy Working Group reports (wgpolicyk8s.io/v1alpha2): one
// PolicyReport per namespace and one ClusterPolicyReport for cluster-scoped
// objects, findings without an object (images, nodes) and scan errors.
// Written as a multi-document YAML stream that `kubectl apply -f` accepts
// once the PolicyReport CRDs are installed.
import type { Finding, Report } from "../model.js";
import type { Reporter } from "./types.js";
import { evidenceLine, evidenceOf, renderableReport, sortedFindings, vulnerabilityOf } from "./util.js";
import { toYaml } from "./yaml-out.js";

export const POLICY_REPORT_API = "wgpolicyk8s.io/v1alpha2";

/** Kinds that live outside namespaces (built-in API groups). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

type Result = "pass" | "fail" | "warn" | "error" | "skip";

interface PolicyReportResult {
  source: "kubeward";
  policy: string;
  rule: string;
  category: string;
  severity: string;
  result: Result;
  scored: boolean;
  message: string;
  timestamp: { seconds: number; nanos: number };
  resources?: Array<Record<string, string>>;
  properties?: Record<string, string>;
}

/**
 * The namespace a finding's report goes to: its own, "default" for namespaced kinds
 * named without one (where `kubectl apply` would put them), undefined for cluster scope.
 */
export function reportNamespace(f: Finding): string | undefined {
  const r = f.resource;
  if (!r?.kind) return undefined;
  if (r.namespace) return r.namespace;
  return CLUSTER_SCOPED_KINDS.has(r.kind) ? undefined : "default";
}

function resultOf(f: Finding): Result {
  if (f.suppressed || f.status === "manual") return "skip";
  return f.status;
}

/** Seconds and nanoseconds since the epoch of an RFC 3339 time; zero when unparsable. */
export function timestampOf(iso: string): { seconds: number; nanos: number } {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return { seconds: 0, nanos: 0 };
  const frac = /\.(\d{1,9})/.exec(iso)?.[1] ?? "";
  return { seconds: Math.floor(ms / 1000), nanos: Number(frac.padEnd(9, "0") || 0) };
}

function toResult(f: Finding, timestamp: { seconds: number; nanos: number }, ns: string | undefined) {
  const props: Record<string, string> = {};
  if (f.location?.file) props.file = f.location.file;
  if (f.location?.line !== undefined) props.line = String(f.location.line);
  if (f.resource?.container) props.container = f.resource.container;
  if (f.status !== "pass" && f.status !== "fail") props.status = f.status;
  if (f.suppressed) {
    props.suppressedBy = f.suppressed.by;
    if (f.suppressed.reason) props.suppressionReason = f.suppressed.reason;
    if (f.suppressed.expires) props.suppressionExpires = f.suppressed.expires;
  }
  const pss = f.frameworks?.pss;
  if (pss) props.pss = `${pss.level}/${pss.version}/${pss.check}`;
  if (f.frameworks?.cis?.length) props.cis = f.frameworks.cis.join(",");
  if (f.frameworks?.nsa?.length) props.nsa = f.frameworks.nsa.join(",");
  const vuln = vulnerabilityOf(f);
  if (vuln) {
    if (vuln.packageName) props.package = vuln.packageName;
    if (vuln.packageVersion) props.installedVersion = vuln.packageVersion;
    if (vuln.fixedVersion) props.fixedVersion = vuln.fixedVersion;
    if (vuln.purl) props.purl = vuln.purl;
    if (vuln.cvssScore !== undefined) props.cvssScore = String(vuln.cvssScore);
  }
  const evidence = evidenceOf(f);
  if (evidence) props.evidence = evidenceLine(evidence);
  const result: PolicyReportResult = {
    source: "kubeward",
    policy: f.checkId,
    rule: pss?.check ?? vuln?.packageName ?? evidence?.key ?? f.checkId,
    category: f.layer,
    severity: f.severity,
    result: resultOf(f),
    scored: true,
    message: f.message || f.title,
    timestamp,
  };
  const r = f.resource;
  if (r?.kind) {
    const ref: Record<string, string> = {};
    if (r.apiVersion) ref.apiVersion = r.apiVersion;
    ref.kind = r.kind;
    if (r.name) ref.name = r.name;
    if (ns) ref.namespace = ns;
    result.resources = [ref];
  }
  if (Object.keys(props).length) result.properties = props;
  return result;
}

function summarize(results: readonly PolicyReportResult[]) {
  const s = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) s[r.result]++;
  return s;
}

/** The report documents as data: the ClusterPolicyReport first, then one PolicyReport per namespace. */
export function policyReports(input: Report): Record<string, unknown>[] {
  const report = renderableReport(input);
  const timestamp = timestampOf(report.scan.startedAt);
  const byNamespace = new Map<string, PolicyReportResult[]>();
  const cluster: PolicyReportResult[] = [];
  for (const f of sortedFindings(report.findings)) {
    const ns = reportNamespace(f);
    if (ns === undefined) {
      cluster.push(toResult(f, timestamp, undefined));
      continue;
    }
    const list = byNamespace.get(ns);
    if (list) list.push(toResult(f, timestamp, ns));
    else byNamespace.set(ns, [toResult(f, timestamp, ns)]);
  }
  for (const e of report.errors) {
    const props: Record<string, string> = {};
    if (e.file) props.file = e.file;
    if (e.line !== undefined) props.line = String(e.line);
    if (e.code) props.code = e.code;
    cluster.push({
      source: "kubeward",
      policy: "kubeward-scan-error",
      rule: e.code ?? "scan-error",
      category: "scan",
      severity: "info",
      result: "error",
      scored: false,
      message: e.message,
      timestamp,
      ...(Object.keys(props).length ? { properties: props } : {}),
    });
  }
  const labels = { "app.kubernetes.io/managed-by": "kubeward" };
  const annotations = {
    "kubeward.io/scan-type": report.scan.type,
    "kubeward.io/scan-target": report.scan.target,
  };
  const docs: Record<string, unknown>[] = [
    {
      apiVersion: POLICY_REPORT_API,
      kind: "ClusterPolicyReport",
      metadata: { name: "kubeward-cluster", labels, annotations },
      summary: summarize(cluster),
      results: cluster,
    },
  ];
  for (const ns of [...byNamespace.keys()].sort()) {
    const results = byNamespace.get(ns)!;
    docs.push({
      apiVersion: POLICY_REPORT_API,
      kind: "PolicyReport",
      metadata: { name: "kubeward", namespace: ns, labels, annotations },
      summary: summarize(results),
      results,
    });
  }
  return docs;
}

export function renderPolicyReports(report: Report): string {
  return policyReports(report).map(toYaml).join("---\n");
}

export const policyReportReporter: Reporter = {
  id: "policyreport",
  description: "wgpolicyk8s.io/v1alpha2 PolicyReport per namespace and a ClusterPolicyReport (YAML)",
  render: (report) => renderPolicyReports(report),
};
