import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { quotedIdentifier, quotedString } from '@duckdb/node-api';
import type { CasePaths } from '../case/case-paths.js';
import { loadCaseConfig } from '../case/case-config.js';
import { CORRELATION_TABLES } from '../lake/correlation-schema.js';
import { writeFileDurably } from '../custody/custody-log.js';
import { applySqlTree, refreshLakeViews } from './lake-views.js';
import { openStore, type OpenStoreOptions } from './open-store.js';
import type { Store } from './store.js';

/**
 * DuckDB lets one process write a database file, or many read it, never both. So that analysts can
 * keep reading while a command writes, every commit of the correlation or check tables also
 * exports them to Parquet under CASE/snapshot/<generation>/, and CASE/snapshot/CURRENT names the
 * last complete generation (written last, through a rename). A reader that finds the case held
 * builds its own read-only database from that generation and the committed lake partitions.
 */
export function snapshotDir(p: CasePaths): string {
  return p.snapshot;
}

const CURRENT = 'CURRENT';

async function existingTables(store: Store): Promise<Set<string>> {
  const rows = await store.rows<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'main' and table_type = 'BASE TABLE'`);
  return new Set(rows.map((r) => r.table_name));
}

/** Exports the correlation and check tables of case.duckdb as the snapshot's next generation. */
export async function exportAnalysisSnapshot(store: Store, p: CasePaths): Promise<void> {
  const root = snapshotDir(p);
  const current = currentGeneration(p);
  const generation = `g${String((current ? Number(current.slice(1)) : 0) + 1).padStart(6, '0')}`;
  const dir = path.join(root, generation);
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const have = await existingTables(store);
  for (const t of CORRELATION_TABLES) {
    if (!have.has(t.name)) continue;
    await store.run(`copy (select * from ${quotedIdentifier(t.name)}) to ${quotedString(path.join(partial, `${t.name}.parquet`))} (format parquet, compression zstd)`);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  const previous = current;
  writeFileDurably(path.join(root, CURRENT), `${generation}\n`);
  // the generation before stays for readers that opened it a moment ago
  for (const g of readdirSync(root)) {
    if (g === CURRENT || g === generation || g === previous) continue;
    rmSync(path.join(root, g), { recursive: true, force: true });
  }
}

export function currentGeneration(p: CasePaths): string | null {
  const f = path.join(snapshotDir(p), CURRENT);
  if (!existsSync(f)) return null;
  const g = readFileSync(f, 'utf8').trim();
  return g && existsSync(path.join(snapshotDir(p), g)) ? g : null;
}

let readers = 0;

/**
 * A read-only database of the case's last committed state, for a reader while another process
 * holds case.duckdb: the lake views over the partitions the catalog lists now, the case tables from
 * case.yaml, the correlation and check tables from the snapshot's current generation (empty before
 * the first correlate), and sql/. Built in a file of its own under CASE/.tmp (removed on close).
 */
export async function openSnapshotStore(p: CasePaths, memoryLimit: string, analyst?: Pick<OpenStoreOptions, 'allowedDirectories' | 'tempDirectory' | 'maxTempDirectorySize'>): Promise<Store> {
  mkdirSync(p.tmp, { recursive: true });
  const file = path.join(p.tmp, `reader-${process.pid}-${++readers}.duckdb`);
  rmSync(file, { force: true });
  const remove = (): void => {
    rmSync(file, { force: true });
    rmSync(`${file}.wal`, { force: true });
  };
  const base = { allowedDirectories: [p.root], tempDirectory: p.tmp, memoryLimit };
  const build = await openStore({ ...base, database: file });
  try {
    await refreshLakeViews(build, p.lake, loadCaseConfig(p.config), { applySql: false });
    const generation = currentGeneration(p);
    if (generation !== null) {
      for (const t of CORRELATION_TABLES) {
        const parquet = path.join(snapshotDir(p), generation, `${t.name}.parquet`);
        if (!existsSync(parquet)) continue;
        await build.run(`create or replace table ${quotedIdentifier(t.name)} (${t.columns.map((c) => `${quotedIdentifier(c.name)} ${c.type}`).join(', ')})`);
        await build.run(`insert into ${quotedIdentifier(t.name)} by name select * from read_parquet(${quotedString(parquet)})`);
      }
    }
    await applySqlTree(build);
  } catch (e) {
    build.close();
    remove();
    throw e;
  }
  build.close();
  try {
    // an analyst's reader reads only the lake (the tables above are inside the database file)
    const store = await openStore({ ...base, ...analyst, database: file, readOnly: true });
    store.onClose(remove);
    return store;
  } catch (e) {
    remove();
    throw e;
  }
}
