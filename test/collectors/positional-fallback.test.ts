import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeCase } from '../helpers/case.js';
import { casePaths } from '../../src/case/case-paths.js';
import { openCaseStore } from '../../src/store/case-store.js';
import { SQL_DIR } from '../../src/store/lake-views.js';
import { acquireFile } from '../../src/acquire/acquire-file.js';
import { landFile } from '../../src/ingest/land-file.js';
import { tetragon } from '../../src/collectors/tetragon/index.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function line(n: number): string {
  return JSON.stringify({
    process_exec: { process: { exec_id: Buffer.from(`node-a:${n}:${n}`).toString('base64'), pid: n, binary: '/bin/true', arguments: `line ${n}`, start_time: '2024-08-28T21:30:00Z' } },
    node_name: 'node-a',
    time: `2024-08-28T21:30:00.${String(n).padStart(9, '0')}Z`,
  });
}

/**
 * A land SQL whose plan could reorder rows (an IN list of 5 values is planned as a join) must not
 * get positional ordinals: podtrail sees it on the plan and lands that file with row_number().
 */
describe('positional ordinals: the plan check', () => {
  it('a land SQL that could reorder rows falls back to row_number(), and every row keeps its line', async () => {
    const { caseDir, cleanup } = makeCase({ from: '2024-08-28T21:00:00Z', to: '2024-08-28T22:00:00Z' });
    cleanups.push(cleanup);
    const p = casePaths(caseDir);
    const work = path.join(p.root, 'work');
    mkdirSync(work, { recursive: true });
    const reordering = path.join(work, 'tetragon-with-join.sql');
    const base = readFileSync(path.join(SQL_DIR, '20_land', 'tetragon.sql'), 'utf8').replace(/;\s*$/, '');
    writeFileSync(reordering, `select * replace (case when kind in ('exec', 'exit', 'connect', 'other', 'x') then kind end as kind) from (\n${base}\n) as t`);
    const collector = { ...tetragon, targets: [{ table: 'runtime_events', sqlFile: path.relative(path.join(SQL_DIR, '20_land'), reordering) }] };
    const N = 50_000;
    const src = path.join(work, 'in.json');
    writeFileSync(src, Array.from({ length: N }, (_, i) => line(i + 1)).join('\n') + '\n');
    const acquired = await acquireFile(src, path.join(work, 'raw.json'), path.join(work, 'inflated'));
    const store = await openCaseStore(p, { write: true });
    try {
      const efid = acquired.sha256.slice(0, 16);
      const params = { evidence_file_id: efid, window_lo: '2024-08-28 20:00:00', window_hi: '2024-08-28 23:00:00', namespaces: [], snapshot_at: null, delivery_hint: null };
      for (const [c, expected] of [[collector, 'fast'], [tetragon, 'fast-parallel']] as const) {
        const staging = path.join(work, `staging-${expected}`);
        const landing = await landFile(store, acquired, c, 'lines', efid, staging, params);
        expect(landing.readPath).toBe(expected);
        expect(landing.landed).toBe(N);
        const wrong = await store.rows(
          `select row_id, line, arguments from read_parquet($glob) where arguments <> 'line ' || line or row_id <> $efid || '-' || lpad(line::VARCHAR, 8, '0') limit 3`,
          { glob: path.join(staging, 'runtime_events', '*', '*', '*.parquet'), efid },
        );
        expect(wrong).toEqual([]);
      }
    } finally {
      store.close();
    }
  });
});
