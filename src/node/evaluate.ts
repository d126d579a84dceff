// The benchmark engine: evaluates one benchmark's checks against what detect.ts learned.
// Pure apart from the injected HostReader (file modes, owners and the few files a check reads).
import type { Status } from "../core/model.js";
import type { Audit, Benchmark, CheckDef, SectionDef, Target } from "./benchmark.js";
import { MANAGED, NOT_APPLICABLE } from "./distributions.js";
import { fileAudit } from "./files.js";
import { auditPolicyAudit, encryptionAudit } from "./policies.js";
import type { HostReader } from "./reader.js";
import { configOf, settingAudit } from "./settings.js";
import type { Evidence, NodeFacts, Verdict } from "./types.js";

export { policyLevel } from "./policies.js";
export { compare, describeExpected, getPath, lookupSetting } from "./settings.js";
export type { Evidence } from "./types.js";

export interface CheckResult {
  benchmark: string;
  section: SectionDef;
  check: CheckDef;
  /** "skip" means not applicable on this node; it is reported under `skipped`, not as a finding. */
  status: Status | "skip";
  message: string;
  evidence?: Evidence;
  remediation: string;
}
export interface EvaluateOptions {
  targets: readonly Target[];
  /** Skip the checks the node's distribution profile marks not applicable (shipped benchmarks only). */
  distributionProfile?: boolean;
}
export function evaluateBenchmark(
  bench: Benchmark,
  facts: NodeFacts,
  reader: HostReader,
  opts: EvaluateOptions,
): CheckResult[] {
  const out: CheckResult[] = [];
  for (const section of bench.sections) {
    if (!opts.targets.includes(section.target)) continue;
    const notHere = targetNotApplicable(section.target, facts);
    const profile = opts.distributionProfile ? NOT_APPLICABLE[facts.distribution] : undefined;
    for (const check of section.checks) {
      const base = { benchmark: bench.id, section, check };
      const skipReason = notHere ?? profile?.[check.id];
      if (skipReason) {
        out.push({ ...base, status: "skip", message: skipReason, remediation: check.remediation });
        continue;
      }
      if (check.audit.type === "manual") {
        out.push({
          ...base,
          status: "manual",
          message: `manual check: ${check.audit.steps}`,
          remediation: check.remediation,
        });
        continue;
      }
      const v = runAudit(check.audit, facts, reader);
      const status: CheckResult["status"] =
        v.ok === "skip" ? "skip" : v.ok ? "pass" : check.automated ? "fail" : "warn";
      out.push({
        ...base,
        status,
        message: v.message,
        evidence: v.evidence,
        remediation: fillRemediation(check, facts, v.path),
      });
    }
  }
  return out;
}

function targetNotApplicable(target: Target, facts: NodeFacts): string | undefined {
  const managed = MANAGED.has(facts.distribution);
  switch (target) {
    case "master":
    case "controlplane":
      if (managed)
        return `the ${facts.distribution} control plane is managed by the provider and not on this node`;
      return facts.roles.includes("control-plane")
        ? undefined
        : "no control-plane component runs on this node";
    case "etcd":
      if (managed) return `etcd is managed by ${facts.distribution} and not on this node`;
      return facts.roles.includes("etcd") ? undefined : "etcd does not run on this node";
    case "node":
      return facts.roles.includes("worker") ? undefined : "no kubelet runs on this node";
    case "policies":
      return "section 5 audits cluster objects (RBAC, pods, policies): run `kubeward scan cluster` against the API";
  }
}

function runAudit(audit: Exclude<Audit, { type: "manual" }>, facts: NodeFacts, reader: HostReader): Verdict {
  switch (audit.type) {
    case "mode":
    case "owner":
      return fileAudit(audit, facts, reader);
    case "setting":
      return settingAudit(audit, facts);
    case "encryption":
      return encryptionAudit(audit.allowed, facts, reader);
    case "audit-policy":
      return auditPolicyAudit(audit.require, facts, reader);
    case "any":
    case "all":
      return compositeAudit(audit, facts, reader);
  }
}

/** `any`: passes when one part passes; `all`: when every part does. Skipped parts do not count. */
function compositeAudit(
  a: Extract<Audit, { type: "any" | "all" }>,
  facts: NodeFacts,
  reader: HostReader,
): Verdict {
  const parts = a.audits
    .map((x) => (x.type === "manual" ? undefined : runAudit(x, facts, reader)))
    .filter((v): v is Verdict => v !== undefined && v.ok !== "skip");
  if (parts.length === 0) return { ok: "skip", message: "nothing to audit on this node" };
  const ok = a.type === "any" ? parts.some((p) => p.ok === true) : parts.every((p) => p.ok === true);
  const deciding = parts.find((p) => p.ok === ok) ?? parts[0];
  return {
    ok,
    message: parts.map((p) => p.message).join(a.type === "any" ? " | " : "; "),
    evidence: deciding.evidence,
    path: deciding.path,
  };
}

function fillRemediation(check: CheckDef, facts: NodeFacts, path: string | undefined): string {
  let a = check.audit;
  while ((a.type === "any" || a.type === "all") && a.audits.length > 0)
    a = a.audits.find((x) => x.type === "setting") ?? a.audits[0];
  let editAt: string | undefined;
  if (a.type === "setting") {
    const comp = facts.components[a.component];
    const cfg = configOf(a.component, facts);
    // A distribution that writes the config file itself (k3s's kubelet drop-in) takes changes in its own config.
    const ownFile = a.configs?.some(Boolean) && cfg && comp?.source !== "distribution";
    editAt = ownFile ? cfg.path : (comp?.editAt ?? comp?.where);
  }
  return check.remediation
    .replaceAll("{path}", path ?? "<file>")
    .replaceAll("{editAt}", editAt ?? path ?? "<the component's configuration>")
    .replaceAll("{distribution}", facts.distribution);
}
