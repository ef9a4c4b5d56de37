import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, makeCase, tempDir } from '../helpers/case.js';
import { CaseSession } from '../../src/query/session.js';
import { CliError } from '../../src/core/errors.js';
import { ESCAPES } from './escape-corpus.js';

const GOLDEN_CT = path.resolve(__dirname, '..', 'golden', 'bundle-small', 'input', 'inputs', 'cloudtrail');
/** The start every STS sessionToken of the golden CloudTrail shares: in raw/, redacted in the lake. */
const TOKEN = 'IQoJb3JpZ2luX2Vj';
const CANARY = 'OUTSIDE-CANARY-7f3e';

let caseDir: string;
let outside: string;
let rawCt: string;
const cleanups: (() => void)[] = [];

/** Every file under dir with its size and mtime, except the analyst spill folders. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (path.relative(dir, f) === path.join('.tmp', 'query')) continue;
      if (e.isDirectory()) walk(f);
      else out.push(`${path.relative(dir, f)} ${statSync(f).size} ${statSync(f).mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

beforeAll(async () => {
  const c = makeCase();
  cleanups.push(c.cleanup);
  caseDir = c.caseDir;
  await ingest(caseDir, [GOLDEN_CT]);
  const raw = path.join(caseDir, 'raw');
  rawCt = path.join(raw, readdirSync(raw).find((f) => gunzipSync(readFileSync(path.join(raw, f))).toString().includes(TOKEN))!);
  const o = tempDir('podtrail-outside-');
  cleanups.push(o.cleanup);
  outside = path.join(o.dir, 'canary.txt');
  writeFileSync(outside, `${CANARY}\n`);
});
afterAll(() => cleanups.forEach((f) => f()));

describe('analyst SQL reads the lake and its views, never raw/', () => {
  it('raw/ holds the sessionToken, the lake has it redacted, and read_json on raw/ is refused naming the lake', async () => {
    expect(gunzipSync(readFileSync(rawCt)).toString()).toContain(TOKEN);
    const s = await CaseSession.open(caseDir);
    try {
      const lake = await s.rows({ sql: 'select response_elements from cloud_events where response_elements is not null', params: {} });
      expect(lake.rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(lake.rows)).not.toContain(TOKEN);
      await expect(s.rows({ sql: `select * from read_json_auto('${rawCt}')`, params: {} })).rejects.toThrow(/refused: .*analyst SQL reads only the case's lake: raw\/ and files outside the case are closed to it/);
      // the lake itself stays readable by path
      const parts = await s.rows({ sql: `select count(*)::INT as n from read_parquet('${path.join(caseDir, 'lake', 'cloud_events')}/*/*.parquet')`, params: {} });
      expect((parts.rows[0]![0] as number) > 0).toBe(true);
    } finally {
      s.close();
    }
  });
});

describe(`the escape corpus (${ESCAPES.length} attempts): each refused or reads nothing, nothing written, nothing secret returned`, () => {
  it('holds every attempt, then the configuration is as podtrail set it', async () => {
    const caseBefore = snapshot(caseDir);
    const outsideBefore = snapshot(path.dirname(outside));
    const s = await CaseSession.open(caseDir);
    const held: string[] = [];
    const broke: string[] = [];
    try {
      for (const e of ESCAPES) {
        const sql = e.sql.replaceAll('RAW_CT', rawCt).replaceAll('OUTSIDE', outside).replaceAll('CASE', caseDir);
        try {
          const r = await s.rows({ sql, params: {} });
          const text = JSON.stringify(r.rows);
          if (!e.allowed && r.rows.length > 0) broke.push(`${e.what}: ran, returned ${text.slice(0, 120)}`);
          else if (text.includes(TOKEN) || text.includes(CANARY)) broke.push(`${e.what}: returned the secret`);
          else held.push(e.what);
        } catch (err) {
          const text = (err as Error).message;
          if (!(err instanceof CliError)) broke.push(`${e.what}: not a clear refusal: ${text.slice(0, 160)}`);
          else if (text.includes(TOKEN) || text.includes(CANARY)) broke.push(`${e.what}: the error shows the secret`);
          else held.push(e.what);
        }
      }
      const settings = await s.rows({
        sql: `select current_setting('enable_external_access')::VARCHAR, current_setting('lock_configuration')::VARCHAR, current_setting('TimeZone'), current_setting('autoload_known_extensions')::VARCHAR`,
        params: {},
      });
      expect(settings.rows).toEqual([['false', 'true', 'UTC', 'false']]);
    } finally {
      s.close();
    }
    expect(broke).toEqual([]);
    expect(held).toHaveLength(ESCAPES.length);
    expect(snapshot(caseDir)).toEqual(caseBefore);
    expect(snapshot(path.dirname(outside))).toEqual(outsideBefore);
  });
});
