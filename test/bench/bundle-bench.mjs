// npm run bench:bundle [-- --scales 10,100 --scenario mixed --keep no --dir D --run-memory 4GB]
// For each scale: generates the scenario, ingests it (timed, not the subject), then measures in
// child processes the whole `podtrail run` (correlate + check + bundle) and a second `podtrail
// bundle` on its own (same case, fresh folder): wall time, peak RSS, bundle size and events.
// --dir D keeps the cases under D (D/<scenario>-1-<scale>, as bench:correlate) and reuses an ingested one; --run-memory sets
// PODTRAIL_MEMORY_LIMIT for `run` only (correlation of scale 100 needs more than the 1GB default).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureNode, mb, sec, parseArgs } from './measure.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const cli = path.join(root, 'dist', 'cli', 'index.js');
const key = path.join(root, 'fixtures', 'keys', 'TEST-ONLY-podtrail-test.key');
const args = parseArgs(process.argv.slice(2), { scales: '10,100', scenario: 'mixed', keep: 'no', dir: '', 'run-memory': '' });
const AS_OF = '2026-10-20T12:00:00Z';

function du(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const e of readdirSync(p)) total += du(path.join(p, e));
  return total;
}

const results = [];
for (const scale of args.scales.split(',').map(Number)) {
  // With --dir, the case folder is the one bench:correlate uses (D/<scenario>-1-<scale>), so the
  // two benchmarks share one generated and ingested case.
  const dir = args.dir || mkdtempSync(path.join(os.tmpdir(), `podtrail-bench-bundle-${scale}-`));
  const caseDir = args.dir ? path.join(dir, `${args.scenario}-1-${scale}`) : path.join(dir, 'case');
  const again = path.join(dir, `bundle-again-${scale}`);
  try {
    const reuse = existsSync(path.join(caseDir, 'lake', 'evidence_files'));
    const none = { ms: 0, rssBytes: 0 };
    const gen = reuse ? none : measureNode([cli, 'generate', '--scenario', args.scenario, '--seed', '1', '--scale', String(scale), '--out', caseDir]);
    const ing = reuse ? none : measureNode([cli, 'ingest', caseDir, path.join(caseDir, 'inputs'), '--operator', 'bench', '--as-of', AS_OF]);
    const runEnv = args['run-memory'] ? { PODTRAIL_MEMORY_LIMIT: args['run-memory'] } : {};
    const run = measureNode([cli, 'run', caseDir, '--key', key, '--operator', 'bench', '--as-of', AS_OF, '--force'], runEnv);
    rmSync(again, { recursive: true, force: true });
    const bun = measureNode([cli, 'bundle', caseDir, '--out', again, '--key', key, '--operator', 'bench', '--as-of', AS_OF]);
    const bundleDir = path.join(caseDir, 'bundle');
    const timeline = statSync(path.join(bundleDir, 'timeline.jsonl')).size;
    const events = Number(/timeline (\d+) events/.exec(run.stdout)?.[1] ?? 0);
    const phases = run.stderr.trim().split('\n').pop();
    const identical = readFileSync(path.join(bundleDir, 'SHA256SUMS'), 'utf8') === readFileSync(path.join(again, 'SHA256SUMS'), 'utf8');
    results.push({
      scale, events, inputs: du(path.join(caseDir, 'inputs')), lake: du(path.join(caseDir, 'lake')),
      gen: gen.ms, ingest: ing.ms, ingestRss: ing.rssBytes, run: run.ms, runRss: run.rssBytes, bundle: bun.ms, bundleRss: bun.rssBytes,
      size: du(bundleDir), timeline, phases, identical,
    });
    const r = results.at(-1);
    console.log(`scale ${scale}: ${r.events.toLocaleString('en-US')} timeline events; inputs ${mb(r.inputs)}, lake ${mb(r.lake)}; ${reuse ? 'case reused' : `generate ${sec(r.gen)}, ingest ${sec(r.ingest)} (peak RSS ${mb(r.ingestRss)})`}`);
    if (args['run-memory']) console.log(`  (run with PODTRAIL_MEMORY_LIMIT=${args['run-memory']}; bundle with the default)`);
    console.log(`  podtrail run:    ${sec(r.run)}  peak RSS ${mb(r.runRss)}   [${r.phases}]`);
    console.log(`  podtrail bundle: ${sec(r.bundle)}  peak RSS ${mb(r.bundleRss)}   bundle ${mb(r.size)} (timeline.jsonl ${mb(r.timeline)}); second bundle identical: ${r.identical ? 'yes' : 'NO'}`);
  } finally {
    if (args.keep !== 'yes' && !args.dir) rmSync(dir, { recursive: true, force: true });
    else rmSync(again, { recursive: true, force: true });
  }
}

console.log(`\n${args.scenario} scenario (Node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})`);
console.log('scale'.padEnd(7) + 'events'.padStart(12) + 'run'.padStart(10) + 'run RSS'.padStart(10) + 'bundle'.padStart(10) + 'bundle RSS'.padStart(12) + 'size'.padStart(10));
for (const r of results) {
  console.log(String(r.scale).padEnd(7) + r.events.toLocaleString('en-US').padStart(12) + sec(r.run).padStart(10) + mb(r.runRss).padStart(10) + sec(r.bundle).padStart(10) + mb(r.bundleRss).padStart(12) + mb(r.size).padStart(10));
}
const big = results.find((r) => r.scale === 100);
if (big) console.log(`podtrail run at scale 100: ${sec(big.run)} (target < 120 s on 2 cores)`);
