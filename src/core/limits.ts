/** Records longer than this are rejected (record_too_large); DuckDB's JSON reader limit is the same. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
