import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { createClock } from '../../core/clock.js';
import { bundleCase, bundleSummary, signerFromKeyFile } from '../../bundle/bundle-case.js';

export function registerBundle(program: Command, io: Io): void {
  program
    .command('bundle')
    .description('re-verify raw/, then write the evidence bundle: timeline, joins, inventory, validation, report, custody, SHA256SUMS and an optional signature')
    .argument('<case>', 'case folder (correlated and checked)')
    .option('--out <dir>', 'bundle folder (default CASE/bundle)')
    .option('--key <file>', 'Ed25519 private key (podtrail keygen) to sign the bundle')
    .option('--force', 'replace a non-empty bundle folder')
    .option('--operator <name>', 'who runs the analysis and export (custody log; default the OS user)')
    .option('--as-of <iso>', 'pin the clock of custody entries (or PODTRAIL_AS_OF)')
    .action(async (caseDir, o) => {
      const r = await bundleCase({ caseDir, outDir: o.out ?? null, force: Boolean(o.force), signer: signerFromKeyFile(o.key), clock: createClock(o.asOf), operator: o.operator ?? null, log: (l) => io.err(`${l}\n`) });
      for (const line of bundleSummary(r)) io.out(`${line}\n`);
    });
}
