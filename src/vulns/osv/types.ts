/** The parts of an OSV record (https://ossf.github.io/osv-schema/) that kubeward stores and matches on. */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface OsvRange {
  type: "SEMVER" | "ECOSYSTEM" | "GIT" | string;
  repo?: string;
  events: OsvEvent[];
}

export interface OsvAffected {
  package: { ecosystem: string; name: string; purl?: string };
  ranges: OsvRange[];
  versions: string[];
  /** Distribution rating for this package (Debian urgency, Ubuntu priority, ...), when the feed gives one. */
  severity?: string;
  /** Fix state a distro feed gives ("not-fixed", "wont-fix"); fixed versions come from the ranges. */
  fixState?: "fixed" | "not-fixed" | "wont-fix";
}

export interface OsvSeverity {
  type: string;
  score: string;
}

export interface OsvRecord {
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  summary?: string;
  details?: string;
  severity: OsvSeverity[];
  affected: OsvAffected[];
  references: string[];
  /** GHSA-style rating (database_specific.severity), used when there is no CVSS vector. */
  ratedSeverity?: string;
}
