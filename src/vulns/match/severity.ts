import type { Severity } from "../../core/model.js";
import { cvssScore } from "../cvss/index.js";
import type { OsvSeverity } from "../osv/types.js";

/** Distribution and advisory-database ratings to kubeward severities. */
const RATINGS: Readonly<Record<string, Severity>> = {
  critical: "critical",
  important: "high",
  high: "high",
  moderate: "medium",
  medium: "medium",
  low: "low",
  negligible: "low",
  unimportant: "low",
  untriaged: "medium",
};

export function ratingToSeverity(r: string | undefined): Severity | undefined {
  return r ? RATINGS[r.toLowerCase().replace(/\*+$/, "").trim()] : undefined;
}

/** CVSS qualitative rating scale (v3.x and v4.0 share it). */
export function scoreToSeverity(score: number): Severity {
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  if (score > 0) return "low";
  return "info";
}

export interface ScoredCvss {
  version: string;
  vector: string;
  score: number;
}

/** The best CVSS entry of a record: the newest CVSS version present whose vector parses. */
export function bestCvss(entries: readonly OsvSeverity[]): ScoredCvss | undefined {
  let best: ScoredCvss | undefined;
  for (const e of entries) {
    if (!/^CVSS_V[234]$/.test(e.type)) continue;
    const r = cvssScore(e.score);
    if (!r) continue;
    if (!best || Number(r.version) > Number(best.version))
      best = { version: r.version, vector: e.score, score: r.score };
  }
  return best;
}
