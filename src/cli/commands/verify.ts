import type { Command } from '@commander-js/extra-typings';
import type { Io } from '../program.js';
import { IntegrityError, UnauthenticatedError, UsageError } from '../../core/errors.js';
import { caseNotBundle } from '../../bundle/case-not-bundle.js';
import { formatCheck, verifyBundle } from '../../bundle/verify-bundle.js';
import { termLine } from '../../output/terminal-text.js';
import { count } from '../../core/progress.js';

export const PUBKEY_HELP = "pin the signer: its public key (PEM); the key a bundle ships is never trusted";
export const TRUST_HELP = 'pin the signer: a file of trusted public keys (PEM blocks); default $PODTRAIL_TRUST';
export const ALLOW_UNPINNED_HELP = 'exit 0 for an intact bundle whose signer is not pinned (or unsigned); it is still not reported as verified';

export function registerVerify(program: Command, io: Io): void {
  program
    .command('verify')
    .description('check a bundle offline: SHA256SUMS, every file, nothing missing or added, the signature, the signed statement, the custody chain, the timeline order, and that a pinned key signed it')
    .argument('<dir>', 'bundle folder')
    .option('--pubkey <file>', PUBKEY_HELP)
    .option('--trust <file>', TRUST_HELP)
    .option('--allow-unpinned', ALLOW_UNPINNED_HELP)
    .action(async (dir, o) => {
      const isCase = caseNotBundle(dir);
      if (isCase) throw new UsageError(isCase);
      const r = await verifyBundle(dir, { pubkeyFile: o.pubkey ?? null, trustFile: o.trust ?? null });
      for (const c of r.checks) io.out(`${formatCheck(c)}\n`);
      const where = termLine(dir);
      if (!r.ok) throw new IntegrityError(`${where}: ${count(r.checks.filter((c) => c.status === 'FAIL').length, 'check')} failed`);
      if (r.trust === 'pinned') {
        io.out(`verified: ${where} is intact and signed by the pinned key ${r.signer}\n`);
        return;
      }
      const what = r.trust === 'unsigned' ? 'unsigned' : `signed by a key it ships (keyid ${r.signer}) that nobody pinned`;
      if (o.allowUnpinned) {
        io.out(`NOT verified: ${where} is intact, but ${what} (accepted by --allow-unpinned)\n`);
        return;
      }
      throw new UnauthenticatedError(`${where} is intact, but ${what}: the signer is not authenticated. Pin it with --pubkey FILE or --trust FILE, or pass --allow-unpinned to accept integrity alone`);
    });
}
