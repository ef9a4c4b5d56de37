// Benchmark: podtrail query streaming a large result in every text format, against DuckDB's own
// COPY of the same SELECT to CSV measured in the same run (the baseline: no JS in the row path).
// Prints time, rows/s, the ratio to the baseline and each process's peak RSS.
//   node test/bench/query-bench.mjs [--rows 30000000] [--formats ndjson,csv,json,table]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureNode, mb, sec, parseArgs } from './measure.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js');
const args = parseArgs(process.argv.slice(2), { rows: '30000000', formats: 'ndjson,csv,json,table' });
const rows = Number(args.rows);
const work = mkdtempSync(path.join(os.tmpdir(), 'podtrail-query-bench-'));
const caseDir = path.join(work, 'case');
const SQL = `select range as n, range * 1.5 as d, range % 2 = 0 as even, '2026-10-20'::TIMESTAMP + to_microseconds(range) as ts,
  'pod-' || (range % 1000)::VARCHAR as pod, md5(range::VARCHAR) as id from range(${rows})`;

try {
  measureNode([CLI, 'init', caseDir, '--from', '2026-10-20T00:00:00Z', '--to', '2026-10-21T00:00:00Z']);
  const baselineScript = path.join(work, 'baseline.mjs');
  writeFileSync(baselineScript, `import { DuckDBInstance } from '${path.join(ROOT, 'node_modules', '@duckdb', 'node-api', 'lib', 'index.js')}';
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await inst.connect();
await c.run(\`copy (${SQL.replace(/`/g, '\\`')}) to '/dev/null' (format csv)\`);\n`);
  const base = measureNode([baselineScript]);
  console.log(`rows ${rows.toLocaleString('en-US')}; baseline DuckDB COPY to CSV: ${sec(base.ms)}, peak RSS ${mb(base.rssBytes)}`);
  console.log('| format | time | rows/s | ratio to baseline | peak RSS |');
  console.log('|---|---|---|---|---|');
  for (const format of args.formats.split(',')) {
    const out = path.join(work, `out.${format}`);
    const r = measureNode([CLI, 'query', caseDir, SQL, '--format', format, '--out', out, '--timeout', '0']);
    console.log(`| ${format} | ${sec(r.ms)} | ${Math.round(rows / (r.ms / 1000)).toLocaleString('en-US')} | ${(r.ms / base.ms).toFixed(1)} | ${mb(r.rssBytes)} |`);
    rmSync(out, { force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
