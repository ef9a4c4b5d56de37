// npm run bench:ingest -- --events N
// Generates N Tetragon-shaped events, then measures on the same file, each in its own process:
// a plain copy (the custody cost), DuckDB's bare read_json-to-Parquet, and `podtrail ingest`.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTetragonEvents } from './tetragon-events.mjs';
import { measureNode, mb, sec, parseArgs } from './measure.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const args = parseArgs(process.argv.slice(2), { events: '500000', keep: 'no' });
const n = Number(args.events);
const dir = mkdtempSync(path.join(os.tmpdir(), 'podtrail-bench-ingest-'));
try {
  const file = path.join(dir, 'tetragon.json');
  await writeTetragonEvents(file, n);
  const bytes = statSync(file).size;

  const copy = measureNode(['-e', `require('fs').copyFileSync(${JSON.stringify(file)}, ${JSON.stringify(path.join(dir, 'copy.json'))})`]);
  rmSync(path.join(dir, 'copy.json'));
  const bare = measureNode([path.join(here, 'bare-duckdb.mjs'), file, path.join(dir, 'bare.parquet')]);
  const caseDir = path.join(dir, 'case');
  measureNode([path.join(root, 'dist/cli/index.js'), 'init', caseDir, '--from', '2026-10-20T08:00:00Z', '--to', '2026-10-21T00:00:00Z']);
  const pt = measureNode([path.join(root, 'dist/cli/index.js'), 'ingest', caseDir, file, '--as-of', '2026-11-29T00:00:00Z']);
  const phases = /acquire ([\d.]+) s, land ([\d.]+) s, commit ([\d.]+) s/.exec(pt.stderr);
  const lakeBytes = statSync(path.join(caseDir, 'lake')).isDirectory() ? duSync(path.join(caseDir, 'lake')) : 0;

  const rows = [
    ['step', 'time', 'events/s', 'peak RSS'],
    ['plain copy (cp)', sec(copy.ms), '', mb(copy.rssBytes)],
    ['DuckDB bare read_json -> Parquet', sec(bare.ms), Math.round(n / (bare.ms / 1000)).toLocaleString('en-US'), mb(bare.rssBytes)],
    ['podtrail ingest', sec(pt.ms), Math.round(n / (pt.ms / 1000)).toLocaleString('en-US'), mb(pt.rssBytes)],
  ];
  console.log(`events: ${n.toLocaleString('en-US')}  file: ${mb(bytes)}  lake: ${mb(lakeBytes)}  (Node ${process.version}, ${os.cpus().length} cores)`);
  for (const r of rows) console.log(r[0].padEnd(36) + r[1].padStart(10) + r[2].padStart(14) + r[3].padStart(12));
  if (phases) console.log(`podtrail phases: acquire (copy + hash + byte scan) ${phases[1]} s, land (parse + normalize + Parquet) ${phases[2]} s, commit ${phases[3]} s`);
  console.log(`ratio podtrail / (bare DuckDB + copy) = ${(pt.ms / (bare.ms + copy.ms)).toFixed(2)}  (target <= 1.3)`);
} finally {
  if (args.keep !== 'yes') rmSync(dir, { recursive: true, force: true });
}

function duSync(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const e of readdirSync(p)) total += duSync(path.join(p, e));
  return total;
}
