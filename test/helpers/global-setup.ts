import { HAVE_SAMPLES, NO_SAMPLES_NOTICE, requireSamplesInCi } from './samples.js';

/**
 * Runs once before the suite: tests rely on a pinned non-UTC zone to catch local-time leaks; and
 * the one notice of a run without the sample corpus (an error in CI).
 */
export default function setup(): void {
  if (!process.env.TZ || process.env.TZ === 'UTC') {
    process.env.TZ = 'Pacific/Chatham';
  }
  requireSamplesInCi();
  if (!HAVE_SAMPLES) process.stderr.write(`\n${NO_SAMPLES_NOTICE}\n\n`);
}
