import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('architecture', () => {
  it('only src/store/ imports DuckDB (one place hardens it and binds every value)', () => {
    const offenders = tsFiles(SRC)
      .filter((f) => !path.relative(SRC, f).startsWith(`store${path.sep}`))
      .filter((f) => /from\s+['"]@duckdb\//.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(SRC, f));
    expect(offenders).toEqual([]);
    expect(tsFiles(path.join(SRC, 'store')).some((f) => readFileSync(f, 'utf8').includes('@duckdb/node-api'))).toBe(true);
  });

  it('the generator imports nothing from the collectors, the lake parsers or sql/', () => {
    const offenders = tsFiles(path.join(SRC, 'generate'))
      .filter((f) => /from\s+['"]\.\.\/(collectors|ingest|store|lake|correlate)\/|['"](\.\.\/)+sql\//.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
