import { existsSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import { UsageError } from "../cli/errors.js";
import type { CommandRoots } from "../cli/layers.js";
import { addOutputOptions, emitReport, type OutputOptions } from "../cli/output.js";
import { progressBar } from "../cli/progress.js";
import { defaultIgnoreFiles, IGNORE_FILE_NAME } from "../core/exceptions.js";
import { type DbError, VulnDb } from "./db/store.js";
import { FEED_KINDS, type FeedKind, ImportError, importPath } from "./importers/index.js";
import { dbAgeDays, defaultDbPath, FS_SCANNERS, type FsScanner, scanFs, scanSbom } from "./scan.js";
import { feedList, feedSettingsFromEnv } from "./update/feeds.js";
import { updateDb } from "./update/index.js";

const STALE_DAYS = 7;

/** Where the database is by default (defaultDbPath), for every --db option. */
const DB_OPTION_HELP =
  "vulnerability database (default: $KUBEWARD_DB, else kubeward/db under $XDG_CACHE_HOME or ~/.cache)";

export interface VulnCliOptions extends OutputOptions {
  db?: string;
  ignoreUnfixed?: boolean;
  vex?: string[];
}

/** Adds --db, --ignore-unfixed and --vex to a scanning command (the lead adds them to `scan image`). */
export function addVulnOptions(cmd: Command): Command {
  return cmd
    .option("--db <path>", DB_OPTION_HELP)
    .option("--ignore-unfixed", "leave out vulnerabilities that have no fixed version")
    .option(
      "--vex <file>",
      "OpenVEX document: not_affected/fixed statements suppress findings (repeatable)",
      collect,
      [],
    );
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Warns on stderr when the database is older than a week; fails with exit 2 (and a hint) when there is none. */
export function checkDbFreshness(path: string, now: Date): void {
  if (!existsSync(path))
    throw new UsageError(
      `no vulnerability database at ${path}: run "kubeward db update" (or "kubeward db import PATH" offline)`,
      "db-missing",
    );
  let db: VulnDb;
  try {
    db = VulnDb.open(path, { readonly: true });
  } catch (e) {
    throw new UsageError((e as Error).message, (e as DbError).code ?? "db-open");
  }
  const age = dbAgeDays(db, now);
  db.close();
  if (age !== undefined && age > STALE_DAYS)
    process.stderr.write(
      `kubeward: warning: the vulnerability database is ${Math.floor(age)} days old; run "kubeward db update"\n`,
    );
}

/** The effective vulnerability options of a command (VEX files must exist). */
export function vulnOpts(opts: VulnCliOptions) {
  const dbPath = opts.db ?? defaultDbPath();
  for (const f of opts.vex ?? [])
    if (!existsSync(f)) throw new UsageError(`cannot read VEX file "${f}"`, "vex-missing");
  return { dbPath, ignoreUnfixed: !!opts.ignoreUnfixed, vexFiles: opts.vex ?? [], now: () => new Date() };
}

/** `--scanners vuln,dockerfile`: checked when parsed, so a typo fails before the walk. */
function parseScanners(list: string): FsScanner[] {
  const out: FsScanner[] = [];
  for (const raw of list.split(",")) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    if (!(FS_SCANNERS as readonly string[]).includes(name))
      throw new InvalidArgumentError(`unknown scanner "${raw.trim()}" (expected ${FS_SCANNERS.join(", ")})`);
    if (!out.includes(name as FsScanner)) out.push(name as FsScanner);
  }
  if (out.length === 0) throw new InvalidArgumentError(`name at least one of ${FS_SCANNERS.join(", ")}`);
  return out;
}

export function registerVulnCommands({ program, scan }: CommandRoots): void {
  const fs = scan
    .command("fs")
    .description(
      "scan a directory (a source tree or a root filesystem): vulnerable packages (lockfiles, installed packages) and Dockerfiles",
    )
    .argument("<dir>", "directory to scan")
    .option(
      "--scanners <list>",
      `what to look for, comma-separated: vuln (packages; needs the database), dockerfile (Dockerfile checks) (default: ${FS_SCANNERS.join(",")})`,
      parseScanners,
    )
    .option(
      "--ignore-file <file>",
      `exceptions file (default: ${IGNORE_FILE_NAME} in the current directory and in DIR, if present)`,
    );
  addOutputOptions(addVulnOptions(fs)).action(
    (dir: string, opts: VulnCliOptions & { scanners?: FsScanner[]; ignoreFile?: string }) => {
      if (!existsSync(dir)) throw new UsageError(`cannot read target "${dir}": no such directory`);
      if (opts.ignoreFile && !existsSync(opts.ignoreFile))
        throw new UsageError(`cannot read ignore file "${opts.ignoreFile}": no such file`);
      const scanners = opts.scanners ?? [...FS_SCANNERS];
      const o = vulnOpts(opts);
      // Dockerfile checks alone need no database.
      if (scanners.includes("vuln")) checkDbFreshness(o.dbPath, o.now());
      const ignoreFiles = opts.ignoreFile
        ? [opts.ignoreFile]
        : [...new Set([...defaultIgnoreFiles(["."]), ...defaultIgnoreFiles([dir])])];
      process.exitCode = emitReport(scanFs(dir, { ...o, scanners, ignoreFiles }), opts);
    },
  );

  const sbom = scan
    .command("sbom")
    .description("scan the packages of a CycloneDX or SPDX JSON SBOM for vulnerabilities")
    .argument("<file>", "SBOM file");
  addOutputOptions(addVulnOptions(sbom)).action((file: string, opts: VulnCliOptions) => {
    if (!existsSync(file)) throw new UsageError(`cannot read target "${file}": no such file`);
    const o = vulnOpts(opts);
    checkDbFreshness(o.dbPath, o.now());
    process.exitCode = emitReport(scanSbom(file, o), opts);
  });

  const db = program.command("db").description("manage the vulnerability database");
  db.exitOverride();

  db.command("import")
    .description(
      "import vulnerability data from files (air-gapped): OSV records, directories of them, OSV all.zip, Debian tracker JSON, Alpine/Wolfi secdb JSON",
    )
    .argument("<paths...>", "files, directories or zips")
    .option("--db <path>", DB_OPTION_HELP)
    .addOption(
      new Option("--kind <kind>", "feed format (default: guessed from the content)").choices(FEED_KINDS),
    )
    .option("--distro <name>", "for secdb feeds: Alpine or Wolfi", "Alpine")
    .action(async (paths: string[], opts: { db?: string; kind?: FeedKind; distro: string }) => {
      const path = opts.db ?? defaultDbPath();
      const store = VulnDb.open(path, { create: true });
      let failed = false;
      try {
        for (const p of paths) {
          try {
            const r = await importPath(store, p, {
              now: new Date(),
              ...(opts.kind ? { kind: opts.kind } : {}),
              distro: opts.distro,
            });
            process.stderr.write(
              `kubeward: imported ${r.records} record${r.records === 1 ? "" : "s"} from ${p} (${r.kind})${r.skipped ? `, skipped ${r.skipped}` : ""}\n`,
            );
            for (const e of r.errors)
              process.stderr.write(`kubeward:   ${e.file}: ${e.message} [${e.code}]\n`);
          } catch (e) {
            if (!(e instanceof ImportError)) throw e;
            process.stderr.write(`kubeward: ${e.message} [${e.code}]\n`);
            failed = true;
          }
        }
      } finally {
        store.close();
      }
      if (failed) process.exitCode = 2;
    });

  db.command("info")
    .description("show the database's sources, record counts and last update")
    .option("--db <path>", DB_OPTION_HELP)
    .addOption(
      new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"),
    )
    .action((opts: { db?: string; format: string }) => {
      const path = opts.db ?? defaultDbPath();
      if (!existsSync(path))
        throw new UsageError(
          `no vulnerability database at ${path}: run "kubeward db update" (or "kubeward db import PATH" offline)`,
          "db-missing",
        );
      const store = VulnDb.open(path, { readonly: true });
      const info = store.info();
      const age = dbAgeDays(store, new Date());
      store.close();
      const stale = age !== undefined && age > STALE_DAYS;
      if (opts.format === "json") process.stdout.write(`${JSON.stringify({ ...info, stale }, null, 2)}\n`);
      else {
        const lines = [
          `database:     ${info.path} (schema ${info.schemaVersion})`,
          `last update:  ${info.lastUpdate ?? "never"}${age !== undefined ? ` (${age.toFixed(1)} days ago)` : ""}`,
          `records:      ${info.records} (${info.withdrawn} withdrawn), affected packages: ${info.affected}`,
          "ecosystems:",
          ...info.ecosystems.map((e) => `  ${e.ecosystem.padEnd(28)} ${e.records}`),
          "sources:",
          ...info.sources.map(
            (s) =>
              `  ${s.name.padEnd(28)} ${String(s.records).padStart(7)} records  ${s.importedAt}  ${s.location}`,
          ),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
      }
      if (stale)
        process.stderr.write(
          `kubeward: warning: the database is older than ${STALE_DAYS} days; run "kubeward db update"\n`,
        );
    });

  db.command("update")
    .description(
      "download the configured feeds (OSV per-ecosystem zips, Debian tracker, Alpine secdb) and swap in a new database",
    )
    .option("--db <path>", DB_OPTION_HELP)
    .option("--osv-url <url>", "base URL of the OSV bucket or a mirror (env KUBEWARD_OSV_URL)")
    .option("--ecosystems <list>", "OSV ecosystems to fetch, comma-separated (env KUBEWARD_OSV_ECOSYSTEMS)")
    .option(
      "--debian-tracker-url <url>",
      'Debian Security Tracker JSON URL, or "none" (env KUBEWARD_DEBIAN_TRACKER_URL)',
    )
    .option("--alpine-secdb-url <url>", 'base URL of Alpine secdb, or "none" (env KUBEWARD_ALPINE_SECDB_URL)')
    .action(
      async (opts: {
        db?: string;
        osvUrl?: string;
        ecosystems?: string;
        debianTrackerUrl?: string;
        alpineSecdbUrl?: string;
      }) => {
        const path = opts.db ?? defaultDbPath();
        const settings = {
          ...feedSettingsFromEnv(process.env),
          ...(opts.osvUrl ? { osvUrl: opts.osvUrl } : {}),
          ...(opts.ecosystems ? { ecosystems: opts.ecosystems.split(",").map((s) => s.trim()) } : {}),
          ...(opts.debianTrackerUrl ? { debianTrackerUrl: opts.debianTrackerUrl } : {}),
          ...(opts.alpineSecdbUrl ? { alpineSecdbUrl: opts.alpineSecdbUrl } : {}),
        };
        const feeds = feedList(settings);
        const bar = progressBar();
        try {
          await updateDb(path, feeds, {
            now: new Date(),
            onFeedStart: (f, i, n) => {
              if (bar) bar.start(`(${i + 1}/${n}) ${f.name}`);
              else process.stderr.write(`kubeward: (${i + 1}/${n}) downloading ${f.name} from ${f.url}\n`);
            },
            onBytes: (_f, r, t) => bar?.update(r, t),
            onFeedDone: (f, r) => {
              bar?.stop();
              process.stderr.write(
                `kubeward: ${f.name}: ${r.records} records${r.skipped ? `, ${r.skipped} skipped` : ""}\n`,
              );
            },
          });
        } catch (e) {
          bar?.stop();
          throw new UsageError(
            `db update failed, the existing database is unchanged: ${(e as Error).message}`,
            (e as { code?: string }).code ?? "update-failed",
          );
        }
        process.stderr.write(`kubeward: database updated at ${path}\n`);
      },
    );
}
