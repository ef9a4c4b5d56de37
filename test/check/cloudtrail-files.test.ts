/**
 * The CloudTrail log-file check (sql/50_checks/chk_cloudtrail_files.sql) on hand-made cases built
 * from the complete baseline (test/helpers/check-baseline.ts): S3 log files written gzipped under
 * CASE/inputs/cloudtrail/AWSLogs/<account>/CloudTrail/<region>/..., ingested in place so each
 * file's origin keeps its S3 key.
 *   defects  no log file for 10:00-11:00 while the trail delivers 12 events an hour; management
 *            events only; a lookup-events output run 104 days after the window start (and one
 *            taken 40 days after, which reaches back over the whole window)
 *   data     the baseline: one S3 PutObject (eventCategory Data) among the management events
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ACCOUNT, REGION, ctEvent, identity, ingestInputs, lookupEventsFile } from '../helpers/handmade.js';
import { query } from '../helpers/case.js';
import { WINDOW, baselineSpec, buildCheckedCase, findings, notOk, type Finding } from '../helpers/check-baseline.js';

const LATE_AS_OF = '2027-02-01T00:00:00Z';
const lookupRecord = (id: string, time: string) =>
  ctEvent({ id, time, source: 'iam.amazonaws.com', name: 'ListRoles', identity: identity.iamUser({ user: 'ops-bot', key: 'AKIAOPSBOT0000000001' }), ip: '198.51.100.50' });

const built: Record<'defects' | 'data', { caseDir: string; cleanup: () => void; findings: Finding[] }> = {} as never;

beforeAll(async () => {
  const defects = baselineSpec();
  defects.cloudtrail = defects.cloudtrail.filter((r) => !String(r['eventTime']).startsWith('2026-10-20T10') && r['eventCategory'] !== 'Data');
  defects.extraFiles['cloudtrail-lookup/lookup-events-2026-11-29.json'] = lookupEventsFile([lookupRecord('ev-lookup-in-horizon', '2026-10-20T11:20:00Z')]);
  const d = await buildCheckedCase(defects, {
    afterIngest: async (caseDir) => {
      // a second lookup-events output, run (--collected-at) and acquired long after the window
      const late = path.join(caseDir, 'late', 'lookup-events-2027-02-01.json');
      mkdirSync(path.dirname(late));
      writeFileSync(late, lookupEventsFile([lookupRecord('ev-lookup-late', '2026-10-20T11:40:00Z')]));
      await ingestInputs(caseDir, { paths: [late], asOf: LATE_AS_OF, collectedAt: LATE_AS_OF });
    },
  });
  built.defects = { caseDir: d.caseDir, cleanup: d.cleanup, findings: await findings(d.caseDir) };
  const c = await buildCheckedCase(baselineSpec());
  built.data = { caseDir: c.caseDir, cleanup: c.cleanup, findings: await findings(c.caseDir) };
}, 180_000);

afterAll(() => {
  for (const b of Object.values(built)) b?.cleanup();
});

const one = (fs: Finding[], kind: string): Finding => {
  const f = fs.filter((x) => x.kind === kind);
  expect(f, kind).toHaveLength(1);
  return f[0]!;
};

describe('CloudTrail log files with defects', () => {
  it('the log files kept their S3 keys as origins', async () => {
    const r = await query(built.defects.caseDir, `select count(*)::INTEGER as n from evidence_files where s3_key like 'AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/%' and origin like 'inputs/cloudtrail/AWSLogs/%.json.gz'`);
    // hours 08, 09, 11 and 12: none for 10
    expect(r[0]!['n']).toBe(4);
  });

  it('finds exactly the missing hour, the missing data events and the lookup-events horizon', () => {
    expect(notOk(built.defects.findings)).toEqual(['cloudtrail-files/cloudtrail-hour-missing/gap', 'cloudtrail-files/lookup-events-horizon/gap', 'cloudtrail-files/no-data-events/gap']);
  });

  it('cloudtrail-hour-missing: the empty hour, in its account and region, at the trail\'s rate', () => {
    const f = one(built.defects.findings, 'cloudtrail-hour-missing');
    expect({ finding_id: f.finding_id, region: f.region, interval_from: f.interval_from, interval_to: f.interval_to }).toEqual({
      finding_id: `cloudtrail-files:${ACCOUNT}:${REGION}:2026-10-20T10`,
      region: REGION,
      interval_from: '2026-10-20T10:00:00.000000Z',
      interval_to: '2026-10-20T11:00:00.000000Z',
    });
    // 30 events over the 3.5 examined hours
    expect(f.value).toBeCloseTo(30 / 3.5, 2);
    expect(f.message).toContain('a delivery is missing');
  });

  it('no-data-events: management events only', () => {
    const f = one(built.defects.findings, 'no-data-events');
    expect(f.detail).toEqual({ management_events: 32, data_events: 0 });
    expect(f.value).toBe(0);
  });

  it('lookup-events-horizon: the late output is a gap from the window start to 90 days before it ran, the early one is ok', () => {
    const fs = built.defects.findings.filter((x) => x.kind === 'lookup-events-horizon');
    const late = fs.find((f) => f.detail['file_name'] === 'lookup-events-2027-02-01.json')!;
    const early = fs.find((f) => f.detail['file_name'] === 'lookup-events-2026-11-29.json')!;
    expect({ status: late.status, interval_from: late.interval_from, interval_to: late.interval_to }).toEqual({
      status: 'gap',
      interval_from: '2026-10-20T09:00:00.000000Z',
      interval_to: '2026-11-03T00:00:00.000000Z',
    });
    expect(late.message).toContain('90 days');
    expect(early.status).toBe('ok');
    expect(fs).toHaveLength(2);
  });
});

describe('CloudTrail log files with a data event', () => {
  it('data-events-present is ok and counts the data event', () => {
    const f = one(built.data.findings, 'data-events-present');
    expect({ status: f.status, value: f.value, interval_from: f.interval_from, interval_to: f.interval_to }).toEqual({
      status: 'ok',
      value: 1,
      interval_from: `${WINDOW.from.replace('Z', '')}.000000Z`,
      interval_to: `${WINDOW.to.replace('Z', '')}.000000Z`,
    });
  });

  it('every hour of the window is covered', () => {
    expect(notOk(built.data.findings)).toEqual([]);
    expect(one(built.data.findings, 'cloudtrail-files-complete').region).toBe(REGION);
  });
});
