/**
 * The two files a live collection writes land like any evidence: the pod watch lines
 * (podtrail.k8s-watch/v1 -> k8s_pod_events) and the collection log (podtrail.collection/v1 ->
 * collection_log), with their output contracts, and bad records rejected with a reason and a line.
 */
import { landQuery } from '../../src/store/land.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, makeCase, query, tempDir } from '../helpers/case.js';
import { openStore } from '../../src/store/open-store.js';
import { applyMacros, SQL_DIR } from '../../src/store/lake-views.js';
import { tableDoc } from '../../src/lake/schema.js';
import type { IngestResult } from '../../src/ingest/ingest-case.js';

async function outputColumns(sqlFile: string): Promise<{ name: string; type: string }[]> {
  const t = tempDir('podtrail-cols-');
  const store = await openStore({ database: ':memory:', allowedDirectories: [t.dir] });
  try {
    await applyMacros(store);
    await store.run(`create temp view src as select null::VARCHAR as _efid, null::BIGINT as _ordinal, null::BIGINT as _line, '' as _path, null::JSON as _doc where false`);
    const sql = landQuery(path.join(SQL_DIR, '20_land', sqlFile));
    const params = { window_lo: '2000-01-01 00:00:00.000', window_hi: '2030-01-01 00:00:00.000' };
    const reader = await (await store.prepare(`select * from (${sql}) limit 0`, params)).runAndReadAll();
    return reader.columnNames().map((name, i) => ({ name, type: reader.columnTypes()[i]!.alias ?? reader.columnTypes()[i]!.toString() }));
  } finally {
    store.close();
    t.cleanup();
  }
}

const W = (received: string, event: string, extra = ''): string =>
  `{"format":"podtrail.k8s-watch/v1","collection":"k8s-x","run":1,"request":3,${extra}"received_at":${received},"event":${event}}`;
const POD = '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","namespace":"ns","uid":"u-1","resourceVersion":"11","creationTimestamp":"2026-10-20T09:00:00Z","deletionTimestamp":"2026-10-20T09:10:30Z","deletionGracePeriodSeconds":30},"spec":{"nodeName":"n1","hostNetwork":true},"status":{"phase":"Running","podIP":"10.0.0.9","hostIP":"10.0.0.9"}}';

describe('collection files: output contracts', () => {
  it('k8s_watch.sql emits exactly the k8s_pod_events columns with their types, then _disposition', async () => {
    expect(await outputColumns('k8s_watch.sql')).toEqual([...tableDoc('k8s_pod_events')!.columns.map((c) => ({ name: c.name, type: c.type })), { name: '_disposition', type: 'VARCHAR' }]);
  });
  it('collection_log.sql emits exactly the collection_log columns with their types, then _disposition', async () => {
    expect(await outputColumns('collection_log.sql')).toEqual([...tableDoc('collection_log')!.columns.map((c) => ({ name: c.name, type: c.type })), { name: '_disposition', type: 'VARCHAR' }]);
  });
});

