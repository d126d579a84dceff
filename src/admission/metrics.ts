// Prometheus metrics of the admission server, in the text exposition format (no dependency):
// kubeward's own, and upstream Pod Security Admission's pod_security_* counters with upstream's
// names, labels and counting points, so dashboards and alerts written for upstream work unchanged.
import type { PsaMetricEvent } from "./psa.js";
import type { AdmissionRequest } from "./review.js";

const BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`,
  );
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

/** Upstream's request labels: the operation in lower case; the resource as pod, namespace or controller. */
function podSecurityRequestLabels(req: AdmissionRequest): Record<string, string> {
  const { group, resource } = req.resource;
  const kind =
    group === "" && resource === "pods"
      ? "pod"
      : group === "" && resource === "namespaces"
        ? "namespace"
        : "controller";
  return {
    request_operation: req.operation.toLowerCase(),
    resource: kind,
    subresource: req.subResource ?? "",
  };
}

/** Labels as Prometheus' Go client writes them: sorted by name. */
function sortedLabelText(labels: Record<string, string>): string {
  return labelText(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** A counter family keyed by its label text. */
class CounterFamily {
  readonly values = new Map<string, number>();
  /** Label text by the labels as given (sorting and escaping once per series, not per request). */
  private readonly keys = new Map<string, string>();
  constructor(
    readonly name: string,
    readonly help: string,
    zeroSeries: readonly Record<string, string>[] = [],
  ) {
    // Upstream creates its most common series up front, so they are scraped as 0 before any request.
    for (const labels of zeroSeries) this.values.set(sortedLabelText(labels), 0);
  }
  inc(labels: Record<string, string>): void {
    const id = JSON.stringify(labels);
    let key = this.keys.get(id);
    if (key === undefined) {
      key = sortedLabelText(labels);
      this.keys.set(id, key);
    }
    this.values.set(key, (this.values.get(key) ?? 0) + 1);
  }
  render(out: string[]): void {
    if (this.values.size === 0) return; // like the Go client, a family without series is not written
    out.push(`# HELP ${this.name} ${this.help}`);
    out.push(`# TYPE ${this.name} counter`);
    for (const [k, v] of [...this.values].sort(([a], [b]) => (a < b ? -1 : 1)))
      out.push(`${this.name}${k} ${v}`);
  }
}

const podSeries = (extra: Record<string, string>) =>
  ["create", "update"].map((op) => ({ ...extra, request_operation: op, resource: "pod", subresource: "" }));

export class AdmissionMetrics {
  private readonly psaEvaluations = new CounterFamily(
    "pod_security_evaluations_total",
    "[ALPHA] Pod Security policy evaluations, by decision, policy and mode; ignored and exempt requests are not counted.",
    podSeries({ decision: "allow", policy_level: "privileged", policy_version: "latest", mode: "enforce" }),
  );
  private readonly psaExemptions = new CounterFamily(
    "pod_security_exemptions_total",
    "[ALPHA] Requests exempt from Pod Security (by namespace, user or runtime class); ignored requests are not counted.",
    [
      ...podSeries({}),
      ...["create", "update"].map((op) => ({
        request_operation: op,
        resource: "controller",
        subresource: "",
      })),
    ],
  );
  private readonly psaErrors = new CounterFamily(
    "pod_security_errors_total",
    "[ALPHA] Errors in Pod Security evaluation: fatal ones stopped it, the others (bad namespace labels) made it fall back to defaults.",
  );

  private readonly requests = new Map<string, number>();
  private readonly badRequests = new Map<string, number>();
  private policyErrors = 0;
  private readonly buckets = new Map<string, number[]>();
  private readonly sums = new Map<string, number>();
  private readonly counts = new Map<string, number>();

  recordRequest(endpoint: string, decision: string, seconds: number, dryRun: boolean): void {
    const key = labelText({ endpoint, decision, dry_run: String(dryRun) });
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const hk = endpoint;
    let b = this.buckets.get(hk);
    if (!b) {
      b = BUCKETS.map(() => 0);
      this.buckets.set(hk, b);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) b[i]!++;
    this.sums.set(hk, (this.sums.get(hk) ?? 0) + seconds);
    this.counts.set(hk, (this.counts.get(hk) ?? 0) + 1);
  }

  recordBadRequest(code: string): void {
    const key = labelText({ code });
    this.badRequests.set(key, (this.badRequests.get(key) ?? 0) + 1);
  }

  recordPolicyErrors(n: number): void {
    this.policyErrors += n;
  }

  /** Counts Pod Security's events for one request under upstream's metric names and labels. */
  recordPodSecurity(req: AdmissionRequest, events: readonly PsaMetricEvent[]): void {
    if (events.length === 0) return;
    const request = podSecurityRequestLabels(req);
    for (const e of events) {
      if (e.type === "evaluation")
        this.psaEvaluations.inc({
          decision: e.decision,
          policy_level: e.policyLevel,
          policy_version: e.policyVersion,
          mode: e.mode,
          ...request,
        });
      else if (e.type === "exemption") this.psaExemptions.inc(request);
      else this.psaErrors.inc({ fatal: String(e.fatal), ...request });
    }
  }

  render(): string {
    const out: string[] = [];
    out.push(
      "# HELP kubeward_admission_requests_total Admission reviews answered, by endpoint and decision.",
    );
    out.push("# TYPE kubeward_admission_requests_total counter");
    for (const [k, v] of [...this.requests].sort()) out.push(`kubeward_admission_requests_total${k} ${v}`);
    out.push(
      "# HELP kubeward_admission_bad_requests_total Requests refused before evaluation, by error code.",
    );
    out.push("# TYPE kubeward_admission_bad_requests_total counter");
    for (const [k, v] of [...this.badRequests].sort())
      out.push(`kubeward_admission_bad_requests_total${k} ${v}`);
    out.push(
      "# HELP kubeward_admission_policy_errors_total Policy evaluation errors (CEL errors, failed scans or verifications).",
    );
    out.push("# TYPE kubeward_admission_policy_errors_total counter");
    out.push(`kubeward_admission_policy_errors_total ${this.policyErrors}`);
    out.push("# HELP kubeward_admission_request_duration_seconds Time to answer an admission review.");
    out.push("# TYPE kubeward_admission_request_duration_seconds histogram");
    for (const [endpoint, b] of [...this.buckets].sort()) {
      for (const [i, le] of BUCKETS.entries())
        out.push(
          `kubeward_admission_request_duration_seconds_bucket${labelText({ endpoint, le: String(le) })} ${b[i]}`,
        );
      out.push(
        `kubeward_admission_request_duration_seconds_bucket${labelText({ endpoint, le: "+Inf" })} ${this.counts.get(endpoint)}`,
      );
      out.push(
        `kubeward_admission_request_duration_seconds_sum${labelText({ endpoint })} ${this.sums.get(endpoint)}`,
      );
      out.push(
        `kubeward_admission_request_duration_seconds_count${labelText({ endpoint })} ${this.counts.get(endpoint)}`,
      );
    }
    for (const family of [this.psaErrors, this.psaEvaluations, this.psaExemptions]) family.render(out);
    return `${out.join("\n")}\n`;
  }
}
