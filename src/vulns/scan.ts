import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Cataloger, OsInfo } from "../core/cataloger.js";
import { applyExceptions, expiredAsErrors, readIgnoreRules } from "../core/exceptions.js";
import { readRegularFile } from "../core/files.js";
import { type Finding, OS_ECOSYSTEMS, type Package, type Report, type ScanError } from "../core/model.js";
import { buildReport } from "../core/report.js";
import {
  detectOs,
  CATALOGERS as IMAGE_CATALOGERS,
  isDockerfileName,
  osEcosystem,
  purlFor,
  runDockerfileChecks,
} from "../images/index.js";
import { DbError, VulnDb } from "./db/store.js";
import { type FileChecker, walkTree } from "./fswalk.js";
import { FS_CATALOGERS } from "./lockfiles/index.js";
import { matchPackages } from "./match/matcher.js";
import { readSbom } from "./sbom/index.js";
import { applyVex, parseOpenVex } from "./vex/openvex.js";

/** ~/.cache/kubeward/db unless KUBEWARD_DB (or XDG_CACHE_HOME) says otherwise. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBEWARD_DB) return env.KUBEWARD_DB;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "kubeward", "db");
}

/** Opens the database for a scan; a missing one is an error with a one-line hint (the CLI exits 2). */
export function openDbForScan(path: string): VulnDb {
  if (!existsSync(path))
    throw new DbError(
      "db-missing",
      `no vulnerability database at ${path}: run "kubeward db update" (or "kubeward db import PATH" offline)`,
    );
  return VulnDb.open(path, { readonly: true });
}

export interface VulnScanOptions {
  dbPath: string;
  ignoreUnfixed?: boolean;
  /** OpenVEX files: not_affected and fixed statements suppress findings. */
  vexFiles?: readonly string[];
}

/**
 * Matches an inventory and appends vulnerability findings (and problems) to `into`. This is what
 * `scan image` calls after cataloging; `scan fs` and `scan sbom` use it too.
 */
export function addVulnerabilityFindings(
  into: { findings: Finding[]; errors: ScanError[] },
  packages: readonly Package[],
  os: OsInfo | undefined,
  opts: VulnScanOptions,
): void {
  const db = openDbForScan(opts.dbPath);
  try {
    const found = matchPackages(db, packages, os, {
      ignoreUnfixed: !!opts.ignoreUnfixed,
      errors: into.errors,
    });
    if (opts.vexFiles?.length) {
      const statements = opts.vexFiles.flatMap((f) => parseOpenVex(readFileSync(f, "utf8"), f, into.errors));
      applyVex(found, statements);
    }
    into.findings.push(...found);
  } finally {
    db.close();
  }
}

/** Days since the database was last updated (undefined when it has never been). */
export function dbAgeDays(db: VulnDb, now: Date): number | undefined {
  const last = db.getMeta("last_update");
  return last ? (now.getTime() - Date.parse(last)) / 86_400_000 : undefined;
}

/** The distribution of DIR when it is a root filesystem, found as for images (os-release and fallbacks). */
export function osOfTree(dir: string): OsInfo | undefined {
  return detectOs({ read: (path) => readInsideRoot(dir, path) });
}

const MAX_OS_FILE = 1 << 20;

/**
 * Reads PATH of the root filesystem at DIR as that system would see it: links are resolved against
 * DIR (an absolute `etc/os-release -> /usr/lib/os-release` must not read this machine's file), and
 * only a regular file is read, opened without blocking (a FIFO would wait for a writer forever).
 */
function readInsideRoot(dir: string, path: string): Buffer | undefined {
  let parts = path.split("/").filter(Boolean);
  const resolved: string[] = [];
  for (let hops = 0; parts.length > 0; ) {
    const name = parts.shift()!;
    if (name === ".") continue;
    if (name === "..") {
      resolved.pop();
      continue;
    }
    const full = join(dir, ...resolved, name);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(full);
    } catch {
      return undefined;
    }
    if (!st.isSymbolicLink()) {
      resolved.push(name);
      continue;
    }
    if (++hops > 40) return undefined; // a loop, as ELOOP would say
    const target = readlinkSync(full);
    if (target.startsWith("/")) resolved.length = 0;
    parts = [...target.split("/").filter(Boolean), ...parts];
  }
  try {
    return readRegularFile(join(dir, ...resolved), MAX_OS_FILE);
  } catch {
    return undefined;
  }
}

/**
 * The catalogers `scan fs` runs: the lockfile catalogers of this layer plus the image layer's
 * (OS package databases, Go and Rust binaries, Java archives, gems, npm), leaving out the image
 * catalogers that read the same files as ours (yarn.lock, pnpm-lock.yaml, Python metadata) so no
 * package is counted twice, and the license-only one.
 */
const OVERLAPPING_IMAGE_CATALOGERS = new Set(["yarn", "pnpm", "python", "dpkg-copyright"]);

