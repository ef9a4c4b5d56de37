import { Option } from '@commander-js/extra-typings';
import { parseRowLimit } from '../query/row-limit.js';
import { DEFAULT_TIMEOUT_SECONDS, FORMATS, type Delivery, type Format } from '../query/session.js';
import { formatDuration, parseDurationSeconds } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import type { TextSink } from '../output/format-rows.js';
import type { Io } from './program.js';

/** --format, shared by query and hunt. */
export function formatOption() {
  return new Option('--format <format>', 'output format (default: table on a terminal, ndjson otherwise)').choices(FORMATS);
}

export const OUT_HELP = 'write the result to this file (required for parquet)';
export const LIMIT_HELP = 'return at most n rows';

export function parseLimit(v: string): number {
  return parseRowLimit(v, '--limit');
}

export const TIMEOUT_HELP = `stop the statement after this long (30s, 10m, 1h; 0: never); default ${formatDuration(DEFAULT_TIMEOUT_SECONDS)}`;

export function parseTimeout(v: string): number {
  const s = v.trim() === '0' ? 0 : parseDurationSeconds(v, '--timeout');
  if (s < 0) throw new UsageError(`--timeout: "${v}" is negative`);
  return s;
}

/** stdout as a sink: each write waits for the stream to drain when it asks to (a slow reader). */
export function ioSink(io: Io): TextSink {
  return {
    write: async (t) => {
      io.out(t);
      await io.drained?.();
    },
  };
}

/**
 * The delivery the options ask for: by default a table only when stdout is a terminal and no file
 * is written; a table fits the terminal's width, and is never cut when it goes to a pipe or file.
 */
export function delivery(o: { format?: Format; out?: string; limit?: number; timeout?: number }, io: Io, signal?: AbortSignal): Delivery {
  const format: Format = o.format ?? (io.isTty && o.out === undefined ? 'table' : 'ndjson');
  const width = io.isTty && o.out === undefined ? io.columns || 120 : Infinity;
  return { format, out: o.out, limit: o.limit, width, timeoutSeconds: o.timeout ?? DEFAULT_TIMEOUT_SECONDS, signal };
}
