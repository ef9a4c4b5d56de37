import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { IntegrityError } from '../../core/errors.js';
import { formatCheck } from '../../bundle/verify-bundle.js';
import { DEMO, runDemo } from '../../pipeline/demo.js';
import { progressOf } from '../progress.js';

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description(`generate the ${DEMO.scenario} incident, ingest it, run correlate, check and bundle, verify the bundle and summarize`)
    .option('--out <dir>', `a new folder for the demo case (default ./${DEMO.defaultDir})`)
    .action(async (o) => {
      const r = await runDemo({ outDir: o.out ?? null, log: progressOf(io) });
      for (const line of r.summary) io.out(`${line}\n`);
      for (const c of r.checks) io.out(`  ${formatCheck(c)}\n`);
      if (!r.verified) throw new IntegrityError('the demo bundle did not verify');
    });
}
