/**
 * The lookup-events horizon (sql/50_checks/chk_cloudtrail_files.sql) follows when the lookup ran,
 * not when its file was acquired: declared with ingest --collected-at, else bounded by what the
 * file shows (it ran after its newest event and before its acquisition). A file is described by
 * what it is: an EventBridge archive whose events an S3 log file also holds is no lookup-events
 * output and has no horizon. Hand-made inputs in the real formats (test/helpers/handmade.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ctEvent, ctLogFile, ctLogKey, eventBridgeLines, handmadeCase, identity, ingestInputs, lookupEventsFile, writeInput } from '../helpers/handmade.js';
import { query } from '../helpers/case.js';
import { checkCase } from '../../src/check/check-case.js';
import { createClock } from '../../src/core/clock.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';

const call = (id: string, time: string) =>
  ctEvent({ id, time, source: 'iam.amazonaws.com', name: 'ListRoles', identity: identity.iamUser({ user: 'ops-bot', key: 'AKIAOPSBOT0000000001' }), ip: '198.51.100.50' });

let caseDir: string;
let cleanup: () => void;

async function ingestOne(name: string, body: string, o: { asOf: string; collectedAt?: string }): Promise<void> {
  const file = path.join(caseDir, 'later', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  await ingestInputs(caseDir, { paths: [file], asOf: o.asOf, ...(o.collectedAt ? { collectedAt: o.collectedAt } : {}) });
}

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  const s3 = call('ev-s3', '2026-10-20T09:10:00Z');
  writeInput(caseDir, ctLogKey('2026-10-20T09:15:00Z', 'AbCdEf0123456789'), ctLogFile([s3]));
  // every event of the EventBridge archive is also in the S3 log file
  writeInput(caseDir, 'eventbridge-archive.jsonl', eventBridgeLines([s3]));
  writeInput(caseDir, 'lookup-undeclared.json', lookupEventsFile([call('ev-l2', '2026-10-20T09:30:00Z')]));
  await ingestInputs(caseDir, { asOf: '2027-03-01T00:00:00Z' });
  await ingestOne('lookup-declared-early.json', lookupEventsFile([call('ev-l1', '2026-10-20T09:20:00Z')]), { asOf: '2027-03-01T00:00:00Z', collectedAt: '2026-11-01T00:00:00Z' });
  await ingestOne('lookup-declared-late.json', lookupEventsFile([call('ev-l3', '2026-10-20T09:40:00Z')]), { asOf: '2027-03-01T00:00:00Z', collectedAt: '2027-03-01T00:00:00Z' });
  await correlateCase(caseDir);
  await checkCase(caseDir, undefined, createClock('2027-03-01T00:00:00Z'));
}, 120_000);

afterAll(() => cleanup?.());

async function horizons(): Promise<Record<string, { status: string; interval_to: string; message: string }>> {
  const rows = await query(
    caseDir,
    `select json_extract_string(detail, '$.file_name') as file_name, status, strftime(interval_to, '%Y-%m-%dT%H:%M:%SZ') as interval_to, message
     from gap_findings where kind = 'lookup-events-horizon' order by file_name`,
  );
  return Object.fromEntries(rows.map((r) => [String(r['file_name']), { status: String(r['status']), interval_to: String(r['interval_to']), message: String(r['message']) }]));
}

describe('lookup-events horizon from when the lookup ran', () => {
  it('records the declared collection time in the catalog', async () => {
    const r = await query(caseDir, `select regexp_extract(origin, '[^/]+$') as f, strftime(collected_at, '%Y-%m-%dT%H:%M:%SZ') as c from evidence_files where origin like '%lookup-declared%' order by f`);
    expect(r).toEqual([
      { f: 'lookup-declared-early.json', c: '2026-11-01T00:00:00Z' },
      { f: 'lookup-declared-late.json', c: '2027-03-01T00:00:00Z' },
    ]);
  });

  it('a lookup run 12 days after the window start reaches back over it, although its file was acquired months later', async () => {
    const h = (await horizons())['lookup-declared-early.json']!;
    expect(h.status).toBe('ok');
    expect(h.message).toContain('run 2026-11-01');
  });

  it('a lookup run 132 days after the window start misses everything before 90 days earlier', async () => {
    const h = (await horizons())['lookup-declared-late.json']!;
    expect({ status: h.status, interval_to: h.interval_to }).toEqual({ status: 'gap', interval_to: '2026-12-01T00:00:00Z' });
    expect(h.message).toContain('(ingest --collected-at)');
  });

  it('without a declared run time, the acquisition alone proves nothing: unknown, with the bounds the file shows', async () => {
    const h = (await horizons())['lookup-undeclared.json']!;
    expect(h.status).toBe('unknown');
    expect(h.message).toContain('between its newest event (2026-10-20) and its acquisition (2027-03-01)');
  });

  it('an EventBridge archive is not lookup-events output: no horizon for it', async () => {
    expect(Object.keys(await horizons()).sort()).toEqual(['lookup-declared-early.json', 'lookup-declared-late.json', 'lookup-undeclared.json']);
    const dup = await query(caseDir, `select count(*)::INTEGER as n from ingest_duplicates where record_path = '/detail'`);
    expect(dup).toEqual([{ n: 1 }]);
  });

  it('refuses a collection time after the acquisition, naming the option', async () => {
    const file = path.join(caseDir, 'inputs', 'lookup-undeclared.json');
    await expect(
      ingestCase({ caseDir, paths: [file], source: null, operator: 'tester', snapshotAt: null, collectedAt: '2027-04-01T00:00:00Z', clock: createClock('2027-03-01T00:00:00Z'), log: () => {} }),
    ).rejects.toThrow(/--collected-at 2027-04-01T00:00:00.000Z is after the acquisition time/);
  });
});
