import type { OsInfo } from "../../core/cataloger.js";
import type { Finding, Package, PackageRef, ScanError, Severity } from "../../core/model.js";
import { OS_ECOSYSTEMS, severityRank } from "../../core/model.js";
import type { AffectedRow, VulnDb } from "../db/store.js";
import { isAffected, VersionCache } from "../osv/range.js";
import { goToolchainToSemver } from "../versions/golang/index.js";
import { SCHEMES, schemeForEcosystem } from "../versions/index.js";
import { packageEcosystem, releaseMatches } from "./os.js";
import { bestCvss, ratingToSeverity, type ScoredCvss, scoreToSeverity } from "./severity.js";

/** Distributions with a single rolling release: their advisories carry no release. */
const RELEASELESS = new Set(["Wolfi", "Chainguard"]);

export type FixState = "fixed" | "not-fixed" | "wont-fix";

export interface MatchOptions {
  /** Drop vulnerabilities that have no fixed version. */
  ignoreUnfixed?: boolean;
  /** Problems (unparseable versions...) are appended here, each naming its package. */
  errors?: ScanError[];
}

/** The contract's `vulnerability` object on a finding. */
export interface VulnerabilityInfo {
  id: string;
  aliases: string[];
  source: string;
  sources: string[];
  package: PackageRef;
  fixedVersion: string | null;
  fixState: FixState;
  cvss: ScoredCvss | null;
  layerDigest?: string;
  path?: string;
}

/** One record that matched one package, before de-duplication. */
interface Hit {
  row: AffectedRow;
  ids: Set<string>;
  fixed?: string;
  fixState: FixState;
  cvss?: ScoredCvss;
  severity: Severity;
  distroRated: boolean;
}

/** What a package is matched as: OS packages by source package and distro release, others by name. */
function queryFor(pkg: Package): { name: string; version: string } {
  const base = packageEcosystem(pkg, undefined).base;
  if (OS_ECOSYSTEMS.has(base)) {
    return { name: pkg.sourceName || pkg.name, version: pkg.sourceVersion || pkg.version };
  }
  if (base === "Go" && pkg.name === "stdlib")
    return { name: "stdlib", version: goToolchainToSemver(pkg.version) ?? pkg.version };
  return { name: pkg.name, version: pkg.version };
}

/** Picks the primary id of a group: a CVE when there is one, else a GHSA, else the smallest id. */
export function primaryId(ids: Iterable<string>): string {
  const all = [...ids].sort();
  return all.find((i) => i.startsWith("CVE-")) ?? all.find((i) => i.startsWith("GHSA-")) ?? all[0]!;
}

/**
 * Matches packages against the database and returns vulnerability findings, one per (vulnerability,
 * package), with records that are aliases of each other merged. Pure apart from reading `db`.
 */
export function matchPackages(
  db: VulnDb,
  packages: readonly Package[],
  os: OsInfo | undefined,
  opts: MatchOptions = {},
): Finding[] {
  const caches = new Map<string, VersionCache>();
  const cacheFor = (schemeId: string) => {
    let c = caches.get(schemeId);
    if (!c) {
      c = new VersionCache(SCHEMES.get(schemeId)!);
      caches.set(schemeId, c);
    }
    return c;
  };
  const semverCache = cacheFor("semver");
  // Inventories repeat names (many versions of one library): read and parse each package's rows once.
  const rowCache = new Map<string, AffectedRow[]>();
  const rowsFor = (base: string, name: string) => {
    const key = `${base}\0${name}`;
    let rows = rowCache.get(key);
    if (!rows) {
      rows = db.lookup(base, name);
      rowCache.set(key, rows);
    }
    return rows;
  };
  const findings: Finding[] = [];
  const unknownRelease = new Set<string>();
  // Rows are shared by every version of a package: score their CVSS vectors once.
  const cvssOfRow = new Map<AffectedRow, ScoredCvss | null>();
  for (const pkg of packages) {
    const { base, release } = packageEcosystem(pkg, os);
    const isOs = OS_ECOSYSTEMS.has(base);
    if (isOs && release === undefined && !RELEASELESS.has(base)) {
      // Distribution advisories are per release: without one, matching would guess.
      if (!unknownRelease.has(base)) {
        unknownRelease.add(base);
        opts.errors?.push({
          message: `${base} packages were not matched: the distribution release is unknown (no os-release)`,
          code: "os-release-unknown",
        });
      }
      continue;
    }
    const q = queryFor(pkg);
    if (!q.version) continue;
    const cache = cacheFor(schemeForEcosystem(base).id);
    if (cache.get(q.version) === undefined) {
      if (q.version !== "(devel)")
        opts.errors?.push({
          file: pkg.path,
          message: `${pkg.ecosystem} package ${pkg.name}: version "${q.version}" is not a ${cache.scheme.id} version; not matched`,
          code: "version-unparseable",
        });
      continue;
    }
    const hits: Hit[] = [];
    for (const row of rowsFor(base, q.name)) {
      if (row.withdrawn) continue;
      const rowRelease = row.ecosystem.includes(":")
        ? row.ecosystem.slice(row.ecosystem.indexOf(":") + 1)
        : "";
      if (!releaseMatches(base, rowRelease, release)) continue;
      const verdict = isAffected(row, q.version, cache, semverCache);
      if (!verdict.affected) continue;
      let cvss = cvssOfRow.get(row);
      if (cvss === undefined) {
        cvss = bestCvss(row.cvss) ?? null;
        cvssOfRow.set(row, cvss);
      }
      const distro = isOs ? ratingToSeverity(row.severity) : undefined;
      const severity =
        distro ??
        (cvss ? scoreToSeverity(cvss.score) : undefined) ??
        ratingToSeverity(row.severity) ??
        ratingToSeverity(row.rated) ??
        "medium";
      const fixState: FixState = verdict.fixed
        ? "fixed"
        : row.fixState === "wont-fix"
          ? "wont-fix"
          : "not-fixed";
      hits.push({
        row,
        ids: new Set([row.vulnId, ...row.aliases]),
        ...(verdict.fixed ? { fixed: verdict.fixed } : {}),
        fixState,
        ...(cvss ? { cvss } : {}),
        severity,
        distroRated: distro !== undefined,
      });
    }
    for (const group of groupByAlias(hits)) {
      const f = toFinding(pkg, group, cache);
      if (opts.ignoreUnfixed && (f.vulnerability as VulnerabilityInfo).fixState !== "fixed") continue;
      findings.push(f);
    }
  }
  return findings;
}

