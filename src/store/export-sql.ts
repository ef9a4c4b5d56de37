import { quotedIdentifier } from '@duckdb/node-api';
import type { ColumnDoc } from '../lake/schema.js';

/** A double-quoted SQL identifier (the only way table and column names enter SQL text). */
export function sqlIdentifier(name: string): string {
  return quotedIdentifier(name);
}

/**
 * Select-list expressions that give every column a stable JSON form: timestamps as ISO-8601 UTC
 * text with microseconds and a Z, integers as JS numbers (counts and ports stay far below 2^53),
 * JSON as its text (parsed back and re-serialized canonically by the caller). Identifiers only.
 */
export function exportColumn(c: ColumnDoc, alias = c.name): string {
  const id = quotedIdentifier(c.name);
  const as = quotedIdentifier(alias);
  if (c.type === 'TIMESTAMP' || c.type === 'TIMESTAMP_NS') return `${isoSql(id)} as ${as}`;
  if (c.type === 'BIGINT' || c.type === 'INTEGER') return `${id}::DOUBLE as ${as}`;
  if (c.type === 'JSON') return `${id}::VARCHAR as ${as}`;
  if (c.type.startsWith('MAP(')) return `to_json(${id})::VARCHAR as ${as}`;
  return `${id} as ${as}`;
}

/** Parses the JSON-typed columns of a row in place (they arrive as text). */
export function parseJsonColumns(row: Record<string, unknown>, columns: readonly ColumnDoc[]): Record<string, unknown> {
  for (const c of columns) {
    if (c.type !== 'JSON' && !c.type.startsWith('MAP(')) continue;
    const v = row[c.name];
    if (typeof v === 'string') row[c.name] = JSON.parse(v) as unknown;
  }
  return row;
}

/** ISO-8601 UTC with microseconds for a timestamp expression (identifier or column reference). */
export function isoSql(expr: string): string {
  return `strftime(${expr}, '%Y-%m-%dT%H:%M:%S.%fZ')`;
}
