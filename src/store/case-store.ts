import type { CasePaths } from '../case/case-paths.js';
import { openStore } from './open-store.js';
import type { Store } from './store.js';
import { refreshLakeViews } from './lake-views.js';
import { loadCaseConfig } from '../case/case-config.js';

/** DuckDB's memory ceiling for podtrail's own work; spills go to CASE/.tmp. */
export const MEMORY_LIMIT = process.env['PODTRAIL_MEMORY_LIMIT'] ?? '1GB';

/**
 * Opens a case's database hardened to the case folder. A writable open first (re)writes the lake
 * views with this case's absolute paths and applies sql/, so a moved or copied case heals; a
 * read-only open (analyst queries) does that refresh first and then reopens read-only.
 */
export async function openCaseStore(p: CasePaths, o: { write: boolean }): Promise<Store> {
  const rw = await openStore({ database: p.database, allowedDirectories: [p.root], tempDirectory: p.tmp, memoryLimit: MEMORY_LIMIT });
  try {
    await refreshLakeViews(rw, p.lake, loadCaseConfig(p.config));
  } catch (e) {
    rw.close();
    throw e;
  }
  if (o.write) return rw;
  rw.close();
  return openStore({ database: p.database, allowedDirectories: [p.root], tempDirectory: p.tmp, memoryLimit: MEMORY_LIMIT, readOnly: true });
}