describe('collection files: landing and bad records', () => {
  let caseDir = '';
  let cleanup = (): void => {};
  let result: IngestResult;
  beforeAll(async () => {
    const c = makeCase({ from: '2026-10-20T08:00:00Z', to: '2026-10-20T10:30:00Z' });
    caseDir = c.caseDir;
    const t = tempDir('podtrail-collection-files-');
    cleanup = () => {
      c.cleanup();
      t.cleanup();
    };
    const watch = [
      W('"2026-10-20T09:11:02.250Z"', `{"type":"DELETED","object":${POD}}`),
      W('"2026-10-20T09:11:03.000Z"', '{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12","creationTimestamp":null}}}'),
      W('"2026-10-20T09:11:04.000Z"', '{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 5 (9)","reason":"Expired","code":410}}'),
      W('"2026-10-20T09:11:05Z"', '{"type":"ADDED","object":{"metadata":{"name":"no-uid"}}}'), // missing_id
      W('"yesterday"', `{"type":"ADDED","object":${POD}}`), // invalid_timestamp
      '{"format":"podtrail.k8s-watch/v1","event":{"type":"ADDED","object":{}}}', // missing_timestamp
      W('"2026-10-21T09:00:00Z"', `{"type":"MODIFIED","object":${POD}}`), // out of window
      W('"2026-10-20T09:11:06Z"', '{"object":{}}'), // unknown_shape
      W('"2026-10-20T09:11:07Z"', '{"type":"ADDED","object":{"metadata":{"uid":"u-2"'), // cut: invalid_json
    ].join('\n');
    writeFileSync(path.join(t.dir, 'watch-pods-run0001.jsonl'), `${watch}\n`);
    const log = [
      '{"format":"podtrail.collection/v1","record":"request","collection_id":"k8s-x","run":1,"seq":1,"attempt":1,"server":"https://10.0.0.1:443","method":"GET","path":"/api/v1/pods?limit=500","resource":"pods","verb":"list","requested_at":"2026-10-20T09:10:00.000Z","responded_at":"2026-10-20T09:10:00.120Z","status":200,"outcome":"ok","resource_version":"9","request_bytes":0,"request_sha256":"aa","response_bytes":10,"response_sha256":"bb","response_file":"collect/k8s-x/pods-p0001.json","server_date":"2026-10-20T09:10:01.000Z","clock_difference_ms":-880,"identity":"alice","message":null}',
      '{"format":"podtrail.collection/v1","record":"gap","collection_id":"k8s-x","run":1,"server":"https://10.0.0.1:443","gap":"forbidden","resource":"serviceaccounts","verb":"list","from":null,"to":null,"at":"2026-10-20T09:10:01Z","message":"forbidden: list serviceaccounts"}',
      '{"format":"podtrail.collection/v1","record":"mystery","at":"2026-10-20T09:10:01Z"}', // unknown_shape
      '{"format":"podtrail.collection/v1","record":"run","state":"started"}', // missing_timestamp
    ].join('\n');
    writeFileSync(path.join(t.dir, 'collection-run0001.jsonl'), `${log}\n`);
    result = await ingest(caseDir, [t.dir]);
  });
  afterAll(() => cleanup());

  it('accounts for every watch line: landed, rejected with a reason, out of window', async () => {
    const f = result.files.find((x) => x.origin.endsWith('watch-pods-run0001.jsonl'))!;
    expect(f.source).toBe('k8s-watch');
    expect([f.landing!.total, f.landing!.landed, f.landing!.rejected, f.landing!.outOfWindow]).toEqual([9, 3, 5, 1]);
    const rejects = await query(caseDir, `select line, reason from ingest_rejects where evidence_file_id = '${f.evidenceFileId}' order by line`);
    expect(rejects).toEqual([
      { line: '4', reason: 'missing_id' },
      { line: '5', reason: 'invalid_timestamp' },
      { line: '6', reason: 'missing_timestamp' },
      { line: '8', reason: 'unknown_shape' },
      { line: '9', reason: 'invalid_json' },
    ]);
  });

  it('lands the event fields: deletion requested = deletionTimestamp - grace, ERROR Status, bookmarks', async () => {
    const rows = await query(
      caseDir,
      `select event_type, received_at::VARCHAR as received_at, uid, resource_version, host_network, pod_ips, deletion_timestamp::VARCHAR as deadline, deletion_requested_at::VARCHAR as requested, status_code, status_reason from k8s_pod_events order by received_at`,
    );
    expect(rows).toEqual([
      { event_type: 'DELETED', received_at: '2026-10-20 09:11:02.25', uid: 'u-1', resource_version: '11', host_network: true, pod_ips: ['10.0.0.9'], deadline: '2026-10-20 09:10:30', requested: '2026-10-20 09:10:00', status_code: null, status_reason: null },
      { event_type: 'BOOKMARK', received_at: '2026-10-20 09:11:03', uid: null, resource_version: '12', host_network: false, pod_ips: [], deadline: null, requested: null, status_code: null, status_reason: null },
      { event_type: 'ERROR', received_at: '2026-10-20 09:11:04', uid: null, resource_version: null, host_network: false, pod_ips: [], deadline: null, requested: null, status_code: 410, status_reason: 'Expired' },
    ]);
  });

  it('lands the collection log records; an unknown record or one without a time is rejected', async () => {
    const rows = await query(caseDir, `select record, resource, status, clock_difference_ms, gap, message from collection_log order by line`);
    expect(rows).toEqual([
      { record: 'request', resource: 'pods', status: 200, clock_difference_ms: '-880', gap: null, message: null },
      { record: 'gap', resource: 'serviceaccounts', status: null, clock_difference_ms: null, gap: 'forbidden', message: 'forbidden: list serviceaccounts' },
    ]);
    const f = result.files.find((x) => x.origin.endsWith('collection-run0001.jsonl'))!;
    const rejects = await query(caseDir, `select line, reason from ingest_rejects where evidence_file_id = '${f.evidenceFileId}' order by line`);
    expect(rejects).toEqual([
      { line: '3', reason: 'unknown_shape' },
      { line: '4', reason: 'missing_timestamp' },
    ]);
  });
});
