import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { quotedIdentifier, quotedString } from '@duckdb/node-api';
import type { Store } from './store.js';
import { LAKE_TABLES, type TableDoc } from '../lake/schema.js';
import { committedParquetFiles, evidenceFilesParquet } from '../lake/lake-files.js';
import { PACKAGE_ROOT } from '../core/version.js';
import type { CaseConfig } from '../case/case-config.js';
import { writeCaseTables } from './case-tables.js';
import { catalogError } from './catalog.js';
import { CORRELATION_TABLES } from '../lake/correlation-schema.js';

export const SQL_DIR = path.join(PACKAGE_ROOT, 'sql');

/** Typed empty relation for a table that has no file yet. */
function emptySelect(t: TableDoc): string {
  return `select ${t.columns.map((c) => `null::${c.type} as ${quotedIdentifier(c.name)}`).join(', ')} where false`;
}

function parquetSelect(t: TableDoc, files: string[], present?: ReadonlySet<string>): string {
  // a column a catalog written by an earlier version lacks reads as NULL
  const cols = t.columns
    .map((c) => (present && !present.has(c.name) ? `null::${c.type}` : `${quotedIdentifier(c.name)}::${c.type}`) + ` as ${quotedIdentifier(c.name)}`)
    .join(', ');
  const list = `[${files.map((f) => quotedString(f)).join(', ')}]`;
  return `select ${cols} from read_parquet(${list}, hive_partitioning = false, union_by_name = true)`;
}

/** Evidence ids the catalog (lake/evidence_files) lists. */
export async function committedEvidenceIds(store: Store, lakeDir: string): Promise<Set<string>> {
  const file = evidenceFilesParquet(lakeDir);
  if (!existsSync(file)) return new Set();
  try {
    const rows = await store.rows<{ evidence_file_id: string }>(`select evidence_file_id from read_parquet(${quotedString(file)})`);
    return new Set(rows.map((r) => r.evidence_file_id));
  } catch (e) {
    throw catalogError(file, e);
  }
}

/**
 * (Re)creates one view per lake table over its committed Parquet files, with absolute paths, so the
 * case database opens in any DuckDB client from any working directory; a moved case heals on the
 * next podtrail command. Writes case.yaml into the case tables, creates the correlation tables
 * empty when correlate has not run yet (so views over them bind), then applies sql/ (macros and
 * the correlation views) in lexical order.
 */
export async function refreshLakeViews(store: Store, lakeDir: string, config?: CaseConfig, o: { applySql: boolean } = { applySql: true }): Promise<void> {
  if (config) await writeCaseTables(store, config);
  await createMissingCorrelationTables(store);
  const ids = await committedEvidenceIds(store, lakeDir);
  const duplicates = committedParquetFiles(lakeDir, 'ingest_duplicates', ids);
  for (const t of LAKE_TABLES) {
    const files = t.name === 'evidence_files'
      ? (existsSync(evidenceFilesParquet(lakeDir)) ? [evidenceFilesParquet(lakeDir)] : [])
      : committedParquetFiles(lakeDir, t.name, ids);
    const present = t.name === 'evidence_files' && files.length > 0
      ? new Set((await store.rows<{ name: string }>(`select name from parquet_schema(${quotedString(files[0]!)})`)).map((r) => r.name))
      : undefined;
    let body = files.length > 0 ? parquetSelect(t, files, present) : emptySelect(t);
    // a copy a later S3 log file replaced stays in its partition and is listed in ingest_duplicates
    if (t.name === 'cloud_events' && files.length > 0 && duplicates.length > 0) {
      body = `select * from (${body}) where row_id not in (select row_id from read_parquet([${duplicates.map((f) => quotedString(f)).join(', ')}]))`;
    }
    await store.run(`create or replace view ${quotedIdentifier(t.name)} as ${body}`);
  }
  if (o.applySql) await applySqlTree(store);
}

/** Typed empty correlation tables, so views that read them bind before the first correlate. */
async function createMissingCorrelationTables(store: Store): Promise<void> {
  const existing = new Set(
    (await store.rows<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE'`)).map((r) => r.table_name),
  );
  for (const t of CORRELATION_TABLES) {
    if (existing.has(t.name)) continue;
    await store.run(`create table ${quotedIdentifier(t.name)} (${t.columns.map((c) => `${quotedIdentifier(c.name)} ${c.type}`).join(', ')})`);
  }
}

/**
 * sql/ files outside sql/20_land/: layer folders (00_macros, 30_intermediate, 40_marts, ...) in lexical
 * order; inside a folder, each file (named after the object it creates) after the files of the same
 * folder it reads, ties in lexical order. A view reading a later layer still fails to bind.
 */
export function sqlTreeFiles(root = SQL_DIR): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir).sort();
    const files = entries.filter((n) => n.endsWith('.sql')).map((n) => path.join(dir, n));
    out.push(...orderByReferences(files));
    for (const name of entries) {
      const p = path.join(dir, name);
      if (name === '20_land' || name.includes('.') || !existsSync(p)) continue;
      walk(p);
    }
  };
  walk(root);
  return out;
}

/** For each sql/ file, the files among `files` whose object (the file's name) its text names. */
export function sqlReferences(files: readonly string[]): Map<string, string[]> {
  const name = (f: string): string => path.basename(f, '.sql');
  const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  return new Map(files.map((f) => [f, files.filter((g) => g !== f && new RegExp(`\\b${name(g)}\\b`).test(text.get(f)!))]));
}

function orderByReferences(files: string[]): string[] {
  const name = (f: string): string => path.basename(f, '.sql');
  const deps = sqlReferences(files);
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (f: string, stack: string[]): void => {
    if (done.has(f)) return;
    if (stack.includes(f)) throw new Error(`sql/: circular reference ${[...stack, f].map(name).join(' -> ')}`);
    for (const d of deps.get(f)!) visit(d, [...stack, f]);
    done.add(f);
    out.push(f);
  };
  for (const f of files) visit(f, []);
  return out;
}

/**
 * Applies sql/ in order. Creating a view binds its query, and binding expands every view it reads,
 * recursively: over the attribution chain that cost grew with every layer (minutes on an empty
 * case). So each view, once created, is shadowed by an empty temp table of the same columns, and
 * the next views bind against those in constant time; the shadows are dropped at the end. The
 * stored views are the same SQL text; they bind against each other when a query reads them.
 */
export async function applySqlTree(store: Store, root = SQL_DIR): Promise<void> {
  const shadows: string[] = [];
  try {
    for (const f of sqlTreeFiles(root)) {
      await store.applySqlFile(f, path.relative(PACKAGE_ROOT, f));
      if (path.basename(path.dirname(f)) === '00_macros') continue;
      const id = quotedIdentifier(path.basename(f, '.sql'));
      await store.run(`create temp table ${id} as select * from main.${id} limit 0`);
      shadows.push(id);
    }
  } finally {
    for (const id of shadows.reverse()) await store.run(`drop table if exists temp.${id}`);
  }
}

export async function applyMacros(store: Store): Promise<void> {
  const dir = path.join(SQL_DIR, '00_macros');
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.sql')) await store.applySqlFile(path.join(dir, f), `sql/00_macros/${f}`);
}
