import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { CasePaths } from '../case/case-paths.js';
import { openCaseStore } from './case-store.js';
import type { Store } from './store.js';

/**
 * Most one analyst statement may spill to disk (DuckDB's max_temp_directory_size): a sort or join
 * larger than memory spills inside the case up to this size, then fails with DuckDB's message
 * rather than fill the disk. PODTRAIL_QUERY_TEMP_LIMIT overrides it (e.g. 20GB).
 */
export const QUERY_TEMP_LIMIT = process.env['PODTRAIL_QUERY_TEMP_LIMIT'] ?? '4GB';

/** CASE/.tmp/query: one spill folder per analyst session, named <pid>-<random>. */
export function queryTempRoot(p: CasePaths): string {
  return path.join(p.tmp, 'query');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the spill folders of analyst sessions whose process is gone (killed before it could clean up). */
export function removeStaleQueryDirs(p: CasePaths): string[] {
  const root = queryTempRoot(p);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = /^(\d+)-[0-9a-f]+$/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * A case opened for analyst SQL: read-only, and DuckDB may read only the lake (never raw/, which
 * holds the evidence before redaction) and write only its own spill folder inside the case, with
 * a size limit. Both are set before the configuration is locked. close() removes the spill folder.
 */
export interface AnalystStore {
  store: Store;
  tempDir: string;
  /** Stops the statement running on the connection (DuckDB's interrupt); safe when none runs. */
  interrupt(): void;
  close(): void;
}

export async function openAnalystStore(p: CasePaths): Promise<AnalystStore> {
  removeStaleQueryDirs(p);
  const tempDir = path.join(queryTempRoot(p), `${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tempDir, { recursive: true });
  let store: Store;
  try {
    store = await openCaseStore(p, { write: false, analyst: { allowedDirectories: [p.lake, tempDir], tempDirectory: tempDir, maxTempDirectorySize: QUERY_TEMP_LIMIT } });
  } catch (e) {
    rmSync(tempDir, { recursive: true, force: true });
    throw e;
  }
  let closed = false;
  return {
    store,
    tempDir,
    interrupt: () => {
      if (!closed) store.conn.interrupt();
    },
    close: () => {
      if (closed) return;
      closed = true;
      try {
        store.close();
      } finally {
        rmSync(tempDir, { recursive: true, force: true });
      }
    },
  };
}
