/**
 * How records reach the land SQL as relation `src`:
 * - columns: `src` has the typed top-level columns of `columns` (read_json's fast path; from_json elsewhere);
 * - doc: `src` has one JSON column `_doc` per value (line or document) and the SQL unwraps envelopes.
 */
export type InputMode = { mode: 'columns'; columns: Record<string, string> } | { mode: 'doc' };
