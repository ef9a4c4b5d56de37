import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { makeCase, ingest, tempDir } from '../helpers/case.js';
import { tetragonLines } from '../helpers/tetragon-lines.js';
import { createProgram, type Io } from '../../src/cli/program.js';
import { parseHunt } from '../../src/query/hunt-file.js';
import { listHunts } from '../../src/query/hunts.js';
import { casePaths } from '../../src/case/case-paths.js';
import { openCaseStore } from '../../src/store/case-store.js';
import { runAnalystQuery } from '../../src/store/analyst-query.js';
import { describeCaseSchema } from '../../src/query/describe-schema.js';
import { renderSchemaDoc } from '../../src/lake/schema-doc.js';

let caseDir: string;
let outDir: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const c = makeCase();
  cleanups.push(c.cleanup);
  caseDir = c.caseDir;
  const input = path.join(caseDir, 'inputs');
  mkdirSync(input);
  writeFileSync(path.join(input, 'x.json'), tetragonLines(4).join('\n') + '\n{broken\n');
  await ingest(caseDir, [input]);
  const t = tempDir('podtrail-hunt-out-');
  cleanups.push(t.cleanup);
  outDir = t.dir;
});
afterAll(() => cleanups.forEach((f) => f()));

async function run(args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, columns: 120 };
  await createProgram(io).exitOverride().parseAsync(args, { from: 'user' });
  return { out, err };
}

describe('podtrail hunts / hunt', () => {
  it('lists every hunt with its description and params, as text and as JSON', async () => {
    const text = (await run(['hunts'])).out;
    for (const h of listHunts()) expect(text).toContain(`${h.name}\n  ${h.description}\n  params: `);
    expect(text).toContain('processes-around-event\n');
    expect(text).toContain('params: $event_id varchar, $seconds double = 120\n');
    const json = JSON.parse((await run(['hunts', '--json'])).out) as { name: string; params: { name: string; type: string; default?: string | null }[]; file: string }[];
    expect(json.map((h) => h.name)).toEqual(listHunts().map((h) => h.name));
    expect(json.find((h) => h.name === 'role-assumptions')?.params).toEqual([
      { name: 'from', type: 'timestamp', default: null },
      { name: 'to', type: 'timestamp', default: null },
    ]);
    expect(json.find((h) => h.name === 'event-chain')?.file).toBe('queries/event-chain.sql');
  });

  it('runs a hunt with the output options of query', async () => {
    const nd = (await run(['hunt', caseDir, 'rejects-by-file'])).out;
    expect(nd.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(nd)).toMatchObject({ origin: 'inputs/x.json', reason: 'invalid_json', rejects: '1', first_line: '5' });
    const csv = (await run(['hunt', caseDir, 'out-of-scope-counts', '--format', 'csv', '--limit', '1'])).out;
    expect(csv.split('\n')[0]).toBe('scope,source,namespace,records,files');
    expect(csv.trimEnd().split('\n')).toHaveLength(2);
    const file = path.join(outDir, 'offsets.parquet');
    const r = await run(['hunt', caseDir, 'node-clock-offsets', '--format', 'parquet', '--out', file]);
    expect(r.err).toBe(`wrote 1 row (10 columns) to ${file}\n`);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll(`select node_name, runtime_events from read_parquet('${file}')`)).getRowsJson();
    expect(rows).toEqual([['node-a', '4']]);
    conn.closeSync();
    db.closeSync();
  });

  it('names what is wrong with a hunt invocation', async () => {
    await expect(run(['hunt', caseDir, 'event-chain'])).rejects.toThrow(/hunt event-chain needs --param event_id=<varchar>/);
    await expect(run(['hunt', caseDir, 'processes-around-event', '--param', 'event_id=x', '--param', 'seconds=soon'])).rejects.toThrow(/--param seconds=soon: not a valid double/);
    await expect(run(['hunt', caseDir, 'event-chains', '--param', 'event_id=x'])).rejects.toThrow(/no hunt named "event-chains" \(did you mean event-chain\?\)/);
    await expect(run(['hunt', caseDir, 'event-chain', '--param', 'event_id'])).rejects.toThrow(/expected NAME=VALUE/);
  });
});

describe('a hunt is held to the analyst rules: one read-only SELECT', () => {
  const hostile: [string, string, RegExp][] = [
    ['COPY out', "copy (select 1) to '/tmp/podtrail-hunt-escape.csv'", /COPY writes files/],
    ['COPY into the case', "copy (select 1) to 'CASE/lake/hunt.parquet'", /COPY writes files/],
    ['EXPORT', "export database 'CASE/hunt-export'", /EXPORT writes files/],
    ['ATTACH', "attach 'CASE/hunt.duckdb' as h", /ATTACH opens another database/],
    ['INSTALL', 'install httpfs', /INSTALL installs an extension/],
    ['LOAD', 'load httpfs', /LOAD loads an extension/],
    ['SET', "set allowed_directories = ['/']", /SET changes the configuration/],
    ['a second statement', 'select 1 as x order by x; select 2 as y order by y', /single SELECT statement is allowed \(got 2/],
    ['reading outside the case', "select * from read_text('/etc/hostname') order by 1", /refused: .*disabled by configuration/],
  ];
  for (const [what, body, msg] of hostile) {
    it(`refuses a hunt file that tries ${what}`, async () => {
      const hunt = parseHunt('/q/evil.sql', `-- name: evil\n-- description: tries ${what}\n${body.replaceAll('CASE', caseDir)}\n`);
      const store = await openCaseStore(casePaths(caseDir), { write: false });
      try {
        await expect(runAnalystQuery(store, hunt.sql, {}, undefined, { label: 'hunt evil' })).rejects.toThrow(msg);
      } finally {
        store.close();
      }
      for (const f of ['lake/hunt.parquet', 'hunt-export', 'hunt.duckdb']) expect(existsSync(path.join(caseDir, f))).toBe(false);
      expect(existsSync('/tmp/podtrail-hunt-escape.csv')).toBe(false);
    });
  }
});

describe('podtrail schema', () => {
  it('prints the text of the README schema section, checked against the case database', async () => {
    expect(await describeCaseSchema(caseDir)).toBe(renderSchemaDoc());
    expect((await run(['schema', caseDir, 'attributions'])).out).toMatch(/^### attributions\n\ncorrelation table\. /);
    await expect(run(['schema', caseDir, 'atributions'])).rejects.toThrow(/no table or view named "atributions"/);
  });
});
