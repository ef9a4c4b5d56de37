import { Option } from '@commander-js/extra-typings';
import { parseRowLimit } from '../query/row-limit.js';
import { FORMATS, type Delivery, type Format } from '../query/session.js';
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

/**
 * The delivery the options ask for: by default a table only when stdout is a terminal and no file
 * is written; a table fits the terminal's width, and is never cut when it goes to a pipe or file.
 */
export function delivery(o: { format?: Format; out?: string; limit?: number }, io: Io): Delivery {
  const format: Format = o.format ?? (io.isTty && o.out === undefined ? 'table' : 'ndjson');
  const width = io.isTty && o.out === undefined ? io.columns || 120 : Infinity;
  return { format, out: o.out, limit: o.limit, width };
}
