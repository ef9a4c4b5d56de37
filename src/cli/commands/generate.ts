import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { UsageError } from '../../core/errors.js';
import { generateScenario } from '../../generate/generate.js';
import { SCENARIOS } from '../../generate/scenarios/index.js';

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
      const r = generateScenario({ scenario: o.scenario, seed: o.seed, scale: o.scale, outDir: o.out });
      const c = r.counts;
      io.err(
        `generated ${r.scenario} (seed ${r.seed}, scale ${r.scale}) in ${r.outDir}: ${r.files.length} files, ` +
          `${c['tetragon_events']} tetragon + ${c['falco_alerts']} falco events, ${c['audit_lines']} audit lines, ` +
          `${c['cloud_events']} cloud events (${c['cloud_events_not_logged']} not logged), ${c['malformed_lines']} malformed lines\n`,
      );
    });
}
