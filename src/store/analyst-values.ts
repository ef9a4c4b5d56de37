import { DuckDBTypeId, JsonDuckDBValueConverter, type DuckDBType, type DuckDBValue, type DuckDBValueConverter, type Json } from '@duckdb/node-api';

/** Each timestamp type: its tick field, ticks per second, and the fraction digits it prints (fixed, so a column sorts as text). */
const TIMESTAMPS: Partial<Record<DuckDBTypeId, { field: 'seconds' | 'millis' | 'micros' | 'nanos'; perSecond: bigint; digits: number }>> = {
  [DuckDBTypeId.TIMESTAMP_S]: { field: 'seconds', perSecond: 1n, digits: 0 },
  [DuckDBTypeId.TIMESTAMP_MS]: { field: 'millis', perSecond: 1000n, digits: 3 },
  [DuckDBTypeId.TIMESTAMP]: { field: 'micros', perSecond: 1_000_000n, digits: 6 },
  [DuckDBTypeId.TIMESTAMP_TZ]: { field: 'micros', perSecond: 1_000_000n, digits: 6 },
  [DuckDBTypeId.TIMESTAMP_NS]: { field: 'nanos', perSecond: 1_000_000_000n, digits: 9 },
};

/**
 * A timestamp as ISO-8601 UTC with Z and a fixed number of fraction digits per type
 * (2026-10-20T09:00:00.123456Z for TIMESTAMP, nine digits for TIMESTAMP_NS), computed from its
 * ticks since the epoch: never through the host's time zone. Infinities keep DuckDB's text.
 */
function isoTimestamp(value: DuckDBValue, type: DuckDBType): string {
  const spec = TIMESTAMPS[type.typeId]!;
  const text = String(value);
  if (/infinity/.test(text)) return text;
  const ticks = (value as unknown as Record<string, bigint>)[spec.field]!;
  let secs = ticks / spec.perSecond;
  let frac = ticks % spec.perSecond;
  if (frac < 0n) {
    frac += spec.perSecond;
    secs -= 1n;
  }
  const whole = new Date(Number(secs) * 1000).toISOString().slice(0, -5);
  return `${whole}${spec.digits === 0 ? '' : `.${frac.toString().padStart(spec.digits, '0')}`}Z`;
}

/**
 * How analyst results leave DuckDB, one rule per type so a column's JSON type never changes from
 * row to row: TINYINT to UINTEGER, FLOAT, DOUBLE as JSON numbers (NaN and infinities as text),
 * BOOLEAN as booleans; BIGINT, UBIGINT, HUGEINT, DECIMAL and BIGNUM as exact text; timestamps as
 * ISO-8601 with Z; INTERVAL as DuckDB's text (1 day 02:00:00); lists, structs and maps
 * recursively. Everything else is DuckDB's text. JSON columns: see jsonColumnValue.
 */
export const analystValue: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value === null) return null;
  if (type.typeId in TIMESTAMPS) return isoTimestamp(value, type);
  if (type.typeId === DuckDBTypeId.INTERVAL) return String(value);
  return JsonDuckDBValueConverter(value, type, converter);
};

/**
 * A JSON column's value as the nested value it holds (a data chunk's vectors do not carry the JSON
 * alias, so this applies per result column, from the result's column types).
 */
export function jsonColumnValue(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

export function isJsonType(type: DuckDBType): boolean {
  return type.typeId === DuckDBTypeId.VARCHAR && type.alias === 'JSON';
}
