import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { createClock } from '../../core/clock.js';
import { correlateCase, CORRELATION_TABLE_NAMES } from '../../correlate/correlate-case.js';
import { progressOf } from '../progress.js';

export function registerCorrelate(program: Command, io: Io): void {
  program
    .command('correlate')
    .description('materialize pod lifecycle, credential sessions, clock offsets and an attribution for every cloud call')
    .argument('<case>', 'case folder')
    .option('--as-of <iso>', 'pin the clock for the custody entry (or PODTRAIL_AS_OF)')
    .action(async (caseDir, o) => {
      const r = await correlateCase(caseDir, progressOf(io), createClock(o.asOf));
      io.out(`${CORRELATION_TABLE_NAMES.map((k) => `${k} ${r.rows[k] ?? 0}`).join(', ')}\n`);
    });
}
