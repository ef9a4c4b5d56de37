import { InternalError } from '../core/errors.js';
import type { TableDoc } from '../lake/schema.js';
import type { Row } from './store.js';

/** What a column's JSON value is when it leaves the store (getRowObjectsJson: lossless, no Date). */
export type ValueKind = 'string' | 'number' | 'boolean' | 'json';

/** The columns a query returns and the kind of each value (NULL always allowed). */
export type RowShape = Readonly<Record<string, ValueKind>>;

/**
 * The shape of a documented table as a query returns it when timestamps are formatted as text and
 * integers cast to DOUBLE (as the catalog reader does).
 */
export function shapeOfTable(t: TableDoc): RowShape {
  const kind = (type: string): ValueKind =>
    type === 'BOOLEAN' ? 'boolean' : type === 'BIGINT' || type === 'INTEGER' || type === 'DOUBLE' ? 'number' : type === 'JSON' || type.endsWith('[]') || type.startsWith('STRUCT') || type.startsWith('MAP') ? 'json' : 'string';
  return Object.fromEntries(t.columns.map((c) => [c.name, kind(c.type)]));
}

/**
 * Rows as the type T where they cross into TypeScript: every row must have exactly the shape's
 * columns, each value of its kind or NULL. A mismatch is a defect of podtrail (the SQL and the
 * type disagree), reported with the column, the row and what was found.
 */
export function asTyped<T>(rows: Row[], shape: RowShape, what: string): T[] {
  const names = Object.keys(shape);
  rows.forEach((row, i) => {
    const cols = Object.keys(row);
    if (cols.length !== names.length || cols.some((c) => !(c in shape))) {
      throw new InternalError(`${what}: row ${i} has columns ${cols.join(', ')}; expected ${names.join(', ')}`);
    }
    for (const c of names) {
      const v = row[c];
      if (v === null) continue;
      const k = shape[c]!;
      const ok = k === 'json' ? true : typeof v === k;
      if (!ok) throw new InternalError(`${what}: row ${i}, column ${c}: expected ${k}, got ${typeof v} (${JSON.stringify(v).slice(0, 60)})`);
    }
  });
  return rows as unknown as T[];
}
