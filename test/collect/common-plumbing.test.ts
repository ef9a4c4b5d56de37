/** The collection plumbing shared by the live collectors: failure kinds, retry and Retry-After, request digests. */
import { describe, expect, it } from 'vitest';
import { RequestFailure, kindOfStatus, kindOfTransportError, retryAfterMs } from '../../src/collect/common/collect-error.js';
import { retryDelay, withRetry, type RetryPolicy } from '../../src/collect/common/retry.js';
import { requestDigest, serverClock, sha256Hex } from '../../src/collect/common/request-record.js';
import { CustodySink } from '../../src/collect/common/custody-sink.js';
import { readCustody, verifyChain } from '../../src/custody/custody-log.js';
import { casePaths } from '../../src/case/case-paths.js';
import { makeCase } from '../helpers/case.js';
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const policy: RetryPolicy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 4, maxRetryAfterMs: 10 };
const fail = (kind: RequestFailure['kind'], retryAfter: number | null = null): RequestFailure =>
  new RequestFailure({ kind, server: 'https://k8s.example:6443', what: 'list pods', detail: kind, retryAfterMs: retryAfter });

describe('collect plumbing', () => {
  it('Retry-After: delta seconds or an HTTP date; anything else is none', () => {
    const now = Date.parse('2026-10-20T09:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Tue, 20 Oct 2026 09:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Tue, 20 Oct 2026 08:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(undefined, now)).toBeNull();
  });

  it('classifies statuses and transport errors; only transient kinds are retried', () => {
    expect([401, 403, 404, 410, 429, 500, 503, 400].map(kindOfStatus)).toEqual(['unauthorized', 'forbidden', 'not-found', 'expired', 'throttled', 'server', 'server', 'protocol']);
    expect(kindOfTransportError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }).kind).toBe('unreachable');
    expect(kindOfTransportError({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', message: 'unable to verify the first certificate' }).kind).toBe('tls');
    expect(kindOfTransportError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }).kind).toBe('tls');
    expect(kindOfTransportError({ name: 'AbortError', message: 'The operation was aborted' }).kind).toBe('timeout');
    expect(kindOfTransportError({ code: 'ECONNRESET', message: 'socket hang up' }).kind).toBe('cut');
    expect(kindOfTransportError({ code: 'ERR_STREAM_PREMATURE_CLOSE', message: 'Premature close' }).kind).toBe('cut');
    expect(['unreachable', 'throttled', 'server', 'timeout', 'cut'].every((k) => fail(k as RequestFailure['kind']).retryable)).toBe(true);
    expect(['tls', 'unauthorized', 'forbidden', 'not-found', 'expired', 'protocol'].some((k) => fail(k as RequestFailure['kind']).retryable)).toBe(false);
  });

  it('backoff doubles up to its ceiling; a Retry-After wins, cut to its ceiling', () => {
    expect([1, 2, 3, 4].map((a) => retryDelay(policy, a, fail('server')).delayMs)).toEqual([1, 2, 4, 4]);
    expect(retryDelay(policy, 1, fail('throttled', 7))).toEqual({ delayMs: 7, fromRetryAfter: true });
    expect(retryDelay(policy, 1, fail('throttled', 60_000))).toEqual({ delayMs: 10, fromRetryAfter: true });
  });

  it('withRetry: retries transient failures a bounded number of times, never a permanent one', async () => {
    let n = 0;
    const notices: number[] = [];
    await expect(withRetry(async () => { n++; throw fail('server'); }, policy, { onRetry: (x) => notices.push(x.attempt) })).rejects.toThrow('https://k8s.example:6443: gave up after 4 attempts: list pods: server');
    expect([n, notices]).toEqual([4, [1, 2, 3]]);
    n = 0;
    await expect(withRetry(async () => { n++; throw fail('forbidden'); }, policy)).rejects.toThrow('list pods: forbidden');
    expect(n).toBe(1);
    n = 0;
    expect(await withRetry(async () => { if (++n < 3) throw fail('cut'); return 'ok'; }, policy)).toBe('ok');
    expect(n).toBe(3);
  });

  it('a request digest covers method, URL and body, never headers; the server clock difference is local minus Date', () => {
    const d = requestDigest('POST', 'https://k8s.example:6443/apis/authentication.k8s.io/v1/selfsubjectreviews', '{"kind":"SelfSubjectReview"}');
    expect(d).toEqual({ bytes: 28, sha256: sha256Hex('POST https://k8s.example:6443/apis/authentication.k8s.io/v1/selfsubjectreviews\n\n{"kind":"SelfSubjectReview"}') });
    expect(serverClock('Tue, 20 Oct 2026 09:00:00 GMT', Date.parse('2026-10-20T09:00:01.250Z'))).toEqual({ server_date: '2026-10-20T09:00:00.000Z', clock_difference_ms: 1250 });
    expect(serverClock(undefined, 0)).toEqual({ server_date: null, clock_difference_ms: null });
  });

  it('custody entries that cannot take the case lock wait in a spill file, and a later sink (the next run) appends them', async () => {
    const c = makeCase();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const p = casePaths(c.caseDir);
      const spill = path.join(c.caseDir, 'custody-pending.json');
      writeFileSync(p.lock, String(holder.pid)); // another live podtrail holds the case
      const sink = new CustodySink(p, 'tester', spill);
      sink.add('GET /api/v1/pods -> 200 ok', '2026-10-20T09:00:00.000Z', { kind: 'request' });
      await sink.flush();
      expect(existsSync(spill)).toBe(true);
      expect(readCustody(p.custody).entries).toEqual([]);
      rmSync(p.lock); // the other process is done
      const next = new CustodySink(p, 'tester', spill); // e.g. the run after a kill
      expect(next.pendingCount).toBe(1);
      await next.flush(true);
      const { entries, lines } = readCustody(p.custody);
      expect(entries.map((e) => [e.action, e.purpose])).toEqual([['collected', 'GET /api/v1/pods -> 200 ok']]);
      expect(verifyChain(lines)).toEqual([]);
      expect(existsSync(spill)).toBe(false);
    } finally {
      holder.kill();
      c.cleanup();
    }
  });
});
