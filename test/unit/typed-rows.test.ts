/** Rows typed where they leave the store: the SQL and the TypeScript type must agree, or podtrail says which column. */
import { describe, expect, it } from 'vitest';
import { asTyped, shapeOfTable } from '../../src/store/typed-rows.js';
import { tableDoc } from '../../src/lake/schema.js';

describe('typed rows', () => {
  const shape = { id: 'string', n: 'number', ok: 'boolean' } as const;

  it('passes rows of the shape (NULL allowed in any column)', () => {
    const rows = asTyped<{ id: string; n: number | null; ok: boolean }>([{ id: 'a', n: 1, ok: true }, { id: 'b', n: null, ok: false }], shape, 'test');
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('names the column, the row and the value that disagree', () => {
    expect(() => asTyped([{ id: 'a', n: '1', ok: true }], shape, 'catalog')).toThrow('catalog: row 0, column n: expected number, got string ("1")');
    expect(() => asTyped([{ id: 'a', n: 1 }], shape, 'catalog')).toThrow('catalog: row 0 has columns id, n; expected id, n, ok');
  });

  it('derives the catalog row shape from the schema', () => {
    const s = shapeOfTable(tableDoc('evidence_files')!);
    expect(s['size_bytes']).toBe('number');
    expect(s['acquired_at']).toBe('string');
    expect(s['origin']).toBe('string');
  });
});
