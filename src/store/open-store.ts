import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api';
import { Store } from './store.js';

export interface OpenStoreOptions {
  /** Database file, or ':memory:'. */
  database: string;
  /** Directories DuckDB may read and write; everything else is refused. */
  allowedDirectories: string[];
  /** Spill directory (inside an allowed directory). */
  tempDirectory?: string;
  /** Most DuckDB may spill there (e.g. '4GB'); DuckDB's default is 90% of the free disk. */
  maxTempDirectorySize?: string;
  readOnly?: boolean;
  threads?: number;
  memoryLimit?: string;
  /**
   * Keep row order through operators (default). Ingest relies on it (row order = line order);
   * correlation orders its outputs explicitly and runs in less memory without it.
   */
  preserveInsertionOrder?: boolean;
}

/**
 * Opens DuckDB hardened, in this order (each step needs the previous one still open):
 * no extension autoinstall or autoload; time zone UTC for every connection (SET GLOBAL: a plain
 * SET changes one connection only); allowed_directories; then external access off (no network,
 * no file outside the allowed directories); then the configuration locked, so SQL that runs
 * later cannot undo any of it.
 */
export async function openStore(o: OpenStoreOptions): Promise<Store> {
  const config: Record<string, string> = {
    threads: String(o.threads ?? 2),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  };
  if (o.readOnly) config['access_mode'] = 'READ_ONLY';
  if (o.memoryLimit) config['memory_limit'] = o.memoryLimit;
  if (o.preserveInsertionOrder === false) config['preserve_insertion_order'] = 'false';
  const instance = await DuckDBInstance.create(o.database, config);
  const conn = await instance.connect();
  await harden(conn, o);
  return new Store(instance, conn);
}

async function harden(conn: DuckDBConnection, o: OpenStoreOptions): Promise<void> {
  const dirs = o.allowedDirectories.map((d) => path.resolve(d) + path.sep);
  await conn.run(`SET GLOBAL TimeZone = 'UTC'`);
  await conn.run(`SET GLOBAL allowed_directories = $dirs`, { dirs: listValue(dirs) });
  if (o.tempDirectory) {
    mkdirSync(o.tempDirectory, { recursive: true });
    await conn.run(`SET GLOBAL temp_directory = $dir`, { dir: o.tempDirectory });
  }
  if (o.maxTempDirectorySize) await conn.run(`SET GLOBAL max_temp_directory_size = $size`, { size: o.maxTempDirectorySize });
  await conn.run(`SET GLOBAL enable_external_access = false`);
  await conn.run(`SET GLOBAL lock_configuration = true`);
}
