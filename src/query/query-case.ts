import { casePaths } from '../case/case-paths.js';
import { loadCaseConfig } from '../case/case-config.js';
import { openCaseStore } from '../store/case-store.js';
import { runAnalystQuery, type QueryResult } from '../store/analyst-query.js';

/** Runs one analyst SELECT against a case, read-only and hardened to the case folder. */
export async function queryCase(caseDir: string, sql: string, params: Record<string, string>, limit?: number): Promise<QueryResult> {
  const p = casePaths(caseDir);
  loadCaseConfig(p.config);
  const store = await openCaseStore(p, { write: false });
  try {
    return await runAnalystQuery(store, sql, params, limit);
  } finally {
    store.close();
  }
}
