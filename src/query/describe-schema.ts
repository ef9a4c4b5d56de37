import { casePaths } from '../case/case-paths.js';
import { loadCaseConfig } from '../case/case-config.js';
import { UsageError, InternalError } from '../core/errors.js';
import { openCaseStore } from '../store/case-store.js';
import { allTableDocs, renderTableDoc } from '../lake/schema-doc.js';

/**
 * The documented schema of a case: every table and view with column types and meanings.
 * Checked against the case database, so the text can never drift from what a query sees.
 */
export async function describeCaseSchema(caseDir: string, name?: string): Promise<string> {
  const p = casePaths(caseDir);
  loadCaseConfig(p.config);
  const docs = allTableDocs();
  const chosen = name === undefined ? docs : docs.filter((t) => t.name === name);
  if (chosen.length === 0) throw new UsageError(`no table or view named "${name}" (known: ${docs.map((t) => t.name).join(', ')})`);
  const store = await openCaseStore(p, { write: false });
  try {
    for (const t of chosen) {
      const rows = await store.rows<{ column_name: string; data_type: string }>(`select column_name, data_type from information_schema.columns where table_name = $t order by ordinal_position`, { t: t.name });
      const actual = rows.map((r) => `${r.column_name} ${r.data_type}`).join(', ');
      const documented = t.columns.map((c) => `${c.name} ${c.type}`).join(', ');
      if (actual !== documented) throw new InternalError(`schema of ${t.name} differs from its documentation:\n  case:       ${actual}\n  documented: ${documented}`);
    }
  } finally {
    store.close();
  }
  return chosen.map(renderTableDoc).join('\n');
}
