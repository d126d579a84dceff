import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { OsvAffected, OsvRange, OsvRecord, OsvSeverity } from "../osv/types.js";
import { ecosystemBase } from "../versions/index.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";
import { ecosystemRelease, normalizePackageName } from "./names.js";

export class DbError extends Error {
  constructor(
    readonly code: "db-missing" | "db-schema" | "db-open" | "db-corrupt",
    message: string,
  ) {
    super(message);
  }
}

/**
 * SQLite's own words for a damaged file ("file is not a database", "database disk image is
 * malformed") name neither the file nor the way out: both are added.
 */
function corruptError(path: string, e: unknown): Error {
  const code = (e as { code?: string }).code;
  if (code !== "SQLITE_NOTADB" && code !== "SQLITE_CORRUPT") return e as Error;
  return new DbError(
    "db-corrupt",
    `vulnerability database ${path} is damaged (${(e as Error).message}): run "kubeward db update" (or "kubeward db import PATH") to rebuild it`,
  );
}

/** One affected-package row joined with its record, as matching needs it. */
export interface AffectedRow {
  vulnId: string;
  ecosystem: string;
  name: string;
  ranges: OsvRange[];
  versions: string[];
  severity?: string;
  fixState?: string;
  modified: string;
  withdrawn?: string;
  summary?: string;
  aliases: string[];
  cvss: OsvSeverity[];
  rated?: string;
  source: string;
  references: string[];
}

export interface SourceInfo {
  name: string;
  kind: string;
  location: string;
  importedAt: string;
  records: number;
  skipped: number;
}

export interface DbInfo {
  path: string;
  schemaVersion: number;
  records: number;
  withdrawn: number;
  affected: number;
  ecosystems: Array<{ ecosystem: string; records: number }>;
  sources: SourceInfo[];
  lastUpdate?: string;
}

/** The vulnerability database: a SQLite file. Opening for write applies pending migrations. */
export class VulnDb {
  private constructor(
    readonly db: Database.Database,
    readonly path: string,
  ) {}

  static open(path: string, opts: { readonly?: boolean; create?: boolean } = {}): VulnDb {
    let db: Database.Database;
    try {
      if (opts.create) mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { readonly: !!opts.readonly, fileMustExist: !opts.create });
    } catch (e) {
      const msg = (e as Error).message;
      if (/unable to open|does not exist|directory does not exist/i.test(msg))
        throw new DbError("db-missing", `no vulnerability database at ${path}`);
      throw new DbError("db-open", `cannot open vulnerability database ${path}: ${msg}`);
    }
    const store = new VulnDb(db, path);
    let version: number;
    try {
      version = db.pragma("user_version", { simple: true }) as number;
    } catch (e) {
      db.close();
      throw corruptError(path, e);
    }
    if (version > SCHEMA_VERSION) {
      db.close();
      throw new DbError(
        "db-schema",
        `${path} has schema ${version}, newer than this kubeward (${SCHEMA_VERSION}): upgrade kubeward`,
      );
    }
    if (version < SCHEMA_VERSION) {
      if (opts.readonly) {
        db.close();
        if (version === 0)
          throw new DbError("db-missing", `${path} is not a kubeward vulnerability database`);
        throw new DbError(
          "db-schema",
          `${path} has schema ${version}; run "kubeward db update" or "db import" to migrate it`,
        );
      }
      store.migrate(version);
    }
    if (!opts.readonly) db.pragma("journal_mode = DELETE");
    return store;
  }

  private migrate(from: number): void {
    const run = this.db.transaction(() => {
      for (let i = from; i < MIGRATIONS.length; i++) this.db.exec(MIGRATIONS[i]!);
      this.db.pragma(`user_version = ${MIGRATIONS.length}`);
    });
    run();
  }

  close(): void {
    this.db.close();
  }

  /** A writer that inserts records in batched transactions; call flush() at the end. */
  writer(source: string): RecordWriter {
    return new RecordWriter(this, source);
  }

  recordSource(info: SourceInfo): void {
    this.db
      .prepare(
        `INSERT INTO sources (name, kind, location, imported_at, records, skipped) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET kind=excluded.kind, location=excluded.location,
           imported_at=excluded.imported_at, records=excluded.records, skipped=excluded.skipped`,
      )
      .run(info.name, info.kind, info.location, info.importedAt, info.records, info.skipped);
    this.setMeta("last_update", info.importedAt);
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
      )
      .run(key, value);
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  private lookupStmt?: Database.Statement;

  /** Affected rows for one package in an ecosystem family ("Debian", "PyPI"...); the caller filters releases. */
  lookup(ecosystem: string, name: string): AffectedRow[] {
    let rows: Array<Record<string, string | null>>;
    try {
      this.lookupStmt ??= this.db.prepare(
        `SELECT a.vuln_id, a.eco_base, a.eco_release, a.name, a.ranges, a.versions, a.severity, a.fix_state,
                v.modified, v.withdrawn, v.summary, v.aliases, v.severity AS cvss, v.rated, v.source, v.refs
         FROM affected a JOIN vulns v ON v.id = a.vuln_id WHERE a.eco_base = ? AND a.name = ?`,
      );
      const base = ecosystemBase(ecosystem);
      rows = this.lookupStmt.all(base, normalizePackageName(ecosystem, name)) as typeof rows;
    } catch (e) {
      throw corruptError(this.path, e);
    }
    return rows.map((r) => ({
      vulnId: r.vuln_id!,
      ecosystem: r.eco_release ? `${r.eco_base}:${r.eco_release}` : r.eco_base!,
      name: r.name!,
      ranges: JSON.parse(r.ranges!),
      versions: JSON.parse(r.versions!),
      ...(r.severity ? { severity: r.severity } : {}),
      ...(r.fix_state ? { fixState: r.fix_state } : {}),
      modified: r.modified!,
      ...(r.withdrawn ? { withdrawn: r.withdrawn } : {}),
      ...(r.summary ? { summary: r.summary } : {}),
      aliases: JSON.parse(r.aliases!),
      cvss: JSON.parse(r.cvss!),
      ...(r.rated ? { rated: r.rated } : {}),
      source: r.source!,
      references: JSON.parse(r.refs!),
    }));
  }

  info(): DbInfo {
    try {
      return this.readInfo();
    } catch (e) {
      throw corruptError(this.path, e);
    }
  }

  private readInfo(): DbInfo {
    const one = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    const lastUpdate = this.getMeta("last_update");
    return {
      path: this.path,
      schemaVersion: this.db.pragma("user_version", { simple: true }) as number,
      records: one("SELECT count(*) AS n FROM vulns"),
      withdrawn: one("SELECT count(*) AS n FROM vulns WHERE withdrawn IS NOT NULL"),
      affected: one("SELECT count(*) AS n FROM affected"),
      ecosystems: (
        this.db
          .prepare(
            `SELECT CASE WHEN eco_release = '' THEN eco_base ELSE eco_base || ':' || eco_release END AS ecosystem,
                    count(DISTINCT vuln_id) AS records FROM affected GROUP BY 1 ORDER BY 1`,
          )
          .all() as Array<{ ecosystem: string; records: number }>
      ).map((r) => ({ ecosystem: r.ecosystem, records: r.records })),
      sources: (
        this.db.prepare("SELECT * FROM sources ORDER BY name").all() as Array<Record<string, string | number>>
      ).map((s) => ({
        name: String(s.name),
        kind: String(s.kind),
        location: String(s.location),
        importedAt: String(s.imported_at),
        records: Number(s.records),
        skipped: Number(s.skipped),
      })),
      ...(lastUpdate ? { lastUpdate } : {}),
    };
  }
}

