/**
 * Public endpoints through a NAT, recognised by AWS's published ranges (ip-ranges.json, the small
 * file test/fixtures/ip-ranges.json in the documented structure): a connect to an address in
 * AWS's ranges is a connect to "an AWS service" (to S3 or DynamoDB only when their codes match),
 * and singles out a candidate only when no other candidate connected to any AWS address then.
 * Without the ranges file the rule does not fire and the egress check says so; podtrail ingest
 * --ip-ranges acquires it, and custody records its syncToken and hash. No endpoint is declared.
 *
 *   node-a 10.0.1.10, node-b 10.0.2.10, both behind NAT 203.0.113.10; Tetragon on both
 *   upload-1 (node-a), upload-2 (node-b): IRSA service account upload
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ACCOUNT,
  at,
  auditHeartbeat,
  ctEvent,
  ctLogFile,
  ctLogKey,
  editCaseYaml,
  handmadeCase,
  identity,
  ingestAndCorrelate,
  ingestInputs,
  kubeList,
  lines,
  node,
  pod,
  serviceAccount,
  snapshotName,
  tgConnect,
  tgHeartbeat,
  writeInput,
} from '../helpers/handmade.js';
import { AS_OF, query } from '../helpers/case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { checkCase } from '../../src/check/check-case.js';
import { createClock } from '../../src/core/clock.js';
import { casePaths } from '../../src/case/case-paths.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';

const RANGES = path.resolve(__dirname, '..', 'fixtures', 'ip-ranges.json');
const NAT = '203.0.113.10';
const S3_ADDR = '52.218.200.10';
const STS_ADDR = '52.94.5.5';
const DDB_ADDR = '35.71.64.20';
const SAAS_ON_EC2 = '44.230.1.1';
const uid = (n: number): string => `00000000-0000-4000-8000-0000000003${String(n).padStart(2, '0')}`;
const UP1 = { uid: uid(1), name: 'upload-1', node: 'node-a', ip: '10.0.1.41' };
const UP2 = { uid: uid(2), name: 'upload-2', node: 'node-b', ip: '10.0.2.41' };
const ref = (p: typeof UP1) => ({ namespace: 'files', name: p.name, uid: p.uid });
const EV = {
  put: 'range-01-s3-put-one-candidate',
  both: 'range-02-sts-two-candidates-to-aws',
  wrongCode: 'range-03-sts-only-an-s3-address',
  ec2: 'range-04-sts-other-reached-ec2-address',
};
const T = { put: '2026-10-20T09:10:00Z', both: '2026-10-20T09:20:00Z', wrongCode: '2026-10-20T09:30:00Z', ec2: '2026-10-20T09:40:00Z' };

let caseDir: string;
let cleanup: () => void;
const decisions = new Map<string, Record<string, unknown>[]>();
let missing: Record<string, unknown>[] = [];

async function snapshot(label: string): Promise<void> {
  decisions.set(label, await query(caseDir, `select event_id, confidence, rule_id, pod_uid from attributions order by event_id`));
}

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['egress'] = [{ label: 'nat-a', public: [NAT], nodes: ['node-a', 'node-b'], subnets: [] }];
  });
  const nodes = [node({ name: 'node-a', instanceId: 'i-0a000000000000301', ip: '10.0.1.10' }), node({ name: 'node-b', instanceId: 'i-0b000000000000302', ip: '10.0.2.10' })];
  const pods = [UP1, UP2].map((p) => pod({ uid: p.uid, namespace: 'files', name: p.name, node: p.node, ip: p.ip, serviceAccount: 'upload' }));
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList([serviceAccount({ namespace: 'files', name: 'upload', roleArn: `arn:aws:iam::${ACCOUNT}:role/files-upload` })]));
  }
  const c = (time: string, p: typeof UP1, daddr: string, s = -0.4): string => tgConnect({ time: at(time, s), node: p.node, saddr: p.ip, daddr, pod: ref(p) });
  const runtime = {
    'node-a': [c(T.put, UP1, S3_ADDR), c(T.both, UP1, STS_ADDR), c(T.ec2, UP1, STS_ADDR)],
    'node-b': [c(T.both, UP2, DDB_ADDR, -0.6), c(T.wrongCode, UP2, S3_ADDR), c(T.ec2, UP2, SAAS_ON_EC2, -0.8)],
  };
  for (const [n, extra] of Object.entries(runtime)) writeInput(caseDir, `tetragon/${n}.json`, lines([...tgHeartbeat(n, '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'), ...extra]));
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));
  // one key per call: a key's other decided calls would carry to it (key-carry), this tests the rule alone
  const who = (n: number) => identity.assumedRole({ role: 'files-upload', session: `botocore-session-upload-${n}`, key: `ASIAUPLOAD000000030${n}`, webIdentity: true });
  const records = [
    ctEvent({ id: EV.put, time: T.put, source: 's3.amazonaws.com', name: 'PutObject', identity: who(1), ip: NAT, category: 'Data', readOnly: false, params: { bucketName: 'files', key: 'a' } }),
    ctEvent({ id: EV.both, time: T.both, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(2), ip: NAT }),
    ctEvent({ id: EV.wrongCode, time: T.wrongCode, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(3), ip: NAT }),
    ctEvent({ id: EV.ec2, time: T.ec2, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(4), ip: NAT }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'awsranges00001'), ctLogFile(records));
  // first without the ranges file, then with it
  await ingestAndCorrelate(caseDir);
  await checkCase(caseDir, () => {}, createClock(AS_OF));
  await snapshot('without');
  missing = await query(caseDir, `select status, message from gap_findings where finding_id = 'egress:aws-ip-ranges'`);
  await ingestCase({ caseDir, paths: [RANGES], source: 'aws-ip-ranges', operator: 'tester', snapshotAt: null, clock: createClock(AS_OF), log: () => {} });
  await correlateCase(caseDir);
  await checkCase(caseDir, () => {}, createClock(AS_OF));
  await snapshot('with');
}, 120_000);

afterAll(() => cleanup?.());

const decision = (label: string, id: string) => decisions.get(label)!.find((r) => r['event_id'] === id)!;

describe('without an ip-ranges file', () => {
  it('the rule does not fire: the one candidate that reached S3 through the NAT is not named', () => {
    expect(decision('without', EV.put)).toMatchObject({ confidence: 'ambiguous', pod_uid: null });
  });

  it('and the egress check says so, counting the connects it could not recognise', () => {
    expect(missing).toHaveLength(1);
    expect(missing[0]!['status']).toBe('unknown');
    expect(String(missing[0]!['message'])).toContain('--ip-ranges');
  });
});

describe('with AWS ip-ranges.json', () => {
  it('lands one row per prefix, IPv4 and IPv6, with the publication', async () => {
    const r = await query(caseDir, `select family, count(*)::INTEGER as n, any_value(sync_token) as sync_token, strftime(any_value(published_at), '%Y-%m-%dT%H:%M:%SZ') as published_at from aws_ip_ranges group by family order by family`);
    expect(r).toEqual([
      { family: 4, n: 7, sync_token: '1792483200', published_at: '2026-10-20T08:00:00Z' },
      { family: 6, n: 2, sync_token: '1792483200', published_at: '2026-10-20T08:00:00Z' },
    ]);
  });

  it('one candidate reached an S3 address through its NAT, nobody else any AWS address: strong aws-range-connect', async () => {
    expect(decision('with', EV.put)).toEqual({ event_id: EV.put, confidence: 'strong', rule_id: 'irsa-aws-range-connect', pod_uid: UP1.uid });
    const d = await query(caseDir, `select decided_by ->> '$.basis' as basis, decided_by -> '$.runtime' ->> 0 as row_id from attributions where event_id = '${EV.put}'`);
    expect(d[0]!['basis']).toBe('aws-range');
    const row = await query(caseDir, `select dst_ip from runtime_events where row_id = '${String(d[0]!['row_id'])}'`);
    expect(row).toEqual([{ dst_ip: S3_ADDR }]);
  });

  it('another candidate connected to an AWS address then (DynamoDB): ambiguous, whatever service it was', () => {
    expect(decision('with', EV.both)).toMatchObject({ confidence: 'ambiguous', pod_uid: null });
  });

  it('an address coded S3 is not a connect to STS', () => {
    expect(decision('with', EV.wrongCode)).toMatchObject({ confidence: 'ambiguous', pod_uid: null });
  });

  it('an EC2-coded address (another customer\'s instance as well) is an AWS address too: it blocks', () => {
    expect(decision('with', EV.ec2)).toMatchObject({ confidence: 'ambiguous', pod_uid: null });
  });

  it('the egress check names the publication, and custody records its syncToken and hash', async () => {
    const f = await query(caseDir, `select kind, status, detail ->> '$.sync_token' as sync_token from gap_findings where finding_id = 'egress:aws-ip-ranges'`);
    expect(f).toEqual([{ kind: 'aws-ip-ranges', status: 'ok', sync_token: '1792483200' }]);
    const entries = readFileSync(casePaths(caseDir).custody, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; purpose?: string; object?: Record<string, unknown> });
    const last = entries.filter((e) => e.action === 'analyzed' && String(e.purpose).startsWith('correlation')).at(-1)!;
    const sha = await query(caseDir, `select sha256 from evidence_files where source_type = 'aws-ip-ranges'`);
    expect(last.object!['aws_ip_ranges']).toMatchObject({ sync_token: '1792483200', published_at: '2026-10-20T08:00:00Z', sha256: sha[0]!['sha256'], prefixes: 9 });
  });

  it('is recognised by content too: ingesting the same bytes again changes nothing', async () => {
    const before = await query(caseDir, `select count(*)::INTEGER as n from evidence_files where source_type = 'aws-ip-ranges'`);
    await ingestInputs(caseDir, { paths: [RANGES] });
    expect(await query(caseDir, `select count(*)::INTEGER as n from evidence_files where source_type = 'aws-ip-ranges'`)).toEqual(before);
  });
});
