import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { IntegrityError } from '../../core/errors.js';
import { loadPrivateKey } from '../../bundle/keys.js';
import { describeDifference, reproduceBundle } from '../../pipeline/reproduce.js';
import { PUBKEY_HELP, TRUST_HELP } from './verify.js';

export function registerReproduce(program: Command, io: Io): void {
  program
    .command('reproduce')
    .description("rebuild a bundle from the raw evidence (found by hash) and its recorded acquisition, and compare it byte for byte")
    .argument('<bundle>', 'bundle folder')
    .requiredOption('--inputs <dir>', 'folder holding the raw evidence files (any names, any layout)')
    .option('--out <dir>', 'work folder for the rebuilt case and bundle (default ./podtrail-reproduce)')
    .option('--key <file>', "the signer's private key, to re-sign and compare the attestation too")
    .option('--pubkey <file>', `verify the bundle first: ${PUBKEY_HELP}`)
    .option('--trust <file>', TRUST_HELP)
    .option('--allow-unpinned', 'reproduce a bundle whose signer is not pinned (or unsigned)')
    .action(async (bundleDir, o) => {
      const r = await reproduceBundle({
        bundleDir,
        inputsDir: o.inputs,
        outDir: o.out ?? null,
        key: o.key ? loadPrivateKey(o.key) : null,
        pubkeyFile: o.pubkey ?? null,
        trustFile: o.trust ?? null,
        allowUnpinned: Boolean(o.allowUnpinned),
        log: (l) => io.err(`${l}\n`),
      });
      io.out(`rebuilt case ${r.caseDir}\nnew bundle ${r.bundle.outDir}\nattestation: ${r.attestation}\n`);
      if (!r.identical) throw new IntegrityError(`not reproduced: first difference in ${describeDifference(r.difference!)}`);
      io.out(`identical: all ${r.files} files of the bundle are byte-identical\n`);
    });
}
