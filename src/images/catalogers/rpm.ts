import Database from "better-sqlite3";
import type { CatalogContext, CatalogFile } from "../../core/cataloger.js";
import type { Package } from "../../core/model.js";
import { readBdbHashValues } from "./bdb.js";
import { num, parseRpmHeader, str, strs, TAG } from "./rpm-header.js";
import type { ImageCataloger } from "./types.js";

export interface RpmPackage extends Package {
  arch?: string;
  epoch?: number;
  sourceRpm?: string;
  vendor?: string;
  files?: string[];
}

/** "name-1.2-3.el9.src.rpm" → source name and version-release. */
export function splitSourceRpm(srpm: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:src|nosrc)\.rpm$/.exec(srpm);
  return m ? { name: m[1]!, version: `${m[2]}-${m[3]}` } : undefined;
}

function headerToPackage(blob: Buffer, file: string): RpmPackage | undefined {
  const h = parseRpmHeader(blob);
  const name = str(h, TAG.NAME);
  const version = str(h, TAG.VERSION);
  const release = str(h, TAG.RELEASE);
  if (!name || version === undefined || name === "gpg-pubkey") return undefined;
  const full = release ? `${version}-${release}` : version;
  const epoch = num(h, TAG.EPOCH);
  const srpm = str(h, TAG.SOURCERPM);
  const src = srpm ? splitSourceRpm(srpm) : undefined;
  const license = str(h, TAG.LICENSE);
  const arch = str(h, TAG.ARCH);
  const vendor = str(h, TAG.VENDOR);
  const dirs = strs(h, TAG.DIRNAMES);
  const bases = strs(h, TAG.BASENAMES);
  const idx = h.get(TAG.DIRINDEXES);
  const files = Array.isArray(idx)
    ? bases.map((b, i) => `${dirs[(idx as number[])[i] ?? 0] ?? ""}${b}`.replace(/^\/+/, ""))
    : [];
  return {
    name,
    version: full,
    ecosystem: "Red Hat",
    sourceName: src?.name ?? name,
    sourceVersion: src?.version ?? full,
    ...(epoch !== undefined ? { epoch } : {}),
    ...(srpm ? { sourceRpm: srpm } : {}),
    ...(license ? { licenses: [license] } : {}),
    ...(arch ? { arch } : {}),
    ...(vendor ? { vendor } : {}),
    path: file,
    files,
  };
}

/** The header blobs of an rpm database; blobs that cannot be read are listed in ctx.errors. */
function blobsOf(data: Buffer, file: string, ctx: CatalogContext): Buffer[] {
  if (data.subarray(0, 16).toString("latin1") === "SQLite format 3\0") return sqliteBlobs(data, file, ctx);
  if (data.length >= 16 && data.readUInt32LE(0) === 0x6d626452) {
    // "Rdbm": the ndb backend (SUSE).
    throw Object.assign(new Error(`${file}: the rpm ndb format is not supported yet`), {
      code: "unsupported-format",
    });
  }
  const { values, problems } = readBdbHashValues(data);
  for (const p of problems)
    ctx.errors.push({
      file,
      message: `rpm: Berkeley DB ${p}; that package is not read`,
      code: "parse-error",
    });
  return values;
}

function sqliteBlobs(data: Buffer, file: string, ctx: CatalogContext): Buffer[] {
  const unreadable = (err: unknown) =>
    Object.assign(new Error(`${file}: cannot read sqlite rpmdb (${(err as Error).message})`), {
      code: "parse-error",
    });
  // A WAL-mode file (rpm's default) cannot be opened from memory: mark the copy as rollback-journal.
  const copy = Buffer.from(data);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database;
  try {
    db = new Database(copy, { readonly: true });
  } catch (err) {
    throw unreadable(err);
  }
  try {
    // SQLite finds most damage (a cut file, a broken b-tree) only while reading the pages.
    const rows = db.prepare("SELECT hnum, blob FROM Packages").all() as { hnum: unknown; blob: unknown }[];
    const blobs: Buffer[] = [];
    for (const r of rows) {
      if (Buffer.isBuffer(r.blob)) blobs.push(r.blob);
      else
        ctx.errors.push({
          file,
          message: `rpm: package ${String(r.hnum)} has a ${r.blob === null ? "null" : typeof r.blob} header instead of a blob; not read`,
          code: "rpm-bad-header",
        });
    }
    return blobs;
  } catch (err) {
    throw unreadable(err);
  } finally {
    db.close();
  }
}

/** Reads an rpm database: rpmdb.sqlite (sqlite) or Packages (Berkeley DB hash). Epoch is a separate field. */
export function parseRpmDatabase(data: Buffer, file: string, ctx: CatalogContext): RpmPackage[] {
  const out: RpmPackage[] = [];
  for (const blob of blobsOf(data, file, ctx)) {
    try {
      const p = headerToPackage(blob, file);
      if (p) out.push(p);
    } catch (err) {
      ctx.errors.push({ file, message: `bad rpm header: ${(err as Error).message}`, code: "rpm-bad-header" });
    }
  }
  return out;
}

const RPMDB = new Set([
  "var/lib/rpm/rpmdb.sqlite",
  "var/lib/rpm/Packages",
  "usr/lib/sysimage/rpm/rpmdb.sqlite",
  "usr/lib/sysimage/rpm/Packages",
]);

// catalog() and owns() see the same bytes one after the other: parse once.
const parsed = new WeakMap<Buffer, RpmPackage[]>();
function cached(file: CatalogFile, ctx: CatalogContext): RpmPackage[] {
  let pkgs = parsed.get(file.data);
  if (!pkgs) {
    pkgs = parseRpmDatabase(file.data, file.path, ctx);
    parsed.set(file.data, pkgs);
  }
  return pkgs;
}

export const rpmCataloger: ImageCataloger = {
  id: "rpm",
  osPackages: true,
  wants: (path) => RPMDB.has(path),
  catalog: (file, ctx) => cached(file, ctx).map(({ files: _f, ...p }) => p),
  owns: (file, ctx) => cached(file, ctx).flatMap((p) => p.files ?? []),
};
