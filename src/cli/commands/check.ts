import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { createClock } from '../../core/clock.js';
import { checkCase } from '../../check/check-case.js';
import { progressOf } from '../progress.js';
import { count } from '../../core/progress.js';

export function registerCheck(program: Command, io: Io): void {
  program
    .command('check')
    .description('run the gaps checks and write CASE/validation.json')
    .argument('<case>', 'case folder (correlated)')
    .option('--as-of <iso>', 'pin the clock for the custody entry (or PODTRAIL_AS_OF)')
    .action(async (caseDir, o) => {
      const v = await checkCase(caseDir, progressOf(io), createClock(o.asOf));
      for (const c of v.checks) io.out(`${c.status.padEnd(7)} ${c.id}: ${count(c.findings.filter((f) => f['status'] === 'gap').length, 'gap')}, ${count(c.findings.length, 'finding')}\n`);
      io.out(`${count(v.summary.gaps.length, 'gap')}; validation.json written\n`);
    });
}
