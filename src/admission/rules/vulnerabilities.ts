// Vulnerability gate: deny (or warn, audit) when a scan of the image has findings at or above a
// severity, or more than N findings. Scans are cached by digest and time-boxed; on timeout the
// rule's onTimeout applies and a warning says so.
import type { Finding } from "../../core/model.js";
import { severityRank } from "../../core/model.js";
import { withTimeout } from "../timebox.js";
import { imagesMatching } from "./images.js";
import type { AdmissionRuleFamily, RuleHit } from "./types.js";

type ScanResult = { digest: string; findings: Finding[] };

export const vulnerabilitiesFamily: AdmissionRuleFamily = {
  name: "vulnerabilities",
  enabled: (config) => config.vulnerabilities.length > 0,
  async evaluate(ctx) {
    if (!ctx.pod) return [];
    const hits: RuleHit[] = [];
    const jobs: Array<Promise<void>> = [];
    const cache = ctx.gates.vulnerabilityCache;
    for (const rule of ctx.config.vulnerabilities) {
      if (!ctx.inScope(rule)) continue;
      for (const { c, image, ref, base } of imagesMatching(ctx.pod, rule, "image-vulnerabilities")) {
        const scanner = ctx.gates.vulnerabilityScanner;
        if (!scanner) {
          hits.push({
            ...base,
            message: `container "${c.name}" image ${image} needs a vulnerability scan, but no scanner is configured`,
          });
          continue;
        }
        const judge = (r: ScanResult) => {
          const bad = rule.severity
            ? r.findings.filter((f) => severityRank(f.severity) >= severityRank(rule.severity!))
            : [];
          if (bad.length > 0) {
            const ids = bad
              .slice(0, 3)
              .map((f) => f.checkId)
              .join(", ");
            hits.push({
              ...base,
              message: `container "${c.name}" image ${image} has ${bad.length} vulnerabilit${bad.length === 1 ? "y" : "ies"} at or above ${rule.severity} (${ids}${bad.length > 3 ? ", ..." : ""})`,
            });
          } else if (rule.maxFindings !== undefined && r.findings.length > rule.maxFindings) {
            hits.push({
              ...base,
              message: `container "${c.name}" image ${image} has ${r.findings.length} vulnerabilities, more than the ${rule.maxFindings} allowed`,
            });
          }
        };
        const cached = ref.digest ? cache.get(ref.digest) : undefined;
        if (cached) {
          judge(cached);
          continue;
        }
        jobs.push(
          withTimeout((signal) => scanner.scan(image, { signal }), rule.timeoutMs).then(
            (r) => {
              if (r === "timeout") {
                const verdict = rule.onTimeout === "deny" ? "denied" : "allowed";
                const msg = `container "${c.name}": vulnerability scan did not finish in ${rule.timeoutMs / 1000}s; ${verdict} by onTimeout`;
                if (rule.onTimeout === "deny") hits.push({ ...base, message: msg });
                else hits.push({ ...base, mode: "warn", notice: true, message: msg });
                return;
              }
              cache.set(r.digest, r);
              judge(r);
            },
            (err: unknown) => {
              hits.push({
                ...base,
                message: `container "${c.name}" image ${image}: vulnerability scan failed: ${(err as Error).message}`,
                error: true,
              });
            },
          ),
        );
      }
    }
    await Promise.all(jobs);
    return hits;
  },
};
