import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { IntegrityError, UsageError } from '../../core/errors.js';
import { caseNotBundle } from '../../bundle/case-not-bundle.js';
import { formatCheck, verifyBundle } from '../../bundle/verify-bundle.js';
import { count } from '../../core/progress.js';

export function registerVerify(program: Command, io: Io): void {
  program
    .command('verify')
    .description('check a bundle offline: SHA256SUMS, every file, nothing missing or added, the signature, the signed statement, the custody chain, the timeline order')
    .argument('<dir>', 'bundle folder')
    .option('--pubkey <file>', "the signer's public key (PEM); default the bundle's evidence.pub.pem")
    .action(async (dir, o) => {
      const isCase = caseNotBundle(dir);
      if (isCase) throw new UsageError(isCase);
      const r = await verifyBundle(dir, { pubkeyFile: o.pubkey ?? null });
      for (const c of r.checks) io.out(`${formatCheck(c)}\n`);
      if (!r.ok) throw new IntegrityError(`${dir}: ${count(r.checks.filter((c) => c.status === 'FAIL').length, 'check')} failed`);
    });
}
