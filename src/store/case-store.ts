import { existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { CasePaths } from '../case/case-paths.js';
import { openStore, type OpenStoreOptions } from './open-store.js';
import type { Store } from './store.js';
import { refreshLakeViews, sqlTreeFiles } from './lake-views.js';
import { loadCaseConfig } from '../case/case-config.js';
import { evidenceFilesParquet } from '../lake/lake-files.js';
import { TOOL_ID } from '../core/version.js';
import { readEvidenceFiles } from './catalog.js';
import { mayNeedRecovery, recoverCase } from '../case/recover-case.js';
import { openSnapshotStore } from './snapshot.js';
import { CaseBusyError, lockHolder, tryLockCase } from '../case/case-lock.js';
import { caseDatabaseError } from './case-errors.js';

/**
 * DuckDB's memory ceiling for podtrail's own work (spills go to CASE/.tmp): 1 GB for ingest and
 * queries; correlation holds its intermediate tables in memory and gets 1.5 GB. PODTRAIL_MEMORY_LIMIT
 * overrides both.
 */
export const MEMORY_LIMIT = process.env['PODTRAIL_MEMORY_LIMIT'] ?? '1GB';
export const CORRELATE_MEMORY_LIMIT = process.env['PODTRAIL_MEMORY_LIMIT'] ?? '1.5GB';

let sqlTreeHash: string | null = null;

/**
 * What the views of case.duckdb were built from, in two parts. The lake part (the case's absolute
 * path, its catalog, case.yaml) decides the lake views and case tables; the SQL part (the sql/
 * files and the tool version) decides the views of sql/. DuckDB binds a view when it is queried, so
 * rewriting the lake views leaves the sql/ views valid; each part is rewritten only when it changed.
 */
function fingerprints(p: CasePaths): { lake: string; sql: string } {
  if (sqlTreeHash === null) {
    const h = createHash('sha256');
    for (const f of sqlTreeFiles()) h.update(f).update(readFileSync(f));
    sqlTreeHash = h.digest('hex');
  }
  const catalog = evidenceFilesParquet(p.lake);
  const st = existsSync(catalog) ? statSync(catalog) : null;
  const lake = createHash('sha256')
    .update(p.root)
    .update(st ? `${st.size}:${st.mtimeMs}` : 'no-catalog')
    .update(readFileSync(p.config))
    .digest('hex');
  return { lake, sql: createHash('sha256').update(sqlTreeHash).update(TOOL_ID).digest('hex') };
}

async function storedFingerprints(store: Store): Promise<{ lake: string | null; sql: string | null }> {
  // no such column: no table, or one written before the sql fingerprint existed
  const cols = await store.rows<{ n: number }>(`select count(*)::INT as n from information_schema.columns where table_name = 'podtrail_views' and column_name = 'sql_fingerprint'`);
  if (cols[0]?.n !== 1) return { lake: null, sql: null };
  const r = await store.rows<{ lake_fingerprint: string | null; sql_fingerprint: string | null }>(`select lake_fingerprint, sql_fingerprint from podtrail_views`);
  return { lake: r[0]?.lake_fingerprint ?? null, sql: r[0]?.sql_fingerprint ?? null };
}

/** True when the views of case.duckdb were built from what the case holds now. */
async function viewsCurrent(store: Store, p: CasePaths): Promise<boolean> {
  const want = fingerprints(p);
  const have = await storedFingerprints(store);
  return have.lake === want.lake && have.sql === want.sql;
}

/** Rewrites the lake views and case tables, and the sql/ views, when their part changed. */
export async function ensureViews(store: Store, p: CasePaths): Promise<void> {
  const want = fingerprints(p);
  const have = await storedFingerprints(store);
  const lakeStale = have.lake !== want.lake;
  const sqlStale = have.sql !== want.sql;
  if (!lakeStale && !sqlStale) return;
  await refreshLakeViews(store, p.lake, loadCaseConfig(p.config), { applySql: sqlStale });
  await store.run(`create or replace table podtrail_views as select $lake as lake_fingerprint, $sql as sql_fingerprint`, want);
}

export interface OpenCaseOptions {
  /** The caller holds the case lock (lockCase) and writes; else an analyst's read-only open. */
  write: boolean;
  memoryLimit?: string;
  preserveInsertionOrder?: boolean;
  /** Notes (recovery after an interruption); default stderr. */
  log?: (line: string) => void;
  /** A read-only analyst open: what DuckDB may read and where it may spill (set before the configuration is locked). */
  analyst?: AnalystLimits;
}

export type AnalystLimits = Pick<OpenStoreOptions, 'allowedDirectories' | 'tempDirectory' | 'maxTempDirectorySize'>;

const stderrLog = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/**
 * Opens case.duckdb hardened to the case folder. A DuckDB file lock held by another process is
 * refused with the case-lock message naming the holder; a database file that is not one names
 * the file and how to rebuild it (see caseDatabaseError).
 */
async function openCaseDatabase(p: CasePaths, o: { readOnly?: boolean; memoryLimit?: string; preserveInsertionOrder?: boolean; analyst?: AnalystLimits }): Promise<Store> {
  try {
    return await openStore({
      database: p.database,
      allowedDirectories: [p.root],
      tempDirectory: p.tmp,
      memoryLimit: o.memoryLimit ?? MEMORY_LIMIT,
      preserveInsertionOrder: o.preserveInsertionOrder ?? true,
      readOnly: o.readOnly,
      ...o.analyst,
    });
  } catch (e) {
    throw caseDatabaseError(p, e);
  }
}

/** Settles what an interrupted writer left (custody roll-forward, orphans) and refreshes the views. */
async function settle(store: Store, p: CasePaths, log: (line: string) => void): Promise<void> {
  const catalog = await readEvidenceFiles(store, p.lake);
  for (const note of recoverCase(p, catalog)) log(note);
  await ensureViews(store, p);
}

/**
 * Opens a case's database. Every command settles the case first (recoverCase): a pending custody
 * roll-forward is completed (or dropped) before anything reads or extends the custody log, so
 * nothing is ever bundled or appended over a log that misses an ingest's entries. A writable open
 * (the caller holds the case lock) then (re)writes the lake views with this case's absolute paths
 * and applies sql/ when anything they depend on changed, so a moved or copied case heals. A
 * read-only open (analyst queries) takes the case lock for that, then opens read-only. While a
 * command writes to the case (or another process holds case.duckdb and its views are stale), a
 * reader says so and reads the case's last committed state (store/snapshot.ts) instead.
 */
export async function openCaseStore(p: CasePaths, o: OpenCaseOptions): Promise<Store> {
  const log = o.log ?? stderrLog;
  if (o.write) {
    const rw = await openCaseDatabase(p, o);
    try {
      await settle(rw, p, log);
    } catch (e) {
      rw.close();
      throw e;
    }
    return rw;
  }
  const unlock = tryLockCase(p.lock);
  if (unlock === null) {
    const holder = lockHolder(p.lock) ?? { pid: 0, command: 'another podtrail command' };
    log(`${holder.command} (pid ${holder.pid}) is writing to the case: reading its last committed state (the lake partitions its catalog lists, the correlation and check tables of the last correlate and check)`);
    return openSnapshotStore(p, MEMORY_LIMIT, o.analyst);
  }
  try {
    let rw: Store;
    try {
      rw = await openCaseDatabase(p, {});
    } catch (e) {
      if (!(e instanceof CaseBusyError)) throw e;
      // another process reads case.duckdb (a shell, a DuckDB client): read beside it when nothing is
      // left to settle and its views are current, else from the last committed state
      try {
        const ro = await openCaseDatabase(p, { readOnly: true, analyst: o.analyst });
        if (!mayNeedRecovery(p) && (await viewsCurrent(ro, p))) return ro;
        ro.close();
      } catch (e2) {
        if (!(e2 instanceof CaseBusyError)) throw e2;
      }
      log(`${e.message.replace(/; wait for it.*$/, '')}: reading the case's last committed state instead`);
      return openSnapshotStore(p, MEMORY_LIMIT, o.analyst);
    }
    try {
      await settle(rw, p, log);
    } finally {
      rw.close();
    }
    // opened before the case lock is released: a writer that starts now finds this reader named
    return await openCaseDatabase(p, { readOnly: true, analyst: o.analyst });
  } finally {
    unlock();
  }
}
