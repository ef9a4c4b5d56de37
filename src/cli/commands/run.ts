import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { bundleSummary } from '../../bundle/bundle-case.js';
import { runCase } from '../../pipeline/run-case.js';
import { bundleRequest, withBundleOptions } from '../bundle-options.js';

export function registerRun(program: Command, io: Io): void {
  withBundleOptions(
    program
      .command('run')
      .description('correlate, run the gaps checks and write the bundle, in one go')
      .argument('<case>', 'case folder (ingested)'),
  ).action(async (caseDir, o) => {
    const r = await runCase(bundleRequest(caseDir, o, io));
    for (const line of bundleSummary(r)) io.out(`${line}\n`);
    io.err(`${Object.entries(r.timings).map(([k, v]) => `${k.replace(/_ms$/, '')} ${(v / 1000).toFixed(2)} s`).join(', ')}\n`);
  });
}
