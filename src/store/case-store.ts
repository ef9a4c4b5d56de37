import { existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { CasePaths } from '../case/case-paths.js';
import { openStore, type OpenStoreOptions } from './open-store.js';
import type { Store } from './store.js';
import { refreshLakeViews, sqlTreeFiles } from './lake-views.js';
import { loadCaseConfig } from '../case/case-config.js';
import { evidenceFilesParquet } from '../lake/lake-files.js';
import { TOOL_ID } from '../core/version.js';

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
  const cols = await store.rows(`select count(*)::INT as n from information_schema.columns where table_name = 'podtrail_views' and column_name = 'sql_fingerprint'`);
  if (cols[0]?.['n'] !== 1) return { lake: null, sql: null };
  const r = await store.rows(`select lake_fingerprint, sql_fingerprint from podtrail_views`);
  return { lake: (r[0]?.['lake_fingerprint'] as string | undefined) ?? null, sql: (r[0]?.['sql_fingerprint'] as string | undefined) ?? null };
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

/**
 * Opens a case's database hardened to the case folder. A writable open first (re)writes the lake
 * views with this case's absolute paths and applies sql/ when anything they depend on changed, so a
 * moved or copied case heals; a read-only open (analyst queries) does that first, then reopens
 * read-only.
 */
export async function openCaseStore(
  p: CasePaths,
  o: { write: boolean; memoryLimit?: string; preserveInsertionOrder?: boolean; analyst?: Pick<OpenStoreOptions, 'allowedDirectories' | 'tempDirectory' | 'maxTempDirectorySize'> },
): Promise<Store> {
  const rw = await openStore({
    database: p.database,
    allowedDirectories: [p.root],
    tempDirectory: p.tmp,
    memoryLimit: o.memoryLimit ?? MEMORY_LIMIT,
    preserveInsertionOrder: o.preserveInsertionOrder ?? true,
  });
  try {
    await ensureViews(rw, p);
  } catch (e) {
    rw.close();
    throw e;
  }
  if (o.write) return rw;
  rw.close();
  return openStore({ database: p.database, allowedDirectories: [p.root], tempDirectory: p.tmp, memoryLimit: MEMORY_LIMIT, readOnly: true, ...o.analyst });
}
