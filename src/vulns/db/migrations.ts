/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run.
 * Never edit a migration once released: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: records, their aliases, affected packages (indexed by ecosystem base and normalised name), sources.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sources (
     name TEXT PRIMARY KEY, kind TEXT NOT NULL, location TEXT NOT NULL,
     imported_at TEXT NOT NULL, records INTEGER NOT NULL, skipped INTEGER NOT NULL);
   CREATE TABLE vulns (
     id TEXT PRIMARY KEY, source TEXT NOT NULL, modified TEXT NOT NULL, published TEXT, withdrawn TEXT,
     summary TEXT, severity TEXT NOT NULL, rated TEXT, aliases TEXT NOT NULL, refs TEXT NOT NULL);
   CREATE TABLE aliases (alias TEXT NOT NULL, vuln_id TEXT NOT NULL, PRIMARY KEY (alias, vuln_id)) WITHOUT ROWID;
   CREATE TABLE affected (
     vuln_id TEXT NOT NULL, eco_base TEXT NOT NULL, eco_release TEXT NOT NULL, name TEXT NOT NULL,
     ranges TEXT NOT NULL, versions TEXT NOT NULL, severity TEXT, fix_state TEXT);
   CREATE INDEX affected_by_package ON affected (eco_base, name);
   CREATE INDEX affected_by_vuln ON affected (vuln_id);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
