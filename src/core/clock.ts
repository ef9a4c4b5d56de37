import { UsageError } from './errors.js';

/**
 * The one clock of podtrail. Every wall-clock value that enters a record (acquisition time,
 * custody entries) comes from here, so tests, the demo and a reviewer's reproduction can pin it:
 * `--as-of ISO` on a command, or the PODTRAIL_AS_OF environment variable.
 * Outputs never read the clock otherwise.
 */
export interface Clock {
  /** ISO-8601 UTC instant with millisecond precision and a trailing Z. */
  nowIso(): string;
  readonly pinned: boolean;
}

export const AS_OF_ENV = 'PODTRAIL_AS_OF';

export function parseInstant(value: string, what: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
  if (!iso.test(value)) {
    throw new UsageError(`${what}: "${value}" is not an ISO-8601 instant with a zone (e.g. 2026-10-20T09:00:00Z)`);
  }
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${what}: "${value}" is not a valid instant`);
  return d;
}

export function isoUtc(d: Date): string {
  return d.toISOString();
}

export function createClock(asOf?: string, env: NodeJS.ProcessEnv = process.env): Clock {
  const pinned = asOf ?? env[AS_OF_ENV];
  if (pinned !== undefined && pinned !== '') {
    const at = isoUtc(parseInstant(pinned, asOf ? '--as-of' : AS_OF_ENV));
    return { nowIso: () => at, pinned: true };
  }
  // The only read of the wall clock in podtrail.
  return { nowIso: () => new Date().toISOString(), pinned: false };
}
