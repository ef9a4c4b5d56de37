import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { tempDir, tetragonCase } from '../helpers/case.js';
import { queryCase } from '../../src/query/query-case.js';

let caseDir: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const c = await tetragonCase(3);
  cleanups.push(c.cleanup);
  caseDir = c.caseDir;
});
afterAll(() => cleanups.forEach((f) => f()));

describe('analyst queries are read-only single SELECTs', () => {
  it('runs a SELECT with bound parameters', async () => {
    const r = await queryCase(caseDir, 'select count(*)::INT as n from runtime_events where pod_name = $pod', { pod: 'api-0' });
    expect(r.columns).toEqual(['n']);
    expect(r.rows).toEqual([[3]]);
  });

  it('keeps a parameter a value, never SQL', async () => {
    const r = await queryCase(caseDir, 'select count(*)::INT as n from runtime_events where pod_name = $pod', { pod: "api-0' or '1'='1" });
    expect(r.rows).toEqual([[0]]);
  });

  const refusals: [string, string, RegExp][] = [
    ['COPY out of the case', "copy (select 1) to '/tmp/podtrail-escape.csv'", /only a single read-only SELECT.*COPY/],
    ['COPY inside the case', "copy runtime_events to 'CASE/lake/copy.parquet'", /COPY/],
    ['EXPORT', "export database 'CASE/export'", /EXPORT|only a single read-only SELECT/],
    ['ATTACH', "attach 'CASE/other.duckdb' as other", /ATTACH|only a single read-only SELECT/],
    ['reading outside the case', "select * from read_csv('/etc/passwd')", /refused: .*disabled by configuration/],
    ['reading a parent of the case', "select * from read_text('CASE/../x')", /refused|No files found|disabled/],
    ['INSTALL', 'install httpfs', /INSTALL|only a single read-only SELECT/],
    ['LOAD', 'load httpfs', /LOAD|only a single read-only SELECT/],
    ['changing the configuration', "set enable_external_access = true", /SET|only a single read-only SELECT/],
    ['changing the time zone', "set TimeZone = 'Europe/Paris'", /SET|only a single read-only SELECT/],
    ['a second statement', 'select 1; select 2', /single SELECT statement is allowed \(got 2/],
    ['creating a table', 'create table t as select 1', /CREATE|only a single read-only SELECT/],
    ['a PRAGMA', "pragma enable_profiling", /PRAGMA|only a single read-only SELECT/],
    ['COPY smuggled through query()', "select * from query('copy (select 1) to ''CASE/lake/copy.parquet''')", /single SELECT/],
  ];
  for (const [what, sql, msg] of refusals) {
    it(`refuses ${what}`, async () => {
      const text = sql.replaceAll('CASE', caseDir);
      await expect(queryCase(caseDir, text, {})).rejects.toThrow(msg);
      expect(existsSync(path.join(caseDir, 'lake', 'copy.parquet'))).toBe(false);
      expect(existsSync(path.join(caseDir, 'export'))).toBe(false);
      expect(existsSync(path.join(caseDir, 'other.duckdb'))).toBe(false);
    });
  }

  it('names an unknown table and suggests the right one', async () => {
    await expect(queryCase(caseDir, 'select * from runtime_evnts', {})).rejects.toThrow(/Did you mean "runtime_events"/);
  });

  it('refuses a parameter the query does not use, and a missing one', async () => {
    await expect(queryCase(caseDir, 'select 1', { x: '1' })).rejects.toThrow(/not used/);
    await expect(queryCase(caseDir, 'select $x::INT', {})).rejects.toThrow(/--param x=VALUE/);
  });

  it('runs from any working directory', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const cwd = process.cwd();
    process.chdir(t.dir);
    try {
      const r = await queryCase(path.relative(t.dir, caseDir), 'select count(*)::INT from runtime_events', {});
      expect(r.rows).toEqual([[3]]);
    } finally {
      process.chdir(cwd);
    }
  });
});
