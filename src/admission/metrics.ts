// Prometheus metrics of the admission server, in the text exposition format (no dependency).

const BUCKETS = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")}"`,
  );
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

export class AdmissionMetrics {
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
    return `${out.join("\n")}\n`;
  }
}
