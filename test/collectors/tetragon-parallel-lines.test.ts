import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeCase, ingest, query, tempDir } from '../helpers/case.js';

/**
 * The fast path of a row-per-record source reads in parallel and numbers rows by their position
 * (src/store/land.ts, landPositional). A file large enough for DuckDB to read in many buffers must
 * still give every row its own line: each line carries its number in `arguments` and `pid`.
 */
function line(n: number): string {
  const t = `2024-08-28T21:${String(30 + (Math.floor(n / 60) % 30)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.${String(n).padStart(9, '0')}Z`;
  const time = n % 997 === 0 ? '2020-01-01T00:00:00Z' : t; // out of the window
  const event = {
    process_exec: {
      process: {
        exec_id: Buffer.from(`node-a:${n}:${n}`).toString('base64'),
        pid: n,
        uid: 0,
        binary: '/usr/bin/curl',
        arguments: `-s https://example.invalid/line/${n} ${'x'.repeat(n % 400)}`,
        start_time: t,
        pod: { namespace: 'web', name: 'web-1', container: { id: 'containerd://abc', name: 'web', image: { id: 'nginx@sha256:' + 'ab'.repeat(32), name: 'nginx:1' } } },
      },
    },
    node_name: 'node-a',
    ...(n % 1499 === 0 ? {} : { time }), // no time at all: missing_timestamp (start_time is the exec's fallback, so drop it too)
  };
  if (n % 1499 === 0) delete (event.process_exec.process as { start_time?: string }).start_time;
  return JSON.stringify(event);
}

describe('tetragon: the parallel fast path', () => {
  it('200,000 lines (140 MB) read in parallel: every landed row, out-of-window count and reject keeps its own line', async () => {
    const tmp = tempDir();
    const { caseDir, cleanup } = makeCase({ from: '2024-08-28T21:00:00Z', to: '2024-08-28T22:00:00Z' });
    try {
      const N = 200_000;
      const file = path.join(tmp.dir, 'big.json');
      writeFileSync(file, Array.from({ length: N }, (_, i) => line(i + 1)).join('\n') + '\n');
      const r = await ingest(caseDir, [file]);
      expect(r.files[0]!.landing!.readPath).toBe('fast-parallel');
      const outOfWindow = Math.floor(N / 997) - Math.floor(N / (997 * 1499));
      const missing = Math.floor(N / 1499);
      expect([r.files[0]!.landing!.landed, r.files[0]!.landing!.outOfWindow, r.files[0]!.landing!.rejected]).toEqual([N - outOfWindow - missing, outOfWindow, missing]);
      const wrong = await query(
        caseDir,
        `select row_id, line, pid, arguments from runtime_events
          where line <> pid or arguments not like '-s https://example.invalid/line/' || line || ' %'
             or row_id <> evidence_file_id || '-' || lpad(line::VARCHAR, 8, '0')
          limit 5`,
      );
      expect(wrong).toEqual([]);
      const [landed] = await query(caseDir, `select count(*) as n, count(distinct line) as lines from runtime_events`);
      expect(landed).toEqual({ n: String(N - outOfWindow - missing), lines: String(N - outOfWindow - missing) });
      const rejects = await query(caseDir, `select line, reason from ingest_rejects order by line`);
      expect(rejects).toEqual(Array.from({ length: missing }, (_, i) => ({ line: String(1499 * (i + 1)), reason: 'missing_timestamp' })));
    } finally {
      cleanup();
      tmp.cleanup();
    }
  });
});
