import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { UsageError } from '../../core/errors.js';
import { generateScenario } from '../../generate/generate.js';
import { SCENARIOS } from '../../generate/scenarios/index.js';
import { progressOf } from '../progress.js';
import { count } from '../../core/progress.js';
import { shellQuote } from '../shell-quote.js';

function number(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${what}: "${v}" is not a number`);
    return n;
  };
}

export function registerGenerate(program: Command, io: Io): void {
  program
    .command('generate')
    .description('write a synthetic incident case: inputs in the real formats, case.yaml and truth.json')
    .option('--scenario <name>', 'scenario to generate (see --list)')
    .option('--seed <n>', 'seed of every random choice (default 1)', number('--seed'), 1)
    .option('--scale <n>', 'multiplier of background activity; 1 = about 50k runtime events (default 1)', number('--scale'), 1)
    .option('--out <dir>', 'case folder to create (must not exist or be empty)')
    .option('--list', 'describe each scenario and exit')
    .action((o) => {
      if (o.list) {
        for (const s of SCENARIOS) io.out(`${s.name}\n  ${s.description}\n`);
        return;
      }
      if (!o.scenario) throw new UsageError('generate needs --scenario NAME (or --list)');
      if (!o.out) throw new UsageError('generate needs --out DIR');
      const progress = progressOf(io);
      progress.begin(`generating ${o.scenario} (seed ${o.seed}, scale ${o.scale})`, undefined, 'items');
      const r = generateScenario({ scenario: o.scenario, seed: o.seed, scale: o.scale, outDir: o.out, onProgress: (done, total) => progress.tick(done, `${Math.round((done / total) * 100)}% of the simulated day`) });
      const c = r.counts;
      const n = (k: string): number => Number(c[k] ?? 0);
      progress.end(
        `generated ${r.scenario} (seed ${r.seed}, scale ${r.scale}) in ${r.outDir}: ${count(r.files.length, 'file')}, ` +
          `${n('tetragon_events')} tetragon + ${count(n('falco_alerts'), 'falco event')}, ${count(n('audit_lines'), 'audit line')}, ` +
          `${count(n('cloud_events'), 'cloud event')} (${n('cloud_events_not_logged')} not logged), ${count(n('malformed_lines'), 'malformed line')}`,
      );
      io.err(`next: podtrail ingest ${shellQuote(o.out)} ${shellQuote(path.join(o.out, 'inputs'))}\n`);
    });
}
