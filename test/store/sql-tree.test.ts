import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { makeCase } from '../helpers/case.js';
import { casePaths } from '../../src/case/case-paths.js';
import { openCaseStore } from '../../src/store/case-store.js';
import { sqlTreeFiles } from '../../src/store/lake-views.js';

// Creating a view binds it, and binding expands every view it reads: applySqlTree shadows each view
// with an empty temp table while it builds the next ones, so a fresh case opens in seconds instead of
// minutes. These checks hold the shape of that: every view stored, none of the shadows left behind.
describe('sql/ applied to a fresh case', () => {
  const { caseDir, cleanup } = makeCase();
  afterAll(cleanup);

  it('stores every view of sql/ in the case database with its columns, and leaves no shadow table', async () => {
    const store = await openCaseStore(casePaths(caseDir), { write: true, log: () => {} });
    try {
      const views = sqlTreeFiles()
        .filter((f) => path.basename(path.dirname(f)) !== '00_macros')
        .map((f) => path.basename(f, '.sql'));
      expect(views.length).toBeGreaterThan(90);
      const stored = await store.rows(
        `select table_name, count(*)::INT as columns from information_schema.columns where table_schema = 'main' group by table_name`,
      );
      const columns = new Map(stored.map((r) => [String(r['table_name']), Number(r['columns'])]));
      expect(views.filter((v) => !(columns.get(v)! > 0))).toEqual([]);
      const temps = await store.rows(`select table_name from information_schema.tables where table_schema = 'main' and table_catalog = 'temp'`);
      expect(temps).toEqual([]);
      const kinds = await store.rows(
        `select table_type, count(*)::INT as n from information_schema.tables where table_name in (select unnest($views::VARCHAR[])) group by table_type`,
        { views },
      );
      expect(kinds).toEqual([{ table_type: 'VIEW', n: views.length }]);
    } finally {
      store.close();
    }
  });
});
