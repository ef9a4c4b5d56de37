import { it } from 'vitest';
import { startAccount } from './aws-harness.js';
import { query } from '../helpers/case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
it('debug', async () => {
  const a = await startAccount();
  try {
    const r = await a.collect();
    console.log(a.logs.join('\n'));
    console.log(JSON.stringify({ ...r, ingest: r.ingest?.files.map((f) => `${f.status} ${f.source} ${f.origin} ${f.message}`) }, null, 1));
    await correlateCase(a.caseDir);
    console.log(JSON.stringify(await query(a.caseDir, `select object_kind, status, count(*)::INTEGER n from cloudtrail_validation group by all order by all`)));
  } finally { await a.cleanup(); }
});
