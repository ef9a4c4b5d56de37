import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { writeKeyPair } from '../../bundle/keys.js';

export function registerKeygen(program: Command, io: Io): void {
  program
    .command('keygen')
    .description('make an Ed25519 signing key: PREFIX.key (private, mode 0600) and PREFIX.pub.pem (public)')
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .action((o) => {
      const r = writeKeyPair(o.out);
      io.out(`private key ${r.keyFile} (mode 0600: keep it secret)\npublic key ${r.pubFile}\nkeyid ${r.keyid}\n`);
    });
}