export function fsCatalogers(): Cataloger[] {
  const byId = new Map<string, Cataloger>();
  for (const c of FS_CATALOGERS) byId.set(c.id, c);
  for (const c of IMAGE_CATALOGERS.values())
    if (!OVERLAPPING_IMAGE_CATALOGERS.has(c.id) && !byId.has(c.id)) byId.set(c.id, c);
  return [...byId.values()];
}

function reportOptions(opts: VulnScanOptions): Record<string, unknown> {
  return { ignoreUnfixed: !!opts.ignoreUnfixed, ...(opts.vexFiles?.length ? { vex: opts.vexFiles } : {}) };
}

/** What `scan fs` looks for (as Trivy's --scanners): vulnerable packages, Dockerfile problems. */
export const FS_SCANNERS = ["vuln", "dockerfile"] as const;
export type FsScanner = (typeof FS_SCANNERS)[number];

export interface FsScanOptions extends VulnScanOptions {
  now: () => Date;
  /** Default: all of FS_SCANNERS. Without "vuln" no database is opened. */
  scanners?: readonly FsScanner[];
  /** `.kubewardignore.yaml` files whose entries suppress findings of either kind. */
  ignoreFiles?: readonly string[];
}

/** Dockerfiles are small; a larger file with such a name is not one worth reading whole. */
const MAX_DOCKERFILE_BYTES = 1 << 20;

/** The Dockerfile checks of the image layer, for every file named like a Dockerfile. */
const dockerfileChecker: FileChecker = {
  id: "dockerfile",
  wants: isDockerfileName,
  maxBytes: MAX_DOCKERFILE_BYTES,
  check(path, data) {
    const text = textOf(data);
    if (text === undefined)
      return {
        findings: [],
        errors: [
          {
            file: path,
            message: "binary content (NUL bytes or invalid UTF-8): not a Dockerfile",
            code: "dockerfile-binary",
          },
        ],
      };
    return runDockerfileChecks(path, text);
  },
};

/** UTF-8 text (a byte order mark dropped), or undefined for binary content. */
function textOf(data: Buffer): string | undefined {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(data);
    return text.includes("\u0000") ? undefined : text;
  } catch {
    return undefined;
  }
}

/** `scan fs DIR`: lockfiles, installed language packages, OS package databases when DIR is a rootfs, and Dockerfiles. */
export function scanFs(dir: string, opts: FsScanOptions): Report {
  const startedAt = opts.now();
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new DbError("db-open", `cannot read directory "${dir}"`);
  const scanners = new Set(opts.scanners ?? FS_SCANNERS);
  const vulns = scanners.has("vuln");
  const os = vulns ? osOfTree(dir) : undefined;
  const tree = walkTree(dir, {
    catalogers: vulns ? fsCatalogers() : [],
    checkers: scanners.has("dockerfile") ? [dockerfileChecker] : [],
    ...(os ? { os } : {}),
  });
  const packages = tree.packages.map((p) => {
    const full = { ...p } as Package & { arch?: string };
    // The dpkg/rpm databases name their family; the OS decides between Debian and Ubuntu and the like.
    if (OS_ECOSYSTEMS.has(full.ecosystem) && os) full.ecosystem = osEcosystem(os, full.ecosystem);
    const purl = full.purl ?? purlFor(full, os);
    const { dev: _d, commit: _c, arch: _a, status: _s, ...rest } = full as Package & Record<string, unknown>;
    return { ...(rest as Package), ...(purl ? { purl } : {}) };
  });
  const into = { findings: [...tree.findings], errors: tree.errors };
  if (vulns) addVulnerabilityFindings(into, packages, os, opts);
  const rules = readIgnoreRules(opts.ignoreFiles ?? [], into.errors);
  const excepted = applyExceptions(into.findings, [], rules, startedAt);
  into.errors.push(...expiredAsErrors(excepted.expired));
  return buildReport({
    type: "fs",
    target: dir,
    startedAt,
    finishedAt: opts.now(),
    options: { ...reportOptions(opts), scanners: FS_SCANNERS.filter((s) => scanners.has(s)) },
    findings: excepted.findings,
    errors: into.errors,
    extra: vulns ? { packages, ...(os ? { os } : {}) } : {},
  });
}

/** `scan sbom FILE`: CycloneDX or SPDX JSON. */
export function scanSbom(file: string, opts: VulnScanOptions & { now: () => Date }): Report {
  const startedAt = opts.now();
  const inv = readSbom(readFileSync(file, "utf8"), file);
  const into = { findings: [] as Finding[], errors: inv.errors };
  addVulnerabilityFindings(into, inv.packages, inv.os, opts);
  return buildReport({
    type: "sbom",
    target: file,
    startedAt,
    finishedAt: opts.now(),
    options: { ...reportOptions(opts), sbomFormat: inv.format },
    findings: into.findings,
    errors: into.errors,
    extra: { packages: inv.packages, ...(inv.os ? { os: inv.os } : {}) },
  });
}
