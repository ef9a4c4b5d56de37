import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { quotedIdentifier, quotedString } from '@duckdb/node-api';
import type { Store } from './store.js';
import { LAKE_TABLES, type TableDoc } from '../lake/schema.js';
import { committedParquetFiles, evidenceFilesParquet } from '../lake/lake-files.js';
import { PACKAGE_ROOT } from '../core/version.js';

export const SQL_DIR = path.join(PACKAGE_ROOT, 'sql');

/** Typed empty relation for a table that has no file yet. */
function emptySelect(t: TableDoc): string {
  return `select ${t.columns.map((c) => `null::${c.type} as ${quotedIdentifier(c.name)}`).join(', ')} where false`;
}

function parquetSelect(t: TableDoc, files: string[]): string {
  const cols = t.columns.map((c) => `${quotedIdentifier(c.name)}::${c.type} as ${quotedIdentifier(c.name)}`).join(', ');
  const list = `[${files.map((f) => quotedString(f)).join(', ')}]`;
  return `select ${cols} from read_parquet(${list}, hive_partitioning = false, union_by_name = true)`;
}

/** Evidence ids the catalog (lake/evidence_files) lists. */
export async function committedEvidenceIds(store: Store, lakeDir: string): Promise<Set<string>> {
  const file = evidenceFilesParquet(lakeDir);
  if (!existsSync(file)) return new Set();
  const rows = await store.rows(`select evidence_file_id from read_parquet(${quotedString(file)})`);
  return new Set(rows.map((r) => String(r['evidence_file_id'])));
}

/**
 * (Re)creates one view per lake table over its committed Parquet files, with absolute paths, so the
 * case database opens in any DuckDB client from any working directory; a moved case heals on the
 * next podtrail command. Then applies sql/ (macros and the correlation views) in lexical order.
 */
export async function refreshLakeViews(store: Store, lakeDir: string): Promise<void> {
  const ids = await committedEvidenceIds(store, lakeDir);
  for (const t of LAKE_TABLES) {
    const files = t.name === 'evidence_files'
      ? (existsSync(evidenceFilesParquet(lakeDir)) ? [evidenceFilesParquet(lakeDir)] : [])
      : committedParquetFiles(lakeDir, t.name, ids);
    const body = files.length > 0 ? parquetSelect(t, files) : emptySelect(t);
    await store.run(`create or replace view ${quotedIdentifier(t.name)} as ${body}`);
  }
  await applySqlTree(store);
}

/** sql/ files outside sql/land/, in lexical order of their paths (layer folders 00_, 10_, ...). */
export function sqlTreeFiles(root = SQL_DIR): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (name === 'land') continue;
      if (existsSync(p) && !name.includes('.')) walk(p);
      else if (name.endsWith('.sql')) out.push(p);
    }
  };
  walk(root);
  return out;
}

export async function applySqlTree(store: Store, root = SQL_DIR): Promise<void> {
  for (const f of sqlTreeFiles(root)) await store.applySqlFile(f, path.relative(PACKAGE_ROOT, f));
}

export async function applyMacros(store: Store): Promise<void> {
  const dir = path.join(SQL_DIR, '00_macros');
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.sql')) await store.applySqlFile(path.join(dir, f), `sql/00_macros/${f}`);
}
