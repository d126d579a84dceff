// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, one rule
// per check (or vulnerability) id present, one result per finding.
import type { CheckMeta } from "../check.js";
import type { Finding, Report, Severity } from "../model.js";
import type { Reporter, ReporterOptions } from "./types.js";
import {
  evidenceLine,
  evidenceOf,
  findingKey,
  groupBy,
  renderableReport,
  resourceLabel,
  ruleMeta,
  sha256,
  sortedFindings,
  vulnerabilityLine,
  vulnerabilityOf,
} from "./util.js";

export const SARIF_SCHEMA_URI =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const KUBEWARD_INFO_URI = "https://github.com/kubeward/kubeward";

/** GitHub ranks alerts by properties["security-severity"] (0-10); these match its bands. */
export const SECURITY_SEVERITY: Record<Severity, number> = {
  critical: 9.5,
  high: 8.0,
  medium: 5.5,
  low: 2.0,
  info: 0,
};

type Level = "error" | "warning" | "note" | "none";

export function sarifLevel(s: Severity): Level {
  return s === "critical" || s === "high" ? "error" : s === "medium" ? "warning" : "note";
}

/** A relative, forward-slash URI reference for a path as the user named it. */
export function artifactUri(path: string): { uri: string; uriBaseId?: string } {
  const slashed = path.replace(/\\/g, "/");
  const absolute = slashed.startsWith("/") || /^[A-Za-z]:\//.test(slashed);
  const trimmed = slashed.replace(/^(\.\/)+/, "").replace(/^\/+/, "");
  const encoded = trimmed
    .split("/")
    .map((seg) => encodeURIComponent(seg))
    .join("/");
  // Absolute paths cannot be made relative without knowing the checkout root: keep them as file URIs.
  if (absolute) return { uri: `file:///${encoded.replace(/^([A-Za-z])%3A/, "$1:")}` };
  return { uri: encoded || ".", uriBaseId: "%SRCROOT%" };
}

/** Turns a title into a PascalCase rule name, as SARIF viewers expect of rule.name. */
function ruleName(title: string, id: string): string {
  const words = title.match(/[A-Za-z0-9]+/g) ?? [];
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  return name || id.replace(/[^A-Za-z0-9]/g, "");
}

function severityScore(meta: CheckMeta, findings: readonly Finding[]): string {
  let score = SECURITY_SEVERITY[meta.severity];
  // For vulnerabilities, the CVSS base score is the better measure where the feed gives one.
  for (const f of findings) {
    const cvss = vulnerabilityOf(f)?.cvssScore;
    if (cvss !== undefined && cvss >= 0 && cvss <= 10) score = Math.max(score, cvss);
  }
  return score.toFixed(1);
}

