import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { bundleCase, bundleSummary } from '../../bundle/bundle-case.js';
import { bundleRequest, withBundleOptions } from '../bundle-options.js';

export function registerBundle(program: Command, io: Io): void {
  withBundleOptions(
    program
      .command('bundle')
      .description('re-verify raw/, then write the evidence bundle: timeline, joins, inventory, validation, report, custody, SHA256SUMS and an optional signature')
      .argument('<case>', 'case folder (correlated and checked)'),
  ).action(async (caseDir, o) => {
    const r = await bundleCase(bundleRequest(caseDir, o, io));
    for (const line of bundleSummary(r)) io.out(`${line}\n`);
  });
}