/** Batches inserts: one transaction per `batchSize` records keeps imports fast and memory flat. */
export class RecordWriter {
  private pending: OsvRecord[] = [];
  private readonly insertVuln: Database.Statement;
  private readonly deleteAffected: Database.Statement;
  private readonly deleteAliases: Database.Statement;
  private readonly insertAffected: Database.Statement;
  private readonly insertAlias: Database.Statement;
  private readonly existing: Database.Statement;
  private readonly commit: (records: OsvRecord[]) => void;
  written = 0;

  constructor(
    private readonly store: VulnDb,
    private readonly source: string,
    private readonly batchSize = 2000,
  ) {
    const db = store.db;
    this.existing = db.prepare("SELECT modified FROM vulns WHERE id = ?");
    this.insertVuln = db.prepare(
      `INSERT OR REPLACE INTO vulns (id, source, modified, published, withdrawn, summary, severity, rated, aliases, refs)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.deleteAffected = db.prepare("DELETE FROM affected WHERE vuln_id = ?");
    this.deleteAliases = db.prepare("DELETE FROM aliases WHERE vuln_id = ?");
    this.insertAffected = db.prepare(
      `INSERT INTO affected (vuln_id, eco_base, eco_release, name, ranges, versions, severity, fix_state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertAlias = db.prepare("INSERT OR IGNORE INTO aliases (alias, vuln_id) VALUES (?, ?)");
    this.commit = db.transaction((records: OsvRecord[]) => {
      for (const r of records) this.writeOne(r);
    });
  }

  private writeOne(r: OsvRecord): void {
    const prev = this.existing.get(r.id) as { modified: string } | undefined;
    // Keep the newer copy when the same record arrives twice (e.g. from a file and a zip).
    if (prev && prev.modified > r.modified) return;
    if (prev) {
      this.deleteAffected.run(r.id);
      this.deleteAliases.run(r.id);
    }
    this.insertVuln.run(
      r.id,
      this.source,
      r.modified,
      r.published ?? null,
      r.withdrawn ?? null,
      r.summary ?? null,
      JSON.stringify(r.severity),
      r.ratedSeverity ?? null,
      JSON.stringify(r.aliases),
      JSON.stringify(r.references.slice(0, 20)),
    );
    for (const a of r.aliases) this.insertAlias.run(a, r.id);
    for (const a of r.affected) this.writeAffected(r.id, a);
    this.written++;
  }

  private writeAffected(id: string, a: OsvAffected): void {
    const ranges = a.ranges.filter((x) => x.type !== "GIT");
    if (ranges.length === 0 && a.versions.length === 0) return;
    this.insertAffected.run(
      id,
      ecosystemBase(a.package.ecosystem),
      ecosystemRelease(a.package.ecosystem),
      normalizePackageName(a.package.ecosystem, a.package.name),
      JSON.stringify(ranges),
      JSON.stringify(a.versions),
      a.severity ?? null,
      a.fixState ?? null,
    );
  }

  add(record: OsvRecord): void {
    this.pending.push(record);
    if (this.pending.length >= this.batchSize) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.commit(batch);
  }

  get storeRef(): VulnDb {
    return this.store;
  }
}
