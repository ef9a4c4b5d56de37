/**
 * CloudTrail landing (sql/20_land/cloudtrail.sql): every delivery shape, the fallbacks of
 * lookup-events, deduplication across deliveries, and bad input.
 */
import { landQuery } from '../../src/store/land.js';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync, inflateRawSync, constants as zc } from 'node:zlib';
import path from 'node:path';
import { ingest, makeCase, query, tempDir } from '../helpers/case.js';
import { SAMPLES, itSamples } from '../helpers/samples.js';
import type { Row } from '../../src/store/store.js';
import { openStore } from '../../src/store/open-store.js';
import { applyMacros, SQL_DIR } from '../../src/store/lake-views.js';
import { tableDoc } from '../../src/lake/schema.js';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'cloudtrail');
const LOOKUP_STS = path.join(
  SAMPLES,
  'cloudtrail-lookup-events/aws-samples-eks-security-immersion-day__pod-identity-deep-dive@468a09e__lookup-events-sts-AssumeRole-session-tags.json',
);
const STS_POD_IDENTITY = path.join(
  SAMPLES,
  'cloudtrail/aws-samples-eks-security-immersion-day__pod-identity-deep-dive__sts-AssumeRole-by-pods.eks-session-tags.json',
);

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function newCase(o: Parameters<typeof makeCase>[0] = {}): string {
  const c = makeCase(o);
  cleanups.push(c.cleanup);
  return c.caseDir;
}

/** Writes files under a fresh temp folder; returns the absolute path of each. */
function inputs(files: Record<string, string | Buffer>): Record<string, string> {
  const t = tempDir('podtrail-ct-');
  cleanups.push(t.cleanup);
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const p = path.join(t.dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
    out[name] = p;
  }
  return out;
}

async function fileRow(caseDir: string, origin: string): Promise<Row> {
  const rows = await query(caseDir, 'select * from evidence_files order by origin');
  const r = rows.find((x) => x['origin'] === origin);
  expect(r, origin).toBeDefined();
  return r!;
}

/** A hand-made event (not a sample copy): node role DescribeInstances with the given overrides. */
function event(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAYW5PODTRAILNODE01:i-08736224042c4ee75',
      arn: 'arn:aws:sts::111122223333:assumed-role/eks-workers-node-role/i-08736224042c4ee75',
      accountId: '111122223333',
      accessKeyId: 'ASIAYW5PODTRAILNODE1',
      sessionContext: { attributes: { creationDate: '2026-10-20T09:05:11Z' }, ec2RoleDelivery: '2.0' },
    },
    eventTime: '2026-10-20T09:50:12Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.0.10.170',
    requestParameters: null,
    responseElements: null,
    eventID: '00000000-0000-4000-8000-000000000001',
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    ...over,
  };
}

/** Output columns and types of a land SQL file, run over an empty `src` (JSON shows as VARCHAR with alias JSON). */
async function landOutputColumns(sqlFile: string): Promise<{ name: string; type: string }[]> {
  const t = tempDir('podtrail-cols-');
  cleanups.push(t.cleanup);
  const store = await openStore({ database: ':memory:', allowedDirectories: [t.dir] });
  try {
    await applyMacros(store);
    await store.run(`create temp view src as select null::VARCHAR as _efid, null::BIGINT as _ordinal, null::BIGINT as _line, '' as _path, null::JSON as _doc where false`);
    await store.run('create temp table pt_seen_event_ids (event_id VARCHAR, s3 BOOLEAN)');
    const sql = landQuery(path.join(SQL_DIR, '20_land', sqlFile));
    const params = { duplicate_keys: [] as string[], evidence_file_id: 'x', window_lo: '2000-01-01 00:00:00.000', window_hi: '2030-01-01 00:00:00.000', snapshot_at: '2026-10-20T09:50:00Z' };
    const reader = await (await store.prepare(`select * from (${sql}) limit 0`, params)).runAndReadAll();
    return reader.columnNames().map((name, i) => {
      const type = reader.columnTypes()[i]!;
      return { name, type: type.alias ?? type.toString() };
    });
  } finally {
    store.close();
  }
}

describe('cloudtrail: output contract', () => {
  it('cloudtrail.sql emits exactly the cloud_events columns with their types, then _disposition', async () => {
    const expected = tableDoc('cloud_events')!.columns.map((c) => ({ name: c.name, type: c.type }));
    expect(await landOutputColumns('cloudtrail.sql')).toEqual([...expected, { name: '_disposition', type: 'VARCHAR' }]);
  });
});