/** A rule from the check's metadata and `own`, the findings with that check id. */
function buildRule(id: string, own: readonly Finding[], rules: ReporterOptions["rules"]) {
  const meta = ruleMeta(id, own, rules);
  const references = meta.references.filter((r) => /^https?:\/\//.test(r));
  const tags = new Set<string>(["security", "kubernetes", meta.layer]);
  for (const c of meta.frameworks.cis ?? []) tags.add(`cis-${c}`);
  for (const n of meta.frameworks.nsa ?? []) tags.add(`nsa-${n}`);
  for (const f of own) {
    const pss = f.frameworks?.pss;
    if (pss) tags.add(`pss-${pss.level}`);
    if (f.layer === "vulnerability") tags.add("vulnerability");
  }
  const vuln = own.map(vulnerabilityOf).find((v) => v !== undefined);
  const fullText =
    meta.description && meta.description !== meta.title
      ? meta.description
      : vuln
        ? `${meta.title} (${vulnerabilityLine(vuln)})`
        : meta.title;
  const remediation =
    meta.remediation || (vuln?.fixedVersion ? `Upgrade to ${vuln.fixedVersion} or later.` : "");
  const helpText = [remediation, ...references].filter(Boolean).join("\n") || meta.title;
  const helpMarkdown = [
    `**${meta.title}**`,
    "",
    fullText,
    ...(remediation ? ["", `**Remediation:** ${remediation}`] : []),
    ...(references.length ? ["", "**References:**", ...references.map((r) => `- <${r}>`)] : []),
  ].join("\n");
  const rule: Record<string, unknown> = {
    id,
    name: ruleName(meta.title, id),
    shortDescription: { text: meta.title },
    fullDescription: { text: fullText },
    help: { text: helpText, markdown: helpMarkdown },
    defaultConfiguration: { level: sarifLevel(meta.severity) },
    properties: {
      tags: [...tags].sort(),
      precision: "very-high",
      "security-severity": severityScore(meta, own),
    },
  };
  if (references[0]) rule.helpUri = references[0];
  return rule;
}

function resultMessage(f: Finding): string {
  const lines = [f.message || f.title];
  const res = resourceLabel(f.resource);
  if (res)
    lines.push(`Resource: ${res}${f.resource?.container ? ` (container ${f.resource.container})` : ""}`);
  const vuln = vulnerabilityOf(f);
  if (vuln) lines.push(`Package: ${vulnerabilityLine(vuln)}`);
  const evidence = evidenceOf(f);
  if (evidence) lines.push(`Evidence: ${evidenceLine(evidence)}`);
  return lines.join("\n");
}

function buildResult(f: Finding, ruleIndex: number, target: string) {
  const kind = f.status === "pass" ? "pass" : f.status === "manual" ? "review" : "fail";
  const physicalLocation: Record<string, unknown> = {
    artifactLocation: artifactUri(f.location?.file ?? target),
  };
  if (f.location?.line !== undefined && f.location.line >= 1) {
    physicalLocation.region = { startLine: Math.floor(f.location.line) };
  }
  const location: Record<string, unknown> = { physicalLocation };
  const res = resourceLabel(f.resource);
  if (res) {
    const r = f.resource ?? {};
    location.logicalLocations = [
      {
        name: r.name ?? res,
        fullyQualifiedName: [r.namespace, r.kind, r.name].filter(Boolean).join("/"),
        kind: "resource",
      },
    ];
  }
  const properties: Record<string, unknown> = { severity: f.severity, status: f.status, layer: f.layer };
  if (f.resource) properties.resource = f.resource;
  if (f.frameworks) properties.frameworks = f.frameworks;
  if (f.vulnerability !== undefined) properties.vulnerability = f.vulnerability;
  if (f.evidence !== undefined) properties.evidence = f.evidence;
  const result: Record<string, unknown> = {
    ruleId: f.checkId,
    ruleIndex,
    kind,
    // SARIF: a result whose kind is not "fail" has level "none".
    level: kind === "fail" ? sarifLevel(f.severity) : "none",
    message: { text: resultMessage(f) },
    locations: [location],
    partialFingerprints: { "kubewardFindingHash/v1": sha256(findingKey(f)) },
    properties,
  };
  if (f.suppressed) {
    const s = f.suppressed;
    const justification = [`suppressed by ${s.by}`, s.reason, s.expires ? `until ${s.expires}` : ""]
      .filter(Boolean)
      .join(": ");
    result.suppressions = [{ kind: "external", status: "accepted", justification }];
  }
  return result;
}

export function renderSarif(input: Report, opts: ReporterOptions): string {
  const report = renderableReport(input);
  const findings = sortedFindings(report.findings);
  const byId = groupBy(findings, (f) => f.checkId);
  const ids = [...byId.keys()].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const rules = ids.map((id) => buildRule(id, byId.get(id)!, opts.rules));
  const results = findings.map((f) => buildResult(f, index.get(f.checkId)!, report.scan.target));
  const notifications = report.errors.map((e) => {
    const n: Record<string, unknown> = {
      level: "error",
      message: { text: e.message },
      descriptor: { id: e.code ?? "scan-error" },
    };
    if (e.file) {
      const physicalLocation: Record<string, unknown> = { artifactLocation: artifactUri(e.file) };
      if (e.line !== undefined && e.line >= 1) physicalLocation.region = { startLine: Math.floor(e.line) };
      n.locations = [{ physicalLocation }];
    }
    return n;
  });
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: KUBEWARD_INFO_URI,
            rules,
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results,
        properties: {
          scanType: report.scan.type,
          target: report.scan.target,
          startedAt: report.scan.startedAt,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

export const sarifReporter: Reporter = {
  id: "sarif",
  description: "SARIF 2.1.0 for GitHub code scanning and SARIF viewers",
  render: renderSarif,
};
