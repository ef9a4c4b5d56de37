/**
 * Duplicate CloudTrail copies land the same way whatever the order of the ingest calls: an S3 log
 * file ingested after a lookup-events copy of the same event replaces it (the replaced copy moves
 * to ingest_duplicates, its file's counts follow, custody records the replacement), so the case
 * holds what it holds when both are ingested together or the other way round.
 */
import { describe, expect, it } from 'vitest';
import { scratch } from './scratch.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, query } from '../helpers/case.js';
import { casePaths } from '../../src/case/case-paths.js';
import { readCustody } from '../../src/custody/custody-log.js';
import { caseProblems } from './invariants.js';

const { newCase, dir } = scratch();

const event = (id: string, minute: number) => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ci', accountId: '111122223333', accessKeyId: 'AKIAEXAMPLEEXAMPLE01', userName: 'ci' },
  eventTime: `2026-10-20T09:${String(minute).padStart(2, '0')}:00Z`,
  eventSource: 'sts.amazonaws.com',
  eventName: 'GetCallerIdentity',
  awsRegion: 'us-west-2',
  sourceIPAddress: '203.0.113.5',
  eventID: id,
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
});

function inputs(): { lookup: string; s3: string; other: string } {
  const root = dir('podtrail-ct-order-');
  const lookup = path.join(root, 'lookup-events.json');
  writeFileSync(
    lookup,
    JSON.stringify({
      Events: ['e-1', 'e-2', 'e-3'].map((id, i) => ({ EventId: id, EventName: 'GetCallerIdentity', EventTime: `2026-10-20T09:0${i}:00+00:00`, EventSource: 'sts.amazonaws.com', CloudTrailEvent: JSON.stringify(event(id, i)) })),
    }),
  );
  // the S3 log file (no AWSLogs key in its path: it is known by its content) holds e-2, e-3 and e-4
  mkdirSync(path.join(root, 'logs'));
  const s3 = path.join(root, 'logs', 'trail.json');
  writeFileSync(s3, JSON.stringify({ Records: [event('e-2', 1), event('e-3', 2), event('e-4', 3)] }));
  const other = path.join(root, 'eventbridge.json');
  writeFileSync(other, JSON.stringify({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.sts', detail: event('e-4', 3) }));
  return { lookup, s3, other };
}

async function state(caseDir: string): Promise<unknown> {
  return {
    events: await query(caseDir, 'select event_id, row_id, delivery from cloud_events order by event_id'),
    duplicates: await query(caseDir, 'select event_id, row_id, evidence_file_id from ingest_duplicates order by row_id'),
    files: await query(caseDir, 'select evidence_file_id, records_total, records_landed, records_duplicate from evidence_files order by 1'),
  };
}

describe('CloudTrail copies across ingest calls', () => {
  it('an S3 log file wins whatever the order: later, earlier or in the same call', async () => {
    const { lookup, s3, other } = inputs();
    const orders = [[[lookup], [other], [s3]], [[s3], [lookup], [other]], [[lookup, s3, other]], [[other, lookup], [s3]]];
    const states: unknown[] = [];
    for (const calls of orders) {
      const caseDir = newCase({ from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z' });
      for (const paths of calls) await ingest(caseDir, paths);
      expect(await caseProblems(caseDir)).toEqual([]);
      states.push(await state(caseDir));
    }
    const first = states[0] as { events: { event_id: string; delivery: string }[] };
    expect(first.events.map((e) => `${e.event_id}:${e.delivery}`)).toEqual(['e-1:lookup-events', 'e-2:s3-log-file', 'e-3:s3-log-file', 'e-4:s3-log-file']);
    for (const s of states.slice(1)) expect(s).toEqual(states[0]);
  });

  it('the replacement is recorded in custody, naming both copies', async () => {
    const { lookup, s3 } = inputs();
    const caseDir = newCase({ from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z' });
    await ingest(caseDir, [lookup]);
    await ingest(caseDir, [s3]);
    const entry = readCustody(casePaths(caseDir).custody).entries.find((e) => e.action === 'transformed' && e.purpose.startsWith('deduplication'));
    expect(entry?.purpose).toMatch(/2 CloudTrail events landed earlier from another delivery replaced by the copies in S3 log files/);
    const replaced = entry!.object['replaced'] as { event_id: string; replaced_delivery: string }[];
    expect(replaced.map((r) => `${r.event_id}:${r.replaced_delivery}`)).toEqual(['e-2:lookup-events', 'e-3:lookup-events']);
  });
});
