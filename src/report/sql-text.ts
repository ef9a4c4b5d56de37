import { isoSql } from '../store/export-sql.js';

/** ISO-8601 UTC with microseconds for a timestamp expression. */
export const iso = isoSql;

/** ISO-8601 UTC with nanoseconds for a TIMESTAMP_NS expression (runtime events keep theirs). */
export function isoNs(expr: string): string {
  return `strftime(${expr}, '%Y-%m-%dT%H:%M:%S') || '.' || lpad((((epoch_ns(${expr}) % 1000000000) + 1000000000) % 1000000000)::VARCHAR, 9, '0') || 'Z'`;
}
