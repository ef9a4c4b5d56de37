import { CaseSession } from './session.js';
import type { QueryResult } from '../store/analyst-query.js';

/** Runs one analyst SELECT against a case, read-only and hardened to the case folder. */
export async function queryCase(caseDir: string, sql: string, params: Record<string, string>, limit?: number): Promise<QueryResult> {
  const s = await CaseSession.open(caseDir);
  try {
    return await s.rows({ sql, params }, limit);
  } finally {
    s.close();
  }
}

/** Runs one hunt of queries/ against a case, with its --param values. */
export async function huntCase(caseDir: string, hunt: string, params: Record<string, string>, limit?: number): Promise<QueryResult> {
  const s = await CaseSession.open(caseDir);
  try {
    return await s.rows({ hunt, params }, limit);
  } finally {
    s.close();
  }
}
