// Reporter benchmark: builds a report of 20,000 findings (workloads in 50 namespaces,
// RBAC, vulnerabilities, node checks, some suppressed and passed) and renders it in every
// format, reporting the time per format and the output size.
import type { CheckMeta } from "../src/core/check.js";
import { complianceSummary } from "../src/core/compliance.js";
import type { Finding, Severity } from "../src/core/model.js";
import { buildReport } from "../src/core/report.js";
import { REPORTERS } from "../src/core/reporters/index.js";

const FINDINGS = 20_000;
const ROUNDS = 3;
const SEVERITIES: Severity[] = ["critical", "high", "medium", "low", "info"];

function checks(): CheckMeta[] {
  return Array.from({ length: 40 }, (_, i) => ({
    id: `KW-WL-${String(i + 1).padStart(3, "0")}`,
    title: `Workload check number ${i + 1} found a problem`,
    severity: SEVERITIES[i % 5]!,
    layer: "workload",
    description: `Description of check ${i + 1}, a sentence or two long, as the real checks have.`,
    remediation: `Set the field that check ${i + 1} looks at to a safe value.`,
    references: ["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    frameworks: { cis: [`5.${(i % 7) + 1}.${(i % 5) + 1}`], nsa: ["pod-security"] },
  }));
}

function findings(metas: CheckMeta[]): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < FINDINGS; i++) {
    const kind = i % 10;
    if (kind === 8) {
      out.push({
        checkId: `CVE-2024-${10000 + (i % 3000)}`,
        title: `library: flaw number ${i % 3000}`,
        severity: SEVERITIES[i % 4]!,
        status: "fail",
        layer: "vulnerability",
        message: `libfoo${i % 200} 1.${i % 9}.0 is affected`,
        vulnerability: {
          id: `CVE-2024-${10000 + (i % 3000)}`,
          package: { name: `libfoo${i % 200}`, version: `1.${i % 9}.0`, ecosystem: "Debian" },
          fixedVersion: i % 3 ? `1.${i % 9}.1` : null,
          fixState: i % 3 ? "fixed" : "not-fixed",
          cvss: { version: "3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 7.5 },
        },
      });
      continue;
    }
    const m = metas[i % metas.length]!;
    const ns = `team-${i % 50}`;
    out.push({
      checkId: m.id,
      title: m.title,
      severity: m.severity,
      status: kind === 9 ? "pass" : "fail",
      layer: m.layer,
      message: `container "app-${i % 3}" sets a field that check ${m.id} dislikes, in object number ${i}`,
      remediation: m.remediation,
      references: m.references,
      resource: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: ns,
        name: `web-${i % 2000}`,
        container: `app-${i % 3}`,
      },
      location: { file: `deploy/${ns}/web-${i % 2000}.yaml`, line: 10 + (i % 40) },
      frameworks: { ...m.frameworks },
      ...(kind === 7 ? { suppressed: { by: "ignore-file", reason: "accepted risk" } } : {}),
    });
  }
  return out;
}

export async function run(): Promise<Record<string, number | string>> {
  const metas = checks();
  const list = findings(metas);
  const start = new Date("2026-11-27T08:00:00Z");
  const t0 = performance.now();
  const report = buildReport({
    type: "manifests",
    target: "deploy/",
    startedAt: start,
    finishedAt: start,
    options: {},
    findings: list,
    errors: [],
    extra: { compliance: complianceSummary("cis", metas, list) },
  });
  const figures: Record<string, number | string> = {
    findings: FINDINGS,
    "buildReport + compliance ms": Math.round(performance.now() - t0),
  };
  const rules = new Map(metas.map((m) => [m.id, m]));
  for (const [id, reporter] of REPORTERS) {
    let best = Number.POSITIVE_INFINITY;
    let size = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      const text = reporter.render(report, { color: false, rules });
      best = Math.min(best, performance.now() - t);
      size = text.length;
    }
    figures[`${id} render ms (best of ${ROUNDS})`] = Math.round(best);
    figures[`${id} output KB`] = Math.round(size / 1024);
  }
  return figures;
}
