import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tempDir, tetragonCase } from '../helpers/case.js';
import { createProgram, type Io } from '../../src/cli/program.js';
import { CliError } from '../../src/core/errors.js';

let caseDir: string;
let outDir: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const c = await tetragonCase(5);
  cleanups.push(c.cleanup);
  caseDir = c.caseDir;
  const t = tempDir('podtrail-out-');
  cleanups.push(t.cleanup);
  outDir = t.dir;
});
afterAll(() => cleanups.forEach((f) => f()));

/** Runs `podtrail ARGS` in-process and returns what it printed. */
async function run(args: string[], o: { tty?: boolean; columns?: number } = {}): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: o.tty ?? false, columns: o.columns ?? 120 };
  await createProgram(io).exitOverride().parseAsync(args, { from: 'user' });
  return { out, err };
}

const BIG = `select 9223372036854775807::BIGINT as big, '-9223372036854775808'::BIGINT as small,
  170141183460469231731687303715884105727::HUGEINT as huge, 18446744073709551615::UBIGINT as ubig,
  '2026-10-20 09:00:00.123456789'::TIMESTAMP_NS as ns, 0.1::DECIMAL(20,10) as dec`;

describe('podtrail query output', () => {
  it('prints NDJSON when stdout is not a terminal, a table when it is', async () => {
    const pipe = await run(['query', caseDir, 'select pod_name, count(*) as n from runtime_events group by pod_name']);
    expect(pipe.out).toBe('{"pod_name":"api-0","n":"5"}\n');
    const tty = await run(['query', caseDir, 'select pod_name, count(*) as n from runtime_events group by pod_name'], { tty: true });
    expect(tty.out).toBe('| pod_name | n |\n|----------|---|\n| api-0    | 5 |\n(1 row)\n');
  });

  it('keeps large integers, decimals and nanosecond timestamps exact in every text format', async () => {
    const json = JSON.parse((await run(['query', caseDir, BIG, '--format', 'json'])).out) as Record<string, unknown>[];
    expect(json).toEqual([
      { big: '9223372036854775807', small: '-9223372036854775808', huge: '170141183460469231731687303715884105727', ubig: '18446744073709551615', ns: '2026-10-20T09:00:00.123456789Z', dec: '0.1000000000' },
    ]);
    const csv = (await run(['query', caseDir, BIG, '--format', 'csv'])).out;
    expect(csv).toBe('big,small,huge,ubig,ns,dec\n9223372036854775807,-9223372036854775808,170141183460469231731687303715884105727,18446744073709551615,2026-10-20T09:00:00.123456789Z,0.1000000000\n');
    const table = (await run(['query', caseDir, BIG, '--format', 'table'], { columns: 400 })).out;
    expect(table).toContain('| 9223372036854775807 |');
    expect(table).toContain('2026-10-20T09:00:00.123456789Z');
    const ts = (await run(['query', caseDir, 'select ts from runtime_events order by ts limit 1'])).out;
    expect(ts).toBe('{"ts":"2026-10-20T09:00:00.123456789Z"}\n');
  });

  it('keeps each column one JSON type: numbers, booleans, exact text, ISO-8601 times with Z, nested JSON', async () => {
    const sql = `select 7::INTEGER as i, 2.5::DOUBLE as d, true as b, 1::SMALLINT as s, 3.25::FLOAT as f,
      42::BIGINT as big, 1::HUGEINT as huge, 1.50::DECIMAL(5,2) as dec,
      '2026-10-20 09:00:00'::TIMESTAMP as t, '2026-10-20 09:00:00.5'::TIMESTAMP_MS as ms,
      '2026-10-20 09:00:07'::TIMESTAMP_S as sec, '2026-10-20 11:00:00+02'::TIMESTAMPTZ as tz,
      'infinity'::TIMESTAMP as inf, '2026-10-20'::DATE as day, interval 90 minute as span,
      '{"a":[1,{"b":null}],"c":"x"}'::JSON as j, '{"a":1}' as text_not_json,
      [1, 2]::BIGINT[] as bigs, {'k': 1::INTEGER, 'at': '2026-10-20 09:00:00'::TIMESTAMP} as st, 'nan'::DOUBLE as nan`;
    const [row] = JSON.parse((await run(['query', caseDir, sql, '--format', 'json'])).out) as Record<string, unknown>[];
    expect(row).toEqual({
      i: 7, d: 2.5, b: true, s: 1, f: 3.25,
      big: '42', huge: '1', dec: '1.50',
      t: '2026-10-20T09:00:00.000000Z', ms: '2026-10-20T09:00:00.500Z', sec: '2026-10-20T09:00:07Z', tz: '2026-10-20T09:00:00.000000Z',
      inf: 'infinity', day: '2026-10-20', span: '01:30:00',
      j: { a: [1, { b: null }], c: 'x' }, text_not_json: '{"a":1}',
      bigs: ['1', '2'], st: { k: 1, at: '2026-10-20T09:00:00.000000Z' }, nan: 'NaN',
    });
    // NDJSON gives the same values; a NULL stays null whatever the column's type
    const nd = (await run(['query', caseDir, `select * from (values (1::INTEGER, '{"x":1}'::JSON), (null, null)) v(n, j)`])).out;
    expect(nd).toBe('{"n":1,"j":{"x":1}}\n{"n":null,"j":null}\n');
  });

  it('fits the table to the terminal width', async () => {
    const { out } = await run(['query', caseDir, 'select row_id, exec_id, "binary", arguments, image_digest, container_id from runtime_events order by row_id'], { tty: true, columns: 80 });
    for (const line of out.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(out).toContain('…');
    const piped = (await run(['query', caseDir, 'select row_id, exec_id, "binary", arguments, image_digest, container_id from runtime_events order by row_id', '--format', 'table'], { columns: 80 })).out;
    expect(piped).not.toContain('…');
    expect(piped).toContain(`sha256:${'b'.repeat(64)}`);
  });

  it('quotes CSV fields that hold a comma, a quote or a line break', async () => {
    const { out } = await run(['query', caseDir, `select 'a,b' as x, 'say "hi"' as y, 'two' || chr(10) || 'lines' as z, null as n`, '--format', 'csv']);
    expect(out).toBe('x,y,z,n\n"a,b","say ""hi""","two\nlines",\n');
  });

  it('--limit returns at most n rows; -f reads the SQL from a file; --param binds $name', async () => {
    expect((await run(['query', caseDir, 'select row_id from runtime_events order by row_id', '--limit', '2'])).out.trimEnd().split('\n')).toHaveLength(2);
    const file = path.join(outDir, 'q.sql');
    writeFileSync(file, '-- by pid\nselect pid\n  from runtime_events\n where pid >= $min::BIGINT\n order by pid\n');
    expect((await run(['query', caseDir, '-f', file, '--param', 'min=1003'])).out).toBe('{"pid":"1003"}\n{"pid":"1004"}\n');
    await expect(run(['query', caseDir, 'select 1 as x', '--limit', 'lots'])).rejects.toThrow(/--limit: "lots"/);
  });

  it('--out writes text formats to a file and says so on stderr', async () => {
    const file = path.join(outDir, 'rows.csv');
    const r = await run(['query', caseDir, 'select pid from runtime_events order by pid', '--format', 'csv', '--out', file]);
    expect(r.out).toBe('');
    expect(r.err).toBe(`wrote 5 rows to ${file}\n`);
  });

  it('writes Parquet with the exact column types, outside the case, through podtrail only', async () => {
    const file = path.join(outDir, 'runtime.parquet');
    const r = await run([
      'query', caseDir,
      `select row_id, ts, pid, 9223372036854775807::BIGINT as big, 170141183460469231731687303715884105727::HUGEINT as huge,
              ['a', 'b'] as tags, {'k': 1} as s, map {'x': 'y'} as m
         from runtime_events order by row_id`,
      '--format', 'parquet', '--out', file, '--limit', '3',
    ]);
    expect(r.err).toBe(`wrote 3 rows (8 columns) to ${file}\n`);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const types = (await conn.runAndReadAll(`describe select * from read_parquet('${file}')`)).getRowObjectsJson().map((x) => `${x['column_name']} ${x['column_type']}`);
    expect(types).toEqual(['row_id VARCHAR', 'ts TIMESTAMP_NS', 'pid BIGINT', 'big BIGINT', 'huge VARCHAR', 'tags VARCHAR[]', 's STRUCT(k INTEGER)', 'm MAP(VARCHAR, VARCHAR)']);
    const rows = (await conn.runAndReadAll(`select ts, big, huge from read_parquet('${file}') order by ts`)).getRowsJson();
    expect(rows).toEqual([
      ['2026-10-20 09:00:00.123456789', '9223372036854775807', '170141183460469231731687303715884105727'],
      ['2026-10-20 09:00:01.123456789', '9223372036854775807', '170141183460469231731687303715884105727'],
      ['2026-10-20 09:00:02.123456789', '9223372036854775807', '170141183460469231731687303715884105727'],
    ]);
    conn.closeSync();
    db.closeSync();
    expect(readdirSync(outDir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('refuses Parquet without --out, duplicate column names, a missing folder, and writes nothing for a refused statement', async () => {
    await expect(run(['query', caseDir, 'select 1 as x', '--format', 'parquet'])).rejects.toThrow(/--format parquet needs --out FILE/);
    await expect(run(['query', caseDir, 'select 1 as x, 2 as x', '--format', 'parquet', '--out', path.join(outDir, 'dup.parquet')])).rejects.toThrow(/"x" appears twice/);
    await expect(run(['query', caseDir, 'select 1 as x', '--format', 'parquet', '--out', path.join(outDir, 'no', 'such', 'x.parquet')])).rejects.toThrow(/does not exist/);
    const target = path.join(outDir, 'refused.parquet');
    await expect(run(['query', caseDir, `copy (select 1) to '${target}'`, '--format', 'parquet', '--out', target])).rejects.toThrow(/refused: only a single read-only SELECT/);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(path.join(outDir, 'dup.parquet'))).toBe(false);
  });
});

describe('podtrail query errors', () => {
  const message = async (args: string[]): Promise<string> => {
    try {
      await run(args);
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  it('points at the position of a syntax error, with the line of a multi-line file', async () => {
    const file = path.join(outDir, 'broken.sql');
    writeFileSync(file, 'select pid\n  from runtime_events\n where pid >\n order by pid\n');
    const m = await message(['query', caseDir, '-f', file]);
    expect(m).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Parser Error: syntax error at or near "order"`));
    expect(m).toContain('LINE 4:  order by pid\n');
    expect(m).toMatch(/\n\s+\^$/);
  });

  it('suggests table names, and column names from DuckDB or from the documented schema', async () => {
    expect(await message(['query', caseDir, 'select * from runtime_evnts'])).toMatch(/Did you mean "runtime_events"/);
    expect(await message(['query', caseDir, 'select pod_nme from runtime_events'])).toMatch(/Candidate bindings: "pod_name"/);
    const m = await message(['query', caseDir, 'select r.evnt_id from runtime_events r']);
    expect(m).toMatch(/Did you mean "event_id"/);
    expect(m).toMatch(/LINE 1: select r\.evnt_id/);
  });

  it('says an unterminated statement is incomplete', async () => {
    expect(await message(['query', caseDir, 'select (1'])).toMatch(/statement is incomplete/);
  });
});
