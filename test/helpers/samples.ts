/**
 * The real-format samples: a conformance corpus kept beside the project (../shared/samples from
 * the project root) and read in place, never copied in. A bare clone has no such folder: the tests
 * that read it skip, and the run prints one notice saying so (test/helpers/global-setup.ts). In CI
 * (CI=true) the corpus is always there, so its absence is a failure, never a silent skip.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';

export const SAMPLES = path.resolve(__dirname, '..', '..', '..', 'shared', 'samples');
export const HAVE_SAMPLES = existsSync(SAMPLES);

export const NO_SAMPLES_NOTICE =
  `podtrail tests: the sample corpus ${SAMPLES} is absent, so the conformance tests that read it are skipped ` +
  '(the same invariants run on fixtures/). Put the samples there to run them; CI fails without them.';

/** Throws in CI when the corpus is absent: a skip there would hide a missing corpus. */
export function requireSamplesInCi(): void {
  if (!HAVE_SAMPLES && process.env['CI'] === 'true') {
    throw new Error(`CI=true but the sample corpus is absent: ${SAMPLES}`);
  }
}
requireSamplesInCi();

/** describe/it that skip when the corpus is absent (and fail in CI, through requireSamplesInCi). */
export const describeSamples = (name: string, fn: () => void): void => describe.skipIf(!HAVE_SAMPLES)(name, fn);
export const itSamples = (name: string, fn: () => Promise<void> | void, timeout?: number): void => it.skipIf(!HAVE_SAMPLES)(name, fn, timeout);

/** A path under the corpus. */
export const sample = (rel: string): string => path.join(SAMPLES, rel);

/** The sorted file names of a corpus folder; empty when the corpus is absent (the suite then skips). */
export function sampleNames(dir: string): string[] {
  return HAVE_SAMPLES ? readdirSync(path.join(SAMPLES, dir)).sort() : [];
}