/** Merges hits whose id sets overlap (a GHSA and the PYSEC record that aliases it are one vulnerability). */
function groupByAlias(hits: Hit[]): Hit[][] {
  if (hits.length < 2) return hits.length ? [hits] : [];
  // Union-find over hits, joined through the ids they share.
  const parent = hits.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const owner = new Map<string, number>();
  hits.forEach((h, i) => {
    for (const id of h.ids) {
      const j = owner.get(id);
      if (j === undefined) owner.set(id, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, Hit[]>();
  hits.forEach((h, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(h);
    else groups.set(r, [h]);
  });
  return [...groups.values()];
}

function toFinding(pkg: Package, hits: Hit[], cache: VersionCache): Finding {
  const ids = new Set<string>();
  for (const h of hits) for (const i of h.ids) ids.add(i);
  // A feed's own record ids (DEBIAN-CVE-...-perl) name the record; the issue ids they alias name the vulnerability.
  const recordIds = new Set(hits.map((h) => h.row.vulnId));
  const issueIds = [...ids].filter((i) => !recordIds.has(i));
  const id = primaryId(issueIds.length > 0 ? issueIds : ids);
  // Prefer the distribution's own record, then the one that names a fix, then the newest.
  const ranked = [...hits].sort(
    (a, b) =>
      Number(b.distroRated) - Number(a.distroRated) ||
      Number(!!b.fixed) - Number(!!a.fixed) ||
      (a.row.vulnId < b.row.vulnId ? -1 : 1),
  );
  const lead = ranked[0]!;
  // With several fixes named, the highest one is the version that fixes them all.
  let fixed: string | undefined;
  for (const h of hits) {
    if (!h.fixed) continue;
    if (!fixed) fixed = h.fixed;
    else {
      const a = cache.get(h.fixed);
      const b = cache.get(fixed);
      if (a !== undefined && b !== undefined && cache.scheme.compare(a, b) > 0) fixed = h.fixed;
    }
  }
  const severity = lead.distroRated
    ? lead.severity
    : hits.map((h) => h.severity).sort((a, b) => severityRank(b) - severityRank(a))[0]!;
  const cvss = hits.map((h) => h.cvss).find((c) => c) ?? null;
  const fixState: FixState = fixed ? "fixed" : lead.fixState;
  const pkgRef: PackageRef = {
    name: pkg.name,
    version: pkg.version,
    ecosystem: pkg.ecosystem,
    ...(pkg.purl ? { purl: pkg.purl } : {}),
    ...(pkg.sourceName ? { sourceName: pkg.sourceName } : {}),
    ...(pkg.sourceVersion ? { sourceVersion: pkg.sourceVersion } : {}),
  };
  const vulnerability: VulnerabilityInfo = {
    id,
    aliases: [...ids].filter((i) => i !== id).sort(),
    source: lead.row.vulnId,
    sources: [...new Set(hits.map((h) => h.row.vulnId))].sort(),
    package: pkgRef,
    fixedVersion: fixed ?? null,
    fixState,
    cvss,
    ...(pkg.layerDigest ? { layerDigest: pkg.layerDigest } : {}),
    ...(pkg.path ? { path: pkg.path } : {}),
  };
  const summary = hits.map((h) => h.row.summary).find((s) => s);
  const references = [...new Set(hits.flatMap((h) => h.row.references))].slice(0, 10);
  return {
    checkId: id,
    title: summary ? truncate(summary, 160) : `${id} in ${pkg.name}`,
    severity,
    status: "fail",
    layer: "vulnerability",
    message: `${pkg.name} ${pkg.version} is affected by ${id}${fixed ? `; fixed in ${fixed}` : fixState === "wont-fix" ? "; the distribution will not fix it" : "; no fix available yet"}`,
    ...(fixed
      ? {
          remediation: `Upgrade ${pkg.sourceName && pkg.sourceName !== pkg.name ? `${pkg.name} (source ${pkg.sourceName})` : pkg.name} to ${fixed} or later.`,
        }
      : {}),
    ...(references.length ? { references } : {}),
    ...(pkg.path ? { location: { file: pkg.path } } : {}),
    vulnerability,
  };
}

function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
