// npm run bench:correlate [-- --scales 10,100 --seed 1 --dir DIR]
// For each scale: generates the mixed scenario, ingests it and correlates it, each step in its own
// process, and prints correlate time, its peak RSS, its ratio to the ingest time of the same case,
// and how correlate time grows from one scale to the next (1.0 = linear in the scale).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureNode, mb, sec, parseArgs } from './measure.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist/cli/index.js');
const args = parseArgs(process.argv.slice(2), { scales: '10,100', seed: '1', dir: '' });
const scales = args.scales.split(',').map(Number);
const base = args.dir || mkdtempSync(path.join(os.tmpdir(), 'podtrail-bench-correlate-'));
const rows = [];
try {
  for (const scale of scales) {
    const dir = path.join(base, `mixed-${args.seed}-${scale}`);
    let generate = null;
    if (!existsSync(path.join(dir, 'truth.json'))) {
      rmSync(dir, { recursive: true, force: true });
      process.stderr.write(`generating mixed scale ${scale}\n`);
      generate = measureNode([cli, 'generate', '--scenario', 'mixed', '--seed', args.seed, '--scale', String(scale), '--out', dir]);
    }
    rmSync(path.join(dir, 'lake'), { recursive: true, force: true });
    rmSync(path.join(dir, 'raw'), { recursive: true, force: true });
    for (const f of ['case.duckdb', 'case.duckdb.wal', 'custody.jsonl', 'validation.json']) rmSync(path.join(dir, f), { force: true });
    process.stderr.write(`ingesting scale ${scale}\n`);
    const ingest = measureNode([cli, 'ingest', dir, path.join(dir, 'inputs'), '--as-of', '2026-11-29T00:00:00Z']);
    process.stderr.write(`correlating scale ${scale}\n`);
    const correlate = measureNode([cli, 'correlate', dir]);
    const runtime = /(\d+) records landed/.exec(ingest.stderr)?.[1] ?? '?';
    rows.push({ scale, generate, ingest, correlate, runtime, attributions: /attributions (\d+)/.exec(correlate.stdout)?.[1] ?? '?' });
  }
} finally {
  if (!args.dir) rmSync(base, { recursive: true, force: true });
}
console.log(`mixed scenario, seed ${args.seed} (Node ${process.version}, ${os.cpus().length} cores)`);
console.log('scale'.padEnd(7) + 'records'.padStart(10) + 'attrib.'.padStart(9) + 'ingest'.padStart(10) + 'correlate'.padStart(11) + 'corr/ingest'.padStart(13) + 'corr RSS'.padStart(10) + 'growth'.padStart(9));
rows.forEach((r, i) => {
  const prev = rows[i - 1];
  const growth = prev ? (r.correlate.ms / prev.correlate.ms) / (r.scale / prev.scale) : null;
  console.log(
    String(r.scale).padEnd(7) + String(r.runtime).padStart(10) + String(r.attributions).padStart(9) + sec(r.ingest.ms).padStart(10) +
      sec(r.correlate.ms).padStart(11) + (r.correlate.ms / r.ingest.ms).toFixed(2).padStart(13) + mb(r.correlate.rssBytes).padStart(10) +
      (growth === null ? '-' : growth.toFixed(2)).padStart(9),
  );
});
for (const r of rows.filter((x) => x.generate)) console.log(`generate mixed scale ${r.scale}: ${sec(r.generate.ms)}, peak RSS ${mb(r.generate.rssBytes)} (target < 1 GB at scale 100)`);
console.log(`ingest peak RSS: ${rows.map((r) => `scale ${r.scale} ${mb(r.ingest.rssBytes)}`).join(', ')}`);
console.log('targets: correlate <= 2 x ingest, peak RSS <= 2 GB at scale 100, growth <= 1.0 (no worse than linear)');
