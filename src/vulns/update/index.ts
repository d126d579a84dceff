import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { VulnDb } from "../db/store.js";
import { type ImportResult, importPath } from "../importers/index.js";
import type { Feed } from "./feeds.js";
import { type DownloadOptions, download } from "./http.js";

export interface UpdateOptions {
  now: Date;
  env?: NodeJS.ProcessEnv;
  /** Replaceable transport (tests use the real one against a local server). */
  fetchTo?: (url: string, dest: string, opts: DownloadOptions) => Promise<number>;
  onFeedStart?: (feed: Feed, index: number, count: number) => void;
  onBytes?: (feed: Feed, received: number, total: number | undefined) => void;
  onFeedDone?: (feed: Feed, result: ImportResult) => void;
}

export class UpdateError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The temporary files an update works in: beside the live database, so the final rename is atomic. */
function tempPath(dbPath: string): string {
  return `${dbPath}.update-${process.pid}.tmp`;
}

/** Removes work files left by updates that crashed (their process is gone). */
export function cleanStaleUpdates(dbPath: string): void {
  const dir = dirname(dbPath);
  if (!existsSync(dir)) return;
  const prefix = `${basename(dbPath)}.update-`;
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(prefix)) continue;
    const pid = Number(/^\.?update-(\d+)/.exec(f.slice(basename(dbPath).length))?.[1]);
    let alive = false;
    try {
      if (pid && pid !== process.pid) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(dir, f), { force: true });
  }
}

/**
 * Downloads every feed and builds a new database beside the live one, then renames it into place.
 * Any failure (or a crash) leaves the live database as it was; a failed feed fails the whole update.
 */
export async function updateDb(
  dbPath: string,
  feeds: readonly Feed[],
  opts: UpdateOptions,
): Promise<ImportResult[]> {
  cleanStaleUpdates(dbPath);
  const tmp = tempPath(dbPath);
  const dl = `${tmp}.download`;
  rmSync(tmp, { force: true });
  const fetchTo = opts.fetchTo ?? download;
  const results: ImportResult[] = [];
  let db: VulnDb | undefined;
  try {
    db = VulnDb.open(tmp, { create: true });
    for (const [i, feed] of feeds.entries()) {
      opts.onFeedStart?.(feed, i, feeds.length);
      try {
        await fetchTo(feed.url, dl, {
          ...(opts.env ? { env: opts.env } : {}),
          onBytes: (r, t) => opts.onBytes?.(feed, r, t),
        });
      } catch (e) {
        throw new UpdateError(
          (e as { code?: string }).code ?? "download-failed",
          `feed ${feed.name}: ${(e as Error).message}`,
        );
      }
      const r = await importPath(db, dl, {
        now: opts.now,
        kind: feed.kind,
        ...(feed.distro ? { distro: feed.distro } : {}),
      });
      // Name the source after the feed, not after the temporary download file.
      db.db.prepare("DELETE FROM sources WHERE name = ?").run(r.source);
      r.source = feed.name;
      r.location = feed.url;
      db.recordSource({
        name: feed.name,
        kind: feed.kind,
        location: feed.url,
        importedAt: opts.now.toISOString(),
        records: r.records,
        skipped: r.skipped,
      });
      results.push(r);
      opts.onFeedDone?.(feed, r);
      rmSync(dl, { force: true });
    }
    db.setMeta("last_update", opts.now.toISOString());
    db.close();
    db = undefined;
    renameSync(tmp, dbPath);
    return results;
  } catch (e) {
    db?.close();
    rmSync(tmp, { force: true });
    rmSync(`${tmp}-journal`, { force: true });
    throw e;
  } finally {
    rmSync(dl, { force: true });
  }
}
