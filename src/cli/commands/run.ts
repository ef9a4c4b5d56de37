import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { createClock } from '../../core/clock.js';
import { bundleSummary, signerFromKeyFile } from '../../bundle/bundle-case.js';
import { runCase } from '../../bundle/run-case.js';

export function registerRun(program: Command, io: Io): void {
  program
    .command('run')
    .description('correlate, run the gaps checks and write the bundle, in one go')
    .argument('<case>', 'case folder (ingested)')
    .option('--out <dir>', 'bundle folder (default CASE/bundle)')
    .option('--key <file>', 'Ed25519 private key (podtrail keygen) to sign the bundle')
    .option('--force', 'replace a non-empty bundle folder')
    .option('--operator <name>', 'who runs the analysis and export (custody log; default the OS user)')
    .option('--as-of <iso>', 'pin the clock of custody entries (or PODTRAIL_AS_OF)')
    .action(async (caseDir, o) => {
      const r = await runCase({ caseDir, outDir: o.out ?? null, force: Boolean(o.force), signer: signerFromKeyFile(o.key), clock: createClock(o.asOf), operator: o.operator ?? null, log: (l) => io.err(`${l}\n`) });
      for (const line of bundleSummary(r)) io.out(`${line}\n`);
      io.err(`${Object.entries(r.timings).map(([k, v]) => `${k.replace(/_ms$/, '')} ${(v / 1000).toFixed(2)} s`).join(', ')}\n`);
    });
}