describe('cloudtrail: delivery shapes', () => {
  it('EventBridge: the event under detail lands as eventbridge; another detail-type is an unknown shape', async () => {
    const caseDir = newCase();
    const file = path.join(FIXTURES, 'eventbridge-irsa.jsonl');
    await ingest(caseDir, [file]);
    const ef = await fileRow(caseDir, file);
    expect(ef).toMatchObject({ status: 'landed', layout: 'lines', records_total: '2', records_landed: '1', records_rejected: '1' });
    const rows = await query(caseDir, 'select * from cloud_events');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      row_id: `${ef['evidence_file_id']}-00000001`,
      line: '1',
      record_path: '/detail',
      delivery: 'eventbridge',
      event_id: 'a4e1c9f2-7b3d-4e6a-8c5f-1d2e3f4a5b61',
      event_name: 'AssumeRoleWithWebIdentity',
      principal_type: 'WebIdentityUser',
      web_identity_subject: 'system:serviceaccount:payments:payments-api',
      web_identity_provider: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C4A8B1E2D3F40718293A4B5C6D7E8F9',
      issued_access_key_id: 'ASIAYW5PODTRAILIRSA1',
      issued_session_arn: 'arn:aws:sts::111122223333:assumed-role/payments-api/aws-sdk-java-1792489862117',
      issued_session_name: 'aws-sdk-java-1792489862117',
      issued_role_arn: 'arn:aws:iam::111122223333:role/payments-api',
      issued_expires_at: '2026-10-20 10:51:02',
      vpc_endpoint_id: 'vpce-0a1b2c3d4e5f60789',
      source_ip: '10.0.10.45',
      session_tags: null,
    });
    expect(String(rows[0]!['response_elements'])).not.toContain('FwoGZXIvYXdzEPT');
    const rejects = await query(caseDir, 'select line, record_path, reason from ingest_rejects');
    expect(rejects).toEqual([{ line: '2', record_path: '', reason: 'unknown_shape' }]);
  });

  it('JSON lines of events: event-lines, line numbers, data events, vpcEndpointId fallback, IAM CreateAccessKey', async () => {
    const caseDir = newCase();
    const file = path.join(FIXTURES, 'event-lines-s3-data-and-iam.jsonl');
    await ingest(caseDir, [file]);
    const rows = await query(caseDir, 'select * from cloud_events order by line');
    expect(rows.map((r) => [r['line'], r['delivery'], r['record_path']])).toEqual([
      ['1', 'event-lines', ''],
      ['2', 'event-lines', ''],
      ['3', 'event-lines', ''],
    ]);
    expect(rows[0]).toMatchObject({
      event_name: 'GetObject',
      event_category: 'data',
      read_only: true,
      vpc_endpoint_id: 'vpce-0f9e8d7c6b5a40321',
      access_key_id: 'ASIAYW5PODTRAILIRSA1',
      session_name: 'aws-sdk-java-1792489862117',
      session_issuer_arn: 'arn:aws:iam::111122223333:role/payments-api',
      web_identity_provider: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C4A8B1E2D3F40718293A4B5C6D7E8F9',
      web_identity_subject: null,
      tls_host: 'payments-ledger.s3.us-east-1.amazonaws.com',
      response_elements: null,
    });
    expect(JSON.parse(String(rows[0]!['resources']))[0]).toEqual({ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::payments-ledger/exports/2026-10-20.csv' });
    expect(JSON.parse(String(rows[0]!['additional_event_data']))['bytesTransferredOut']).toBe(48213);
    // eventVersion 1.05: no eventCategory, managementEvent false -> data; endpoint only in additionalEventData
    expect(rows[1]).toMatchObject({
      event_name: 'PutObject',
      event_category: 'data',
      read_only: false,
      vpc_endpoint_id: 'vpce-0f9e8d7c6b5a40321',
      session_name: 'i-08736224042c4ee75',
      ec2_role_delivery: '1.0',
    });
    expect(rows[2]).toMatchObject({
      event_name: 'CreateAccessKey',
      principal_type: 'IAMUser',
      user_name: 'ci-deployer',
      access_key_id: 'AKIAYW5PODTRAILCIKEY',
      issued_access_key_id: 'AKIAYW5PODTRAILNEWK1',
      issued_expires_at: null,
      session_name: null,
      event_category: 'management',
    });
  });

  it('lookup-events: outer EventId/EventTime/ReadOnly/AccessKeyId/Username/Resources fill what the inner event lacks', async () => {
    const caseDir = newCase();
    const file = path.join(FIXTURES, 'lookup-events-fallbacks.json');
    await ingest(caseDir, [file]);
    const ef = await fileRow(caseDir, file);
    expect(ef).toMatchObject({ layout: 'document', records_total: '3', records_landed: '1', records_rejected: '2' });
    const rows = await query(caseDir, 'select * from cloud_events');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event_id: '6f8a0c2e-4a6c-4e8a-9c2e-4a6c8e0a2c35',
      record_path: '/Events/0',
      line: null,
      delivery: 'lookup-events',
      ts_raw: '2026-10-20T11:55:20+02:00',
      ts: '2026-10-20 09:55:20',
      read_only: true,
      access_key_id: 'ASIAYW5PODTRAILNODE2',
      // an AssumedRole's lookup-events Username is its session name, not a user name
      session_name: 'i-0a1b2c3d4e5f60718',
      user_name: null,
      ec2_role_delivery: '2.0',
      event_name: 'GetAuthorizationToken',
      resources: '[]',
    });
    const rejects = await query(caseDir, 'select reject_id, record_path, reason from ingest_rejects order by reject_id');
    expect(rejects).toEqual([
      { reject_id: `${ef['evidence_file_id']}-00000001-000002`, record_path: '/Events/1', reason: 'invalid_json' },
      { reject_id: `${ef['evidence_file_id']}-00000001-000003`, record_path: '/Events/2', reason: 'invalid_envelope' },
    ]);
  });

  it('a pretty-printed single event is single-event; a one-line file of one event too', async () => {
    const caseDir = newCase();
    const f = inputs({
      'one-line.json': JSON.stringify(event({ eventID: 'one-line-event' })) + '\n',
      'pretty.json': JSON.stringify(event({ eventID: 'pretty-event' }), null, 2) + '\n',
    });
    await ingest(caseDir, Object.values(f));
    const rows = await query(caseDir, 'select event_id, delivery, line, record_path from cloud_events order by event_id');
    expect(rows).toEqual([
      { event_id: 'one-line-event', delivery: 'single-event', line: '1', record_path: '' },
      { event_id: 'pretty-event', delivery: 'single-event', line: null, record_path: '' },
    ]);
  });

  it('event times: Panther "2024-10-17 21:48:45.000000000" parses; +hh:mm offsets are applied; session tags Key/Value and repeated keys', async () => {
    const caseDir = newCase();
    const tags = [
      { Key: 'team', Value: 'payments' },
      { key: 'team', value: 'ignored: the first entry of a key wins' },
      { key: 'kubernetes-pod-uid', value: '3f6b2c1a-9d4e-4b7a-8e21-5c0d7f9a1b23' },
      { value: 'no key: dropped' },
    ];
    const f = inputs({
      'panther.jsonl': [
        JSON.stringify(event({ eventID: 'panther-time', eventTime: '2024-10-17 21:48:45.000000000' })),
        JSON.stringify(event({ eventID: 'offset-time', eventTime: '2024-10-18T08:48:45+11:00', requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/x', tags } })),
      ].join('\n') + '\n',
    });
    await ingest(caseDir, [f['panther.jsonl']!]);
    const rows = await query(caseDir, `select event_id, ts, ts_raw, session_tags, session_tags['team'] as team from cloud_events order by event_id`);
    expect(rows).toEqual([
      {
        event_id: 'offset-time',
        ts: '2024-10-17 21:48:45',
        ts_raw: '2024-10-18T08:48:45+11:00',
        session_tags: [
          { key: 'team', value: 'payments' },
          { key: 'kubernetes-pod-uid', value: '3f6b2c1a-9d4e-4b7a-8e21-5c0d7f9a1b23' },
        ],
        team: 'payments',
      },
      { event_id: 'panther-time', ts: '2024-10-17 21:48:45', ts_raw: '2024-10-17 21:48:45.000000000', session_tags: null, team: null },
    ]);
  });

  it('secrets in requestParameters/responseElements never land (sessionToken, secretAccessKey, password)', async () => {
    const caseDir = newCase();
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYPODTRAILKEY';
    const token = 'FwoGZXIvYXdzEJr//////////wEaDPodtrailSecretTokenValue';
    const f = inputs({
      'secrets.json':
        JSON.stringify({
          Records: [
            event({
              eventID: 'secret-bearing',
              eventSource: 'iam.amazonaws.com',
              eventName: 'CreateAccessKey',
              requestParameters: { userName: 'ci-deployer', password: 'hunter2-hunter2' },
              responseElements: {
                accessKey: { accessKeyId: 'AKIAYW5PODTRAILNEWK2', secretAccessKey: secret, status: 'Active' },
                credentials: { sessionToken: token },
              },
            }),
          ],
        }) + '\n',
    });
    await ingest(caseDir, [f['secrets.json']!]);
    const rows = await query(caseDir, 'select to_json(cloud_events)::VARCHAR as s, issued_access_key_id, response_elements from cloud_events');
    expect(rows).toHaveLength(1);
    expect(rows[0]!['issued_access_key_id']).toBe('AKIAYW5PODTRAILNEWK2');
    for (const v of [secret, token, 'hunter2-hunter2']) expect(String(rows[0]!['s'])).not.toContain(v);
    const re = JSON.parse(String(rows[0]!['response_elements'])) as { accessKey: Record<string, string> };
    const marker = `[REDACTED sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}]`;
    expect(re.accessKey['secretAccessKey']).toBe(marker);
  });
});

describe('cloudtrail: deduplication', () => {
  /** The lookup-events sample's event, as CloudTrail writes it into its S3 log file (built here, never committed). */
  function s3CopyOfLookupEvent(): Record<string, string> {
    const lookup = JSON.parse(readFileSync(LOOKUP_STS, 'utf8')) as { Events: { CloudTrailEvent: string }[] };
    const inner = JSON.parse(lookup.Events[0]!.CloudTrailEvent) as Record<string, unknown>;
    const key = 'AWSLogs/823571991546/CloudTrail/us-west-2/2023/12/13/823571991546_CloudTrail_us-west-2_20231213T0115Z_abc.json.gz';
    return inputs({ [key]: gzipSync(Buffer.from(JSON.stringify({ Records: [inner] }))) });
  }

  itSamples('the same event in lookup-events output and in an S3 log file lands once, from the S3 file', async () => {
    const caseDir = newCase();
    const s3 = Object.values(s3CopyOfLookupEvent())[0]!;
    // lookup-events first on the command line: the S3 log file still lands first
    const r = await ingest(caseDir, [LOOKUP_STS, s3]);
    expect(r.files.every((f) => f.status === 'landed')).toBe(true);
    const s3Row = await fileRow(caseDir, s3);
    const lookupRow = await fileRow(caseDir, LOOKUP_STS);
    expect(s3Row).toMatchObject({ records_landed: '1', records_duplicate: '0', s3_key: expect.stringMatching(/^AWSLogs\/823571991546\//) });
    expect(lookupRow).toMatchObject({ records_landed: '0', records_duplicate: '1', records_total: '1' });
    const rows = await query(caseDir, `select evidence_file_id, delivery, row_id, line, record_path, session_tags['kubernetes-pod-uid'] as pod_uid from cloud_events`);
    expect(rows).toEqual([
      {
        evidence_file_id: s3Row['evidence_file_id'],
        delivery: 's3-log-file',
        row_id: `${s3Row['evidence_file_id']}-00000001-000001`,
        line: '1',
        record_path: '/Records/0',
        pod_uid: '91eee131-74f3-49d4-8f7c-bcde305c120b',
      },
    ]);
    const dups = await query(caseDir, 'select * from ingest_duplicates');
    expect(dups).toEqual([
      {
        row_id: `${lookupRow['evidence_file_id']}-00000001-000001`,
        evidence_file_id: lookupRow['evidence_file_id'],
        line: null,
        record_path: '/Events/0',
        event_id: '55621424-173a-3b4e-a321-661c4206278c',
        ts: '2023-12-13 01:14:20',
      },
    ]);
  });

  itSamples('an event landed by an earlier ingest is a duplicate in a later one', async () => {
    const caseDir = newCase();
    const s3 = Object.values(s3CopyOfLookupEvent())[0]!;
    await ingest(caseDir, [s3]);
    await ingest(caseDir, [LOOKUP_STS]);
    const lookupRow = await fileRow(caseDir, LOOKUP_STS);
    expect(lookupRow).toMatchObject({ records_landed: '0', records_duplicate: '1' });
    const n = await query(caseDir, 'select count(*)::INTEGER as n, min(delivery) as d from cloud_events');
    expect(n).toEqual([{ n: 1, d: 's3-log-file' }]);
  });

  it('inside one file: the first copy that can land wins; an earlier rejected or out-of-window copy does not hide it', async () => {
    const caseDir = newCase({ from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z', margin: '0s' });
    const id = 'repeated-event-id';
    const f = inputs({
      'repeats.json':
        JSON.stringify({
          Records: [
            event({ eventID: id, eventTime: 'not a time' }),
            event({ eventID: id, eventTime: '2026-10-19T09:00:00Z' }),
            event({ eventID: id, eventTime: '2026-10-20T09:30:00Z' }),
            event({ eventID: id, eventTime: '2026-10-20T09:30:00Z' }),
          ],
        }) + '\n',
    });
    await ingest(caseDir, [f['repeats.json']!]);
    const ef = await fileRow(caseDir, f['repeats.json']!);
    expect(ef).toMatchObject({ records_total: '4', records_rejected: '1', records_out_of_window: '1', records_landed: '1', records_duplicate: '1' });
    const landed = await query(caseDir, 'select record_path from cloud_events');
    expect(landed).toEqual([{ record_path: '/Records/2' }]);
    const dups = await query(caseDir, 'select record_path from ingest_duplicates');
    expect(dups).toEqual([{ record_path: '/Records/3' }]);
  });
});

describe('cloudtrail: bad input', () => {
  it('a Records list with elements that cannot land: each element gets its own reason, the good ones land', async () => {
    const caseDir = newCase();
    const file = path.join(FIXTURES, 'records-bad-elements.json');
    await ingest(caseDir, [file]);
    const ef = await fileRow(caseDir, file);
    expect(ef).toMatchObject({ status: 'landed', records_total: '8', records_landed: '1', records_rejected: '6', records_duplicate: '1' });
    const rejects = await query(caseDir, 'select record_path, reason, message from ingest_rejects order by reject_id');
    expect(rejects.map((r) => [r['record_path'], r['reason']])).toEqual([
      ['/Records/1', 'invalid_envelope'],
      ['/Records/2', 'invalid_envelope'],
      ['/Records/3', 'unknown_shape'],
      ['/Records/4', 'missing_id'],
      ['/Records/5', 'missing_timestamp'],
      ['/Records/6', 'invalid_timestamp'],
    ]);
    expect(String(rejects[5]!['message'])).toContain('"yesterday at noon"');
    const landed = await query(caseDir, 'select record_path, session_name, ec2_role_delivery from cloud_events');
    expect(landed).toEqual([{ record_path: '/Records/0', session_name: 'i-08736224042c4ee75', ec2_role_delivery: '1.0' }]);
  });

  it('a log file whose first Records element is broken is still detected as CloudTrail', async () => {
    const caseDir = newCase();
    const f = inputs({ 'first-broken.json': JSON.stringify({ Records: [null, event({ eventID: 'second-is-fine' })] }) + '\n' });
    const r = await ingest(caseDir, Object.values(f));
    expect(r.files[0]).toMatchObject({ status: 'landed', source: 'cloudtrail' });
    expect(await query(caseDir, 'select record_path, reason from ingest_rejects')).toEqual([{ record_path: '/Records/0', reason: 'invalid_envelope' }]);
    expect(await query(caseDir, 'select event_id, record_path from cloud_events')).toEqual([{ event_id: 'second-is-fine', record_path: '/Records/1' }]);
  });

  it('an event with no eventID is rejected as missing_id; values that are no event or envelope are rejected, not refused', async () => {
    const caseDir = newCase();
    const noId = event();
    delete noId['eventID'];
    const f = inputs({
      'lines.jsonl': [
        JSON.stringify(event({ eventID: 'fine' })),
        JSON.stringify(noId),
        JSON.stringify({ Records: { not: 'an array' } }),
        JSON.stringify({ hello: 'world' }),
        JSON.stringify({ Records: [] }),
      ].join('\n') + '\n',
    });
    await ingest(caseDir, [f['lines.jsonl']!]);
    const ef = await fileRow(caseDir, f['lines.jsonl']!);
    // the empty Records list holds no record
    expect(ef).toMatchObject({ status: 'landed', records_landed: '1', records_rejected: '3', records_total: '4' });
    const rejects = await query(caseDir, 'select line, record_path, reason from ingest_rejects order by reject_id');
    expect(rejects).toEqual([
      { line: '2', record_path: '', reason: 'missing_id' },
      { line: '3', record_path: '/Records', reason: 'invalid_envelope' },
      { line: '4', record_path: '', reason: 'unknown_shape' },
    ]);
  });

  it('a CloudTrail .json.gz log file cut in the middle: one rejected record and the gzip problem with its byte offset', async () => {
    const caseDir = newCase();
    const records = Array.from({ length: 30 }, (_, i) =>
      event({ eventID: `cut-${i}`, requestID: createHash('sha256').update(String(i)).digest('hex').repeat(8) }),
    );
    const gz = gzipSync(Buffer.from(JSON.stringify({ Records: records })));
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const f = inputs({ 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/20/111122223333_CloudTrail_us-east-1_20261020T0950Z_cut.json.gz': cut });
    const file = Object.values(f)[0]!;
    const r = await ingest(caseDir, [file]);
    expect(r.files[0]!.status).toBe('landed');
    const ef = await fileRow(caseDir, file);
    expect(ef).toMatchObject({ source_type: 'cloudtrail', layout: 'document', records_total: '1', records_rejected: '1', records_landed: '0' });
    const rejects = await query(caseDir, 'select reject_id, reason, byte_offset, message from ingest_rejects order by reject_id');
    expect(rejects.map((x) => x['reason'])).toEqual(['truncated_record', 'gzip_truncated']);
    expect(rejects[1]!['byte_offset']).toBe(String(cut.length));
    expect(String(rejects[0]!['message'])).not.toContain(caseDir);
    expect(await query(caseDir, 'select count(*)::INTEGER as n from cloud_events')).toEqual([{ n: 0 }]);
  });

  it('JSON lines of events in a .json.gz cut in the middle: every complete line lands, the cut one is rejected', async () => {
    const caseDir = newCase();
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify(event({ eventID: `line-${i}`, requestID: createHash('sha256').update(String(i)).digest('hex').repeat(8) })),
    );
    const gz = gzipSync(Buffer.from(lines.join('\n') + '\n'));
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    // count the complete lines independently: inflate what is there
    const inflated = inflateRawSync(cut.subarray(10), { finishFlush: zc.Z_SYNC_FLUSH }).toString('utf8');
    const complete = inflated.split('\n').length - 1;
    expect(complete).toBeGreaterThan(5);
    const f = inputs({ 'events.jsonl.gz': cut });
    await ingest(caseDir, [f['events.jsonl.gz']!]);
    const ef = await fileRow(caseDir, f['events.jsonl.gz']!);
    expect(ef).toMatchObject({ records_landed: String(complete), records_rejected: '1', records_total: String(complete + 1) });
    const rejects = await query(caseDir, 'select line, reason from ingest_rejects order by reject_id');
    expect(rejects).toEqual([
      { line: String(complete + 1), reason: 'truncated_record' },
      { line: null, reason: 'gzip_truncated' },
    ]);
    const rows = await query(caseDir, 'select min(line)::INTEGER as lo, max(line)::INTEGER as hi, count(*)::INTEGER as n from cloud_events');
    expect(rows).toEqual([{ lo: 1, hi: complete, n: complete }]);
  });

  it('a 2.6 MB log file of 800 records lands within the memory limit (a lateral unnest join ran out of it)', async () => {
    const caseDir = newCase();
    const records = Array.from({ length: 800 }, (_, i) =>
      event({ eventID: `bulk-${i}`, requestID: createHash('sha256').update(String(i)).digest('hex').repeat(40) }),
    );
    const body = JSON.stringify({ Records: records });
    expect(body.length).toBeGreaterThan(2_500_000);
    const f = inputs({ 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/10/20/111122223333_CloudTrail_us-east-1_20261020T1000Z_bulk.json': body });
    const r = await ingest(caseDir, Object.values(f));
    expect(r.files[0]!.landing).toMatchObject({ landed: 800, rejected: 0 });
    const rows = await query(caseDir, `select min(record_path) as lo, count(distinct row_id)::INTEGER as n from cloud_events`);
    expect(rows).toEqual([{ lo: '/Records/0', n: 800 }]);
  });

  itSamples('outside the case window: counted out_of_window, nothing landed', async () => {
    const caseDir = newCase({ from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z', margin: '15m' });
    await ingest(caseDir, [STS_POD_IDENTITY]);
    const ef = await fileRow(caseDir, STS_POD_IDENTITY);
    expect(ef).toMatchObject({ records_out_of_window: '1', records_landed: '0', records_total: '1' });
    expect(await query(caseDir, 'select count(*)::INTEGER as n from cloud_events')).toEqual([{ n: 0 }]);
  });
});
