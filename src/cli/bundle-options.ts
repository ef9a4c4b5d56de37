import type { Command, OptionValues } from '@commander-js/extra-typings';
import type { Io } from './program.js';
import { createClock } from '../core/clock.js';
import { signerFromKeyFile, type BundleOptions } from '../bundle/bundle-case.js';
import { progressOf } from './progress.js';

/** The options of the commands that write a bundle (bundle, run). */
export function withBundleOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Command<A, O, G>) {
  return cmd
    .option('--out <dir>', 'bundle folder (default CASE/bundle)')
    .option('--key <file>', 'Ed25519 private key (podtrail keygen) to sign the bundle')
    .option('--force', 'replace a non-empty bundle folder')
    .option('--operator <name>', 'who runs the analysis and export (custody log; default the OS user)')
    .option('--as-of <iso>', 'pin the clock of custody entries (or PODTRAIL_AS_OF)');
}

/** What those options ask of bundleCase / runCase. */
export function bundleRequest(caseDir: string, o: { out?: string; key?: string; force?: true; operator?: string; asOf?: string }, io: Io): BundleOptions {
  return { caseDir, outDir: o.out ?? null, force: Boolean(o.force), signer: signerFromKeyFile(o.key), clock: createClock(o.asOf), operator: o.operator ?? null, log: progressOf(io) };
}
