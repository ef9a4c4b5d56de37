import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { createClock } from '../../core/clock.js';
import { checkCase } from '../../check/check-case.js';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('run the gaps checks and write CASE/validation.json')
    .argument('<case>', 'case folder (correlated)')
    .option('--as-of <iso>', 'pin the clock for the custody entry (or PODTRAIL_AS_OF)')
    .action(async (caseDir, o) => {
      const v = await checkCase(caseDir, (line) => io.err(`${line}\n`), createClock(o.asOf));
      for (const c of v.checks) io.out(`${c.status.padEnd(7)} ${c.id}: ${c.findings.filter((f) => f['status'] === 'gap').length} gaps, ${c.findings.length} findings\n`);
      io.out(`${v.summary.gaps.length} gaps; validation.json written\n`);
    });
}
