/**
 * `podtrail collect aws` when AWS misbehaves, over the wire: throttling, 5xx, slow and cut
 * responses are retried by podtrail (each attempt in custody, with the wait before the next), a
 * refused listing or an SSE-KMS object without kms:Decrypt is a gap naming the permission, an
 * unreachable endpoint stops the run; and an interrupted collection continues without fetching
 * again anything it had.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { query } from '../helpers/case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { startAccount } from './aws-harness.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function requests(caseDir: string): Obj[] {
  return readFileSync(path.join(caseDir, 'custody.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Obj).filter((e) => e.object?.kind === 'request').map((e) => e.object);
}

describe('collect aws: failures', () => {
  it('throttling, 5xx, a slow answer and a cut body are retried; each attempt is recorded with its wait', async () => {
    const a = await startAccount();
    try {
      a.aws.faults.push(
        { request: 'cloudtrail:LookupEvents', action: { kind: 'error', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' } },
        { request: 's3:GetObject', match: (r) => r.path.includes('/CloudTrail-Digest/'), action: { kind: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' } },
        { request: 's3:GetObject', match: (r) => r.path.includes('/CloudTrail/'), action: { kind: 'cut', afterBytes: 40 } },
        { request: 'cloudtrail:ListPublicKeys', action: { kind: 'slow', ms: 1500 } },
        { request: 's3:ListObjectsV2', action: { kind: 'error', status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' } },
      );
      const r = await a.collect({ timeoutMs: 1000 });
      expect(r.complete).toBe(true);
      const rec = requests(a.caseDir);
      const failed = rec.filter((x) => x.outcome !== 'ok').map((x) => `${x.verb} ${x.outcome} ${x.retry_delay_ms}`).sort();
      expect(failed).toEqual(['GetObject cut 50', 'GetObject throttled 50', 'ListObjectsV2 server 50', 'ListPublicKeys timeout 50', 'LookupEvents throttled 50']);
      const cut = rec.find((x) => x.outcome === 'cut')!;
      expect(cut.message).toMatch(/connection cut before the response ended/);
      // the bytes that came before the cut are what the record says (the body was streamed to its file, which was removed)
      const body = a.trail.objects.get(decodeURIComponent(cut.path.split('?')[0]!.split('/').slice(2).join('/')))!.body;
      expect([cut.response_bytes, cut.response_sha256]).toEqual([40, createHash('sha256').update(body.subarray(0, 40)).digest('hex')]);
      expect(readdirSync(path.dirname(path.join(a.caseDir, rec.find((x) => x.path === cut.path && x.outcome === 'ok')!.response_file))).filter((f) => f.endsWith('.partial'))).toEqual([]);
      expect(rec.find((x) => x.verb === 'GetObject' && x.path === cut.path && x.outcome === 'ok')!.attempt).toBe(2);
      await correlateCase(a.caseDir);
      const v = await query(a.caseDir, `select count(*)::INTEGER as n from cloudtrail_validation where status not in ('valid', 'GAP')`);
      expect(v[0]!['n']).toBe(0);
    } finally {
      await a.cleanup();
    }
  });

  it('no s3:ListBucket: the trail is a gap naming the permission; LookupEvents is still collected', async () => {
    const a = await startAccount();
    try {
      a.s3.forbidList = new Set([a.trail.bucket]);
      const r = await a.collect();
      expect(r.complete).toBe(false);
      expect(r.steps.filter((s) => s.step.startsWith('LookupEvents')).every((s) => s.state === 'done')).toBe(true);
      const gaps = await query(a.caseDir, `select gap, verb, message from collection_log where record = 'gap'`);
      expect(gaps.length).toBeGreaterThan(0);
      expect(String(gaps[0]!['message'])).toMatch(/needs s3:ListBucket|s3:ListBucket/);
    } finally {
      await a.cleanup();
    }
  });

  it('an SSE-KMS log without kms:Decrypt: a forbidden gap that says kms:Decrypt is needed, and validation reports the log missing', async () => {
    const a = await startAccount();
    try {
      const key = [...a.trail.objects.keys()].find((k) => k.includes('/CloudTrail/us-west-2/'))!;
      a.s3.kmsDenied = new Set([key]);
      const r = await a.collect();
      expect(r.complete).toBe(false);
      const gaps = await query(a.caseDir, `select message from collection_log where record = 'gap' and verb = 'GetObject' and resource like '%' || $k`.replace('$k', `'${key}'`));
      expect(String(gaps[0]!['message'])).toMatch(/encrypted with SSE-KMS \(key arn:aws:kms:.*\): reading it needs kms:Decrypt on that key as well as s3:GetObject/);
      expect(a.aws.requests('s3:HeadObject')).toHaveLength(1);
      await correlateCase(a.caseDir);
      const v = await query(a.caseDir, `select status, reason from cloudtrail_validation where s3_key = '${key}'`);
      expect(v).toEqual([{ status: 'INVALID', reason: 'not found' }]);
    } finally {
      await a.cleanup();
    }
  });

  it('an unreachable endpoint stops the run after the bounded retries, with a clear message', async () => {
    const a = await startAccount();
    try {
      const r = await a.collect({ endpoint: 'http://127.0.0.1:9' });
      expect(r.failure).toMatch(/gave up after 3 attempts: .*(ECONNREFUSED|unreachable)/);
      expect(r.steps.every((s) => s.state !== 'done')).toBe(true);
    } finally {
      await a.cleanup();
    }
  });
});

describe('collect aws: interrupted, then continued', () => {
  it('continues from the checkpoint: no page or object it had fetched is fetched again', async () => {
    const a = await startAccount({ trail: { eventsPerLog: 40 } });
    try {
      const stop = new AbortController();
      a.aws.onRequest = (req) => {
        if (req.operation === 'GetObject' && a.aws.requests('s3:GetObject').length === 10) stop.abort(new Error('test: interrupted'));
      };
      const first = await a.collect({ signal: stop.signal, concurrency: 1 });
      expect(first.interrupted).toBe(true);
      a.aws.onRequest = null;
      const fetched1 = new Set(requests(a.caseDir).filter((x) => x.outcome === 'ok').map((x) => `${x.verb} ${x.path} ${JSON.stringify(x.parameters)}`));
      const second = await a.collect();
      expect(second.resumed).toBe(true);
      expect(second.complete).toBe(true);
      const run2 = requests(a.caseDir).filter((x) => x.run === 2 && x.outcome === 'ok' && x.verb !== 'GetCallerIdentity');
      expect(run2.length).toBeGreaterThan(0);
      for (const x of run2) expect(fetched1.has(`${x.verb} ${x.path} ${JSON.stringify(x.parameters)}`), `${x.verb} ${JSON.stringify(x.parameters)}`).toBe(false);
      // run 2 did not ask for the identity again: the checkpoint has it
      expect(requests(a.caseDir).filter((x) => x.verb === 'GetCallerIdentity')).toHaveLength(1);
      await correlateCase(a.caseDir);
      const v = await query(a.caseDir, `select object_kind, status, count(*)::INTEGER as n from cloudtrail_validation group by all order by all`);
      expect(v).toEqual([
        { object_kind: 'digest', status: 'valid', n: 6 },
        { object_kind: 'gap', status: 'GAP', n: 2 },
        { object_kind: 'log', status: 'valid', n: 12 },
      ]);
      const gaps = await query(a.caseDir, `select count(*)::INTEGER as n from chk_collection_gaps`);
      expect(gaps[0]!['n']).toBe(0); // the interrupted run's gaps are closed by the run that got it
    } finally {
      await a.cleanup();
    }
  });
});
