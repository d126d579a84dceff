// `scan node`: detection → benchmark engine → host checks → report. No I/O beyond the injected reader.

import { complianceSummary } from "../core/compliance.js";
import type { Finding, Report, ScanError, Status } from "../core/model.js";
import { buildReport } from "../core/report.js";
import { type Benchmark, TARGETS, type Target } from "./benchmark.js";
import { benchmarkForVersion, loadBenchmarks } from "./catalog.js";
import { type DetectOptions, detectNode } from "./detect.js";
import { type CheckResult, evaluateBenchmark } from "./evaluate.js";
import { HOST_CHECKS } from "./host/index.js";
import type { HostReader } from "./reader.js";
import type { NodeFacts } from "./types.js";

export interface NodeScanOptions {
  reader: HostReader;
  /** "auto" (default) or a benchmark id such as "cis-1.10". */
  benchmark?: string;
  /** Benchmark targets to run; default: those that fit the node's roles. */
  targets?: readonly Target[];
  /** Run the host hardening checks (default true). */
  host?: boolean;
  detect?: DetectOptions;
  /** Clock, injected. */
  now: () => Date;
  /** Benchmarks to choose from (default: the shipped ones). */
  benchmarks?: ReadonlyMap<string, Benchmark>;
}

export interface SectionSummary {
  id: string;
  title: string;
  target: Target | "host";
  pass: number;
  fail: number;
  warn: number;
  manual: number;
  skipped: number;
}

export interface NodeScanResult {
  report: Report;
  facts: NodeFacts;
  results: CheckResult[];
}

export class NodeScanError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export function targetsForRoles(facts: NodeFacts): Target[] {
  const out: Target[] = [];
  if (facts.roles.includes("control-plane")) out.push("master", "controlplane");
  if (facts.roles.includes("etcd")) out.push("etcd");
  if (facts.roles.includes("worker")) out.push("node");
  return TARGETS.filter((t) => out.includes(t));
}

export function scanNode(opts: NodeScanOptions): NodeScanResult {
  const startedAt = opts.now();
  const benchmarks = opts.benchmarks ?? loadBenchmarks();
  const facts = detectNode(opts.reader, opts.detect);
  const errors: ScanError[] = [...facts.errors];
  let benchId = opts.benchmark ?? "auto";
  if (benchId === "auto") {
    if (!facts.kubernetesVersion && facts.roles.length > 0) {
      errors.push({
        code: "version-unknown",
        message:
          "could not tell the Kubernetes version; using the newest benchmark (set --kubernetes-version or --benchmark)",
      });
    }
    benchId = benchmarkForVersion(benchmarks, facts.kubernetesVersion);
  }
  const bench = benchmarks.get(benchId);
  if (!bench) {
    throw new NodeScanError(
      `unknown benchmark "${benchId}" (expected auto or ${[...benchmarks.keys()].join(", ")})`,
      "unknown-benchmark",
    );
  }
  const targets = opts.targets ?? targetsForRoles(facts);
  const results = evaluateBenchmark(bench, facts, opts.reader, {
    targets,
    // kube-bench control files carry their own distribution profile (type: skip).
    distributionProfile: opts.benchmarks === undefined,
  });
  const hostname = opts.reader.readFile("/etc/hostname")?.trim() || undefined;

  const findings: Finding[] = [];
  const skipped: Array<{ checkId: string; reason: string }> = [];
  const sections = new Map<string, SectionSummary>();
  const count = (key: string, title: string, target: SectionSummary["target"], status: Status | "skip") => {
    let s = sections.get(key);
    if (!s) {
      s = { id: key, title, target, pass: 0, fail: 0, warn: 0, manual: 0, skipped: 0 };
      sections.set(key, s);
    }
    if (status === "skip") s.skipped++;
    else s[status]++;
  };
  const resource = { kind: "Node", ...(hostname ? { name: hostname } : {}) };

  for (const r of results) {
    const checkId = `${bench.id}/${r.check.id}`;
    count(r.section.id, r.section.title, r.section.target, r.status);
    if (r.status === "skip") {
      skipped.push({ checkId, reason: r.message });
      continue;
    }
    findings.push({
      checkId,
      title: r.check.title,
      severity: r.check.severity,
      status: r.status,
      layer: "node",
      message: r.message,
      remediation: r.remediation,
      references: ["https://www.cisecurity.org/benchmark/kubernetes"],
      resource,
      ...(r.evidence?.path ? { location: { file: r.evidence.path } } : {}),
      frameworks: { cis: [r.check.id] },
      benchmark: { id: bench.id, section: r.section.id, level: r.check.level, automated: r.check.automated },
      ...(r.evidence
        ? { evidence: r.evidence }
        : {
            evidence: {
              component: r.section.target,
              kind: "os",
              key: r.check.id,
              path: null,
              actual: null,
              expected: "manual review",
            },
          }),
    });
  }

  if (opts.host !== false) {
    for (const c of HOST_CHECKS) {
      const v = c.run(facts, opts.reader);
      count("host", "Host hardening", "host", v.status);
      if (v.status === "skip") {
        skipped.push({ checkId: c.id, reason: v.message });
        continue;
      }
      findings.push({
        checkId: c.id,
        title: c.title,
        severity: c.severity,
        status: v.status,
        layer: "node",
        message: v.message,
        remediation: c.remediation,
        resource,
        ...(v.evidence?.path ? { location: { file: v.evidence.path } } : {}),
        ...(v.evidence ? { evidence: v.evidence } : {}),
      });
    }
  }

  const sectionList = [...sections.values()];
  const cisFindings = findings.filter((f) => f.frameworks?.cis);
  const totals = sectionList.reduce(
    (t, s) => ({
      pass: t.pass + s.pass,
      fail: t.fail + s.fail,
      warn: t.warn + s.warn,
      manual: t.manual + s.manual,
      skipped: t.skipped + s.skipped,
    }),
    { pass: 0, fail: 0, warn: 0, manual: 0, skipped: 0 },
  );
  const report = buildReport({
    type: "node",
    target: opts.reader.root,
    startedAt,
    finishedAt: opts.now(),
    options: { benchmark: bench.id, targets, distribution: facts.distribution, host: opts.host !== false },
    findings,
    errors,
    extra: {
      node: {
        roles: facts.roles,
        distribution: facts.distribution,
        kubernetesVersion: facts.kubernetesVersion ?? null,
        benchmark: bench.id,
        ...(hostname ? { hostname } : {}),
        ...(facts.versionSource ? { versionSource: facts.versionSource } : {}),
        ...(facts.processSkips.vanished + facts.processSkips.unreadable.length > 0
          ? {
              skippedProcesses: {
                vanished: facts.processSkips.vanished,
                unreadable: facts.processSkips.unreadable.length,
              },
            }
          : {}),
        components: Object.fromEntries(
          Object.values(facts.components).map((c) => [
            c.name,
            { source: c.source, where: c.where, ...(c.pid ? { pid: c.pid } : {}) },
          ]),
        ),
      },
      sections: sectionList,
      sectionTotals: totals,
      skipped,
      // Per CIS check number, for the table reporter's compliance block (warn counts as failed there).
      ...(cisFindings.length > 0 ? { compliance: complianceSummary("cis", [], cisFindings) } : {}),
    },
  });
  return { report, facts, results };
}
