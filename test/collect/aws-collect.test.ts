/**
 * `podtrail collect aws` over the wire against the loopback AWS account (test/servers/aws): the real
 * SDK clients through their endpoint setting, credentials from the default chain, every request
 * in custody with its request id, LookupEvents per region at 2 requests per second, the trail's log
 * and digest files with their signature metadata and public keys, landed and validated; the IAM
 * policy lists exactly the actions the collector used; no secret anywhere in the case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { query } from '../helpers/case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { ACCESS_KEY, CALLER, SECRET_KEY, SESSION_TOKEN, startAccount, type Account } from './aws-harness.js';
import type { CollectAwsResult } from '../../src/collect/aws/collect-aws.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

function custody(caseDir: string): Obj[] {
  return readFileSync(path.join(caseDir, 'custody.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Obj);
}

describe('collect aws: a whole collection', () => {
  let a: Account;
  let r: CollectAwsResult;
  beforeAll(async () => {
    a = await startAccount();
    r = await a.collect({ eventSources: ['s3.amazonaws.com', 'sts.amazonaws.com'] });
    await correlateCase(a.caseDir);
  });
  afterAll(async () => a?.cleanup());

  it('finishes every step and lands what it fetched', () => {
    expect(r.complete).toBe(true);
    expect(r.identity).toBe(`${CALLER.arn} (account ${CALLER.account}, user id ${CALLER.userId})`);
    expect(r.steps.map((s) => `${s.state} ${s.step}`)).toEqual([
      'done LookupEvents us-east-1 EventSource=s3.amazonaws.com',
      'done LookupEvents us-east-1 EventSource=sts.amazonaws.com',
      'done LookupEvents us-west-2 EventSource=s3.amazonaws.com',
      'done LookupEvents us-west-2 EventSource=sts.amazonaws.com',
      'done trail s3://podtrail-test-trail/',
      'done public keys us-east-1',
      'done public keys us-west-2',
    ]);
    // an empty page (no sts events in a region) has the same bytes in both regions: one piece of evidence
    expect(r.ingest!.files.filter((f) => f.status === 'refused')).toEqual([]);
    expect(r.ingest!.files.filter((f) => f.status === 'landed').length).toBeGreaterThan(20);
  });

  it('asks LookupEvents once per region and event source, 50 a page, over the window and its margin', () => {
    const lookups = a.aws.requests('cloudtrail:LookupEvents');
    const bodies = lookups.map((x) => JSON.parse(x.body.toString('utf8')) as Obj);
    expect(new Set(lookups.map((x) => x.region))).toEqual(new Set(['us-east-1', 'us-west-2']));
    expect(bodies.every((b) => b['MaxResults'] === 50 && b['LookupAttributes'].length === 1)).toBe(true);
    expect(bodies[0]!['StartTime']).toBe(Date.parse('2026-10-20T07:15:00Z') / 1000);
    expect(bodies[0]!['EndTime']).toBe(Date.parse('2026-10-20T09:45:00Z') / 1000);
    // every page was asked once: tokens never repeat within a scan
    const tokens = bodies.map((b, i) => `${lookups[i]!.region}:${JSON.stringify(b['LookupAttributes'])}:${b['NextToken'] ?? ''}`);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('fetches the logs delivered over the window (and an hour after), their digests, and the keys of both regions', () => {
    const gets = a.aws.requests('s3:GetObject').map((x) => x.path);
    expect(new Set(gets).size).toBe(gets.length);
    expect(gets.filter((k) => k.includes('/CloudTrail-Digest/'))).toHaveLength(6);
    expect(gets.filter((k) => k.includes('/CloudTrail/'))).toHaveLength(12);
    expect(a.aws.requests('cloudtrail:ListPublicKeys').map((x) => x.region).sort()).toEqual(['us-east-1', 'us-west-2']);
  });

  it('validates the trail it collected: every digest and log valid, only the chain start a gap', async () => {
    const v = await query(a.caseDir, `select object_kind, status, count(*)::INTEGER as n from cloudtrail_validation group by all order by all`);
    expect(v).toEqual([
      { object_kind: 'digest', status: 'valid', n: 6 },
      { object_kind: 'gap', status: 'GAP', n: 2 },
      { object_kind: 'log', status: 'valid', n: 12 },
    ]);
    expect(r.ingest!.trail).not.toBeNull();
    const located = await query(a.caseDir, `select count(*)::INTEGER as n from cloudtrail_validation where s3_bucket = 'podtrail-test-trail' and object_kind <> 'gap'`);
    expect(located[0]!['n']).toBe(18);
  });

  it('records every request in custody: identity, parameters, request id, attempt', () => {
    const requests = custody(a.caseDir).filter((e) => e.object?.kind === 'request');
    expect(requests.length).toBe(a.aws.received.length);
    expect(new Set(requests.map((e) => e.object.request_id))).toEqual(new Set(a.aws.received.map((x) => x.requestId)));
    const lookup = requests.find((e) => e.object.verb === 'LookupEvents')!;
    expect(lookup.object).toMatchObject({ attempt: 1, outcome: 'ok', identity: r.identity, resource: 'events/us-east-1/s3.amazonaws.com' });
    expect(lookup.object.parameters).toMatchObject({ MaxResults: 50, StartTime: '2026-10-20T07:15:00.000Z', LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }] });
    expect(requests.find((e) => e.object.verb === 'GetCallerIdentity')!.object.message).toContain(CALLER.arn);
  });

  it('writes no secret anywhere in the case (the access key id is an identifier and may appear)', () => {
    for (const f of allFiles(a.caseDir)) {
      const bytes = readFileSync(f);
      expect(bytes.includes(SECRET_KEY), f).toBe(false);
      expect(bytes.includes(SESSION_TOKEN), f).toBe(false);
    }
    expect(a.aws.received.every((x) => x.accessKeyId === ACCESS_KEY)).toBe(true);
  });

  it('the IAM policy in deploy/ lists exactly the actions the collector used', () => {
    const policy = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'deploy', 'podtrail-collector-aws-policy.json'), 'utf8')) as Obj;
    const granted = new Set((policy['Statement'] as Obj[]).flatMap((s) => s['Action'] as string[]));
    const permission: Record<string, string> = {
      'sts:GetCallerIdentity': 'sts:GetCallerIdentity',
      'cloudtrail:LookupEvents': 'cloudtrail:LookupEvents',
      'cloudtrail:ListPublicKeys': 'cloudtrail:ListPublicKeys',
      's3:ListObjectsV2': 's3:ListBucket',
      's3:HeadBucket': 's3:ListBucket',
      's3:GetObject': 's3:GetObject',
      's3:HeadObject': 's3:GetObject',
    };
    const used = new Set(a.aws.received.map((x) => permission[`${x.service}:${x.operation}`] ?? `${x.service}:${x.operation}`));
    // kms:Decrypt is used by S3 on the collector's behalf for SSE-KMS trails (see the KMS test)
    // the cluster inventory's actions (ec2, eks, iam, logs) are used with --cluster: test/collect/aws-inventory.test.ts
    expect(new Set([...granted].filter((x) => x !== 'kms:Decrypt' && !/^(ec2|eks|iam|logs):/.test(x)))).toEqual(used);
    expect(JSON.stringify(policy)).not.toMatch(/"(s3|cloudtrail|sts|kms):(Put|Delete|Create|Update|Stop|Start)/);
  });
});

describe('collect aws: LookupEvents at 2 requests per second', () => {
  it('never sends more than 2 requests a second per region, and says what the limit costs', async () => {
    const a = await startAccount({ lookupTps: 2, trail: { eventsPerLog: 60 } });
    try {
      const r = await a.collect({ trail: null, lookupRatePerSecond: 2 });
      expect(r.complete).toBe(true);
      const sent = custody(a.caseDir).filter((e) => e.object?.kind === 'request' && e.object.verb === 'LookupEvents').map((e) => e.object);
      expect(sent.filter((x) => x.outcome !== 'ok')).toEqual([]); // the server never had to throttle
      for (const region of ['us-east-1', 'us-west-2']) {
        const at = sent.filter((x) => x.resource.startsWith(`events/${region}/`)).map((x) => Date.parse(x.requested_at));
        expect(at.length).toBeGreaterThanOrEqual(5);
        // requested_at is taken when the request leaves, after the pacer and the SDK's signing (a few ms of jitter)
        for (let i = 2; i < at.length; i++) expect(at[i]! - at[i - 2]!, `${region} requests ${i - 2}..${i}`).toBeGreaterThanOrEqual(950);
        expect(at[at.length - 1]! - at[0]!).toBeGreaterThanOrEqual((at.length - 1) * 500 - 50);
      }
      expect(a.aws.received.filter((x) => x.operation === 'LookupEvents').length).toBe(a.aws.requests('cloudtrail:LookupEvents').length);
      expect(a.logs.some((l) => /the 2 requests\/s limit held requests \d+\.\d s in all/.test(l))).toBe(true);
      expect(a.logs.some((l) => /about \d+ pages left: at least \d+\.\d s at the limit of 2 requests\/s/.test(l))).toBe(true);
      expect(a.logs.some((l) => /management events only/.test(l))).toBe(true);
    } finally {
      await a.cleanup();
    }
  });
});

describe('collect aws: layouts and horizons', () => {
  it('an organization trail under a prefix: AWSLogs/<org-id>/<account>/ found, fetched and valid', async () => {
    const a = await startAccount({ trail: { prefix: 'prod/trails', orgId: 'o-a1b2c3d4e5', eventsPerLog: 5 } });
    try {
      const r = await a.collect({ trail: `s3://${a.trail.bucket}/prod/trails` });
      expect(r.complete).toBe(true);
      expect(a.aws.requests('s3:GetObject').every((x) => x.path.startsWith(`/${a.trail.bucket}/prod/trails/AWSLogs/o-a1b2c3d4e5/111122223333/`))).toBe(true);
      await correlateCase(a.caseDir);
      const v = await query(a.caseDir, `select status, count(*)::INTEGER as n from cloudtrail_validation where object_kind <> 'gap' group by all`);
      expect(v).toEqual([{ status: 'valid', n: 18 }]);
    } finally {
      await a.cleanup();
    }
  });

  it('a window older than 90 days: LookupEvents says it cannot reach it, as a gap per region', async () => {
    const a = await startAccount({ window: { from: '2026-06-01T08:00:00Z', to: '2026-06-01T10:00:00Z' } });
    try {
      const r = await a.collect({ trail: null });
      expect(r.complete).toBe(true);
      expect(a.logs.some((l) => /^LookupEvents keeps 90 days: events before \S+ are not in it \(the window starts 2026-06-01T07:45:00.000Z\)/.test(l))).toBe(true);
      const gaps = await query(a.caseDir, `select gap, resource from collection_log where record = 'gap' order by resource`);
      expect(gaps).toEqual([
        { gap: 'lookup-horizon', resource: 'events/us-east-1' },
        { gap: 'lookup-horizon', resource: 'events/us-west-2' },
      ]);
    } finally {
      await a.cleanup();
    }
  });
});
