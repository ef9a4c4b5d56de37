import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landQuery } from '../../src/store/land.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeCase, ingest, query, tempDir } from '../helpers/case.js';
import type { IngestResult } from '../../src/ingest/ingest-case.js';
import type { Row } from '../../src/store/store.js';
import { openStore } from '../../src/store/open-store.js';
import { applyMacros, SQL_DIR } from '../../src/store/lake-views.js';
import { tableDoc } from '../../src/lake/schema.js';

/** Hand-made fixtures for every delivery of Kubernetes audit events (fixtures/kube-audit/). */

const FIX = path.resolve(__dirname, '..', '..', 'fixtures', 'kube-audit');
const EKS_EXPORT = path.join(FIX, 'eks-filter-log-events.json');
const EKS_SUB = path.join(FIX, 'eks-subscription.ndjson');
const GKE_LINES = path.join(FIX, 'gke-sink.jsonl');
const GKE_ARRAY = path.join(FIX, 'gke-logging-read.json');
const AKS_LINES = path.join(FIX, 'aks-diagnostics.jsonl');
const AKS_BLOB = path.join(FIX, 'aks-blob-records.json');

const COLS = `row_id, line, record_path, wrapper, audit_id, stage, is_final_stage, level, verb, request_uri, resource, subresource,
  namespace, name, object_uid, api_group, user_name, user_groups, user_extra_pod_name, user_extra_pod_uid, user_extra_node_name,
  credential_id, impersonated_user, issued_credential_id, bound_pod_name, bound_pod_uid, exec_command, exec_container,
  source_ips, user_agent, response_code, decision, request_received_at::VARCHAR as received, stage_at::VARCHAR as staged, annotations`;

describe('kube-audit: output contract', () => {
  it('kube_audit.sql emits exactly the kube_audit_events columns with their types, then _disposition', async () => {
    const t = tempDir('podtrail-cols-');
    const store = await openStore({ database: ':memory:', allowedDirectories: [t.dir] });
    try {
      await applyMacros(store);
      await store.run(`create temp view src as select null::VARCHAR as _efid, null::BIGINT as _ordinal, null::BIGINT as _line, '' as _path, null::JSON as _doc where false`);
      const sql = landQuery(path.join(SQL_DIR, '20_land', 'kube_audit.sql'));
      const params = { duplicate_keys: [] as string[], evidence_file_id: 'x', window_lo: '2000-01-01 00:00:00.000', window_hi: '2030-01-01 00:00:00.000' };
      const reader = await (await store.prepare(`select * from (${sql}) limit 0`, params)).runAndReadAll();
      const got = reader.columnNames().map((name, i) => ({ name, type: reader.columnTypes()[i]!.alias ?? reader.columnTypes()[i]!.toString() }));
      const expected = tableDoc('kube_audit_events')!.columns.map((c) => ({ name: c.name, type: c.type }));
      expect(got).toEqual([...expected, { name: '_disposition', type: 'VARCHAR' }]);
    } finally {
      store.close();
      t.cleanup();
    }
  });
});

describe('kube-audit wrappers', () => {
  let caseDir = '';
  let cleanup = (): void => {};
  let result: IngestResult;
  const efid = (file: string): string => result.files.find((f) => f.origin === file)!.evidenceFileId;
  const rowsOf = (file: string): Promise<Row[]> => query(caseDir, `select ${COLS} from kube_audit_events where evidence_file_id = '${efid(file)}' order by row_id`);
  const rejectsOf = (file: string): Promise<Row[]> =>
    query(caseDir, `select reject_id, line, record_path, reason, message from ingest_rejects where evidence_file_id = '${efid(file)}' order by reject_id`);
  const counts = async (file: string): Promise<Row> =>
    (await query(caseDir, `select layout, records_total, records_landed, records_rejected, records_out_of_window from evidence_files where evidence_file_id = '${efid(file)}'`))[0]!;

  beforeAll(async () => {
    ({ caseDir, cleanup } = makeCase());
    result = await ingest(caseDir, [EKS_EXPORT, EKS_SUB, GKE_LINES, GKE_ARRAY, AKS_LINES, AKS_BLOB]);
  });
  afterAll(() => cleanup());

  it('detects every fixture as kube-audit', () => {
    for (const f of result.files) {
      expect(f.status, `${f.origin}: ${f.message}`).toBe('landed');
      expect(f.source).toBe('kube-audit');
    }
  });

  it('EKS filter-log-events: one record per element of "events", a non-JSON message rejected as invalid_json', async () => {
    expect(await counts(EKS_EXPORT)).toEqual({ layout: 'document', records_total: '4', records_landed: '3', records_rejected: '1', records_out_of_window: '0' });
    const id = efid(EKS_EXPORT);
    expect(await rejectsOf(EKS_EXPORT)).toEqual([
      { reject_id: `${id}-00000001-000002`, line: null, record_path: '/events/1', reason: 'invalid_json', message: expect.stringMatching(/not valid JSON/) },
    ]);
    const rows = await rowsOf(EKS_EXPORT);
    expect(rows.map((r) => [r['row_id'], r['record_path'], r['wrapper'], r['line']])).toEqual([
      [`${id}-00000001-000001`, '/events/0', 'eks-cloudwatch', null],
      [`${id}-00000001-000003`, '/events/2', 'eks-cloudwatch', null],
      [`${id}-00000001-000004`, '/events/3', 'eks-cloudwatch', null],
    ]);
    const token = rows[0]!;
    expect(token).toMatchObject({
      audit_id: '0e7d3a51-93c4-4b8e-a1f6-52d9c8e4b210',
      level: 'Request',
      verb: 'create',
      resource: 'serviceaccounts',
      subresource: 'token',
      namespace: 'payments',
      name: 'checkout',
      user_name: 'system:node:ip-10-0-12-34.us-east-1.compute.internal',
      credential_id: 'X509SHA256=3f1c9a0d2b7e4c58a6d1f0e9b8c7a6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9',
      issued_credential_id: 'JTI=9d4c2b1a-7e6f-4a5b-8c9d-0e1f2a3b4c5d',
      bound_pod_name: 'checkout-6d9f7c8b5-x2x7q',
      bound_pod_uid: '7b1f0c2e-5d4a-4e3b-9c8d-1a2b3c4d5e6f',
      response_code: 201,
      received: '2024-08-28 21:30:02.731954',
      staged: '2024-08-28 21:30:02.740113',
    });
    const [started, complete] = [rows[1]!, rows[2]!];
    for (const r of [started, complete]) {
      expect(r).toMatchObject({
        audit_id: '5c0b6b4e-2f4d-4a77-9d2e-0c61b0f1e9a3',
        subresource: 'exec',
        exec_command: 'sh -c curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/',
        exec_container: 'app',
        user_name: 'arn:aws:sts::111122223333:assumed-role/ops-admin/alice',
        source_ips: ['198.51.100.23'],
        response_code: 101,
        decision: 'allow',
      });
    }
    expect([started['stage'], started['is_final_stage'], complete['stage'], complete['is_final_stage']]).toEqual(['ResponseStarted', false, 'ResponseComplete', true]);
  });

  it('EKS subscription payloads: logEvents elements land; a CONTROL_MESSAGE is one record rejected as control_message', async () => {
    expect(await counts(EKS_SUB)).toEqual({ layout: 'lines', records_total: '3', records_landed: '2', records_rejected: '1', records_out_of_window: '0' });
    const id = efid(EKS_SUB);
    expect(await rejectsOf(EKS_SUB)).toEqual([
      { reject_id: `${id}-00000001`, line: '1', record_path: '', reason: 'control_message', message: expect.stringMatching(/CONTROL_MESSAGE/) },
    ]);
    const rows = await rowsOf(EKS_SUB);
    expect(rows.map((r) => [r['row_id'], r['line'], r['record_path'], r['stage'], r['is_final_stage']])).toEqual([
      [`${id}-00000002-000001`, '2', '/logEvents/0', 'ResponseComplete', true],
      [`${id}-00000002-000002`, '2', '/logEvents/1', 'RequestReceived', true],
    ]);
    expect(rows[0]).toMatchObject({
      wrapper: 'eks-cloudwatch',
      user_name: 'system:serviceaccount:payments:checkout',
      credential_id: 'JTI=9d4c2b1a-7e6f-4a5b-8c9d-0e1f2a3b4c5d',
      user_extra_pod_name: 'checkout-6d9f7c8b5-x2x7q',
      user_extra_pod_uid: '7b1f0c2e-5d4a-4e3b-9c8d-1a2b3c4d5e6f',
      user_extra_node_name: 'ip-10-0-12-34.us-east-1.compute.internal',
      user_groups: ['system:serviceaccounts', 'system:serviceaccounts:payments', 'system:authenticated'],
      resource: 'secrets',
      name: 'stripe-api',
      source_ips: ['10.0.12.77'],
    });
    expect(rows[1]).toMatchObject({ verb: 'list', response_code: null, decision: null, annotations: '{}' });
  });

  it('the token issued in one delivery joins to its use in another (issued_credential_id = credential_id)', async () => {
    const joined = await query(
      caseDir,
      `select u.verb, i.bound_pod_uid, u.user_extra_pod_uid, u.source_ips[1] as ip
         from kube_audit_events i join kube_audit_events u on u.credential_id = i.issued_credential_id
        where i.wrapper = 'eks-cloudwatch' and u.is_final_stage order by u.request_received_at`,
    );
    const uid = '7b1f0c2e-5d4a-4e3b-9c8d-1a2b3c4d5e6f';
    expect(joined).toEqual([
      { verb: 'get', bound_pod_uid: uid, user_extra_pod_uid: uid, ip: '10.0.12.77' },
      { verb: 'list', bound_pod_uid: uid, user_extra_pod_uid: uid, ip: '10.0.12.77' },
    ]);
  });

  it('GKE Cloud Audit Log entries (one per line): methodName, resourceName, principalEmail, callerIp, labels', async () => {
    expect(await counts(GKE_LINES)).toEqual({ layout: 'lines', records_total: '3', records_landed: '3', records_rejected: '0', records_out_of_window: '0' });
    const [exec, token, secret] = await rowsOf(GKE_LINES);
    expect(exec).toMatchObject({
      line: '1',
      record_path: '',
      wrapper: 'gke',
      audit_id: '7f3e9c1a-2b4d-4e6f-8a0b-1c2d3e4f5a6b',
      stage: 'ResponseComplete',
      is_final_stage: true,
      level: null,
      verb: 'create',
      resource: 'pods',
      subresource: 'exec',
      namespace: 'shop',
      name: 'frontend-7c9d8b6f5-q4w2e',
      api_group: null,
      user_name: 'alice@example.com',
      source_ips: ['203.0.113.25'],
      user_agent: 'kubectl/v1.30.2 (darwin/arm64) kubernetes/3968350',
      decision: 'allow',
      // ns in the entry's timestamp, microseconds in the table
      received: '2024-08-28 21:31:12.123456',
      staged: '2024-08-28 21:31:12.123456',
      exec_command: null,
    });
    expect(JSON.parse(exec!['annotations'] as string)).toMatchObject({ 'authorization.k8s.io/decision': 'allow' });
    expect(token).toMatchObject({
      verb: 'create',
      resource: 'serviceaccounts',
      subresource: 'token',
      name: 'frontend',
      user_name: 'system:node:gke-shop-prod-default-pool-1a2b3c4d-x7k2',
      issued_credential_id: 'JTI=5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e',
      bound_pod_name: 'frontend-7c9d8b6f5-q4w2e',
      bound_pod_uid: '0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a',
    });
    // a denied request: the k8s Status in the response gives the HTTP code (status.code 7 is a google.rpc code)
    expect(secret).toMatchObject({ verb: 'get', resource: 'secrets', name: 'payment-gateway', decision: 'forbid', response_code: 403 });
  });

  it('GKE `gcloud logging read --format=json` array: each entry is a value; cluster-scoped resources parse', async () => {
    expect(await counts(GKE_ARRAY)).toEqual({ layout: 'document', records_total: '2', records_landed: '2', records_rejected: '0', records_out_of_window: '0' });
    const [crb, ns] = await rowsOf(GKE_ARRAY);
    expect(crb).toMatchObject({
      line: null,
      verb: 'create',
      api_group: 'rbac.authorization.k8s.io',
      resource: 'clusterrolebindings',
      namespace: null,
      name: 'frontend-admin',
      object_uid: '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d',
      response_code: null,
    });
    expect(ns).toMatchObject({ verb: 'get', resource: 'namespaces', name: 'shop', received: '2024-08-28 21:31:01.004' });
  });

  it('AKS diagnostic records: properties.log as a JSON string and as an object', async () => {
    expect(await counts(AKS_LINES)).toEqual({ layout: 'lines', records_total: '2', records_landed: '2', records_rejected: '0', records_out_of_window: '0' });
    const [exec, create] = await rowsOf(AKS_LINES);
    expect(exec).toMatchObject({
      line: '1',
      wrapper: 'aks',
      stage: 'ResponseStarted',
      is_final_stage: true,
      subresource: 'exec',
      namespace: 'orders',
      name: 'api-5f7d9c8b6-m3n4p',
      exec_command: '/bin/bash -c env | grep AZURE',
      exec_container: 'api',
      user_name: 'alice@contoso.com',
      received: '2024-08-28 21:32:40.410551',
    });
    expect(create).toMatchObject({
      line: '2',
      wrapper: 'aks',
      level: 'RequestResponse',
      verb: 'create',
      resource: 'pods',
      name: 'debug-shell',
      object_uid: 'c9d8e7f6-a5b4-4c3d-9e2f-1a0b9c8d7e6f',
      response_code: 201,
      exec_command: null,
    });
  });

  it('AKS blob {"records":[...]}: audit records land, another category is rejected as unknown_shape', async () => {
    expect(await counts(AKS_BLOB)).toEqual({ layout: 'document', records_total: '3', records_landed: '2', records_rejected: '1', records_out_of_window: '0' });
    const id = efid(AKS_BLOB);
    expect(await rejectsOf(AKS_BLOB)).toEqual([
      { reject_id: `${id}-00000001-000003`, line: null, record_path: '/records/2', reason: 'unknown_shape', message: expect.any(String) },
    ]);
    const rows = await rowsOf(AKS_BLOB);
    expect(rows.map((r) => [r['record_path'], r['stage'], r['is_final_stage'], r['staged']])).toEqual([
      ['/records/0', 'ResponseStarted', false, '2024-08-28 21:32:40.447109'],
      ['/records/1', 'ResponseComplete', true, '2024-08-28 21:36:02.00241'],
    ]);
  });
});

describe('kube-audit dispositions and redaction', () => {
  const base = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    stage: 'ResponseComplete',
    verb: 'get',
    requestURI: '/api/v1/namespaces/web/pods/web-1',
    user: { username: 'bob', groups: ['dev'] },
    sourceIPs: ['10.1.2.3'],
    objectRef: { resource: 'pods', namespace: 'web', name: 'web-1', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: '2024-08-28T21:30:00.000001Z',
    stageTimestamp: '2024-08-28T21:30:00.000900Z',
  };
  const ev = (o: Record<string, unknown>): string => JSON.stringify({ ...base, ...o });
  const without = (key: keyof typeof base, o: Record<string, unknown> = {}): string => {
    const copy: Record<string, unknown> = { ...base, ...o };
    delete copy[key];
    return JSON.stringify(copy);
  };

  it('rejects each bad record with the right reason and lands the rest', async () => {
    const tmp = tempDir();
    const { caseDir, cleanup } = makeCase({ from: '2024-08-28T21:00:00Z', to: '2024-08-28T22:00:00Z', margin: '0s' });
    try {
      const aksBadLog = { category: 'kube-audit', properties: { log: '{"kind":"Event","auditID":"x", cut here', pod: 'kube-apiserver-0' }, time: '2024-08-28T21:30:00Z' };
      const lines = [
        ev({ auditID: 'ok-1' }), // 1 landed
        without('requestReceivedTimestamp', { auditID: 'ok-2' }), // 2 landed (time from stageTimestamp)
        ev({ auditID: '' }), // 3 missing_id
        without('stageTimestamp', { auditID: 'no-time', requestReceivedTimestamp: undefined }), // 4 missing_timestamp
        ev({ auditID: 'bad-time', requestReceivedTimestamp: '2024-13-45T99:00:00Z' }), // 5 invalid_timestamp
        ev({ auditID: 'late', requestReceivedTimestamp: '2024-08-29T03:00:00Z', stageTimestamp: '2024-08-29T03:00:00.1Z' }), // 6 out_of_window
        JSON.stringify({ hello: 'world' }), // 7 unknown_shape
        JSON.stringify(aksBadLog), // 8 invalid_json (the log string)
        ev({ auditID: 'offset', requestReceivedTimestamp: '2024-08-28T23:45:00.123456+02:00', stageTimestamp: '2024-08-28T23:45:00.2+02:00' }), // 9 landed
        JSON.stringify({ kind: 'Event', apiVersion: 'v1', involvedObject: { kind: 'Pod' }, reason: 'Pulled' }), // 10 core Event: unknown_shape
        '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"cut', // 11 invalid_json (the whole line)
        ev({ auditID: 'after-cut' }), // 12 landed
        // 13 landed: the oldest shape, only `timestamp` (no apiVersion, no requestReceived/stageTimestamp)
        JSON.stringify({ auditID: 'legacy-ts', stage: 'ResponseComplete', verb: 'get', requestURI: '/api', user: { username: 'old' }, timestamp: '2024-08-28T21:31:00Z' }),
      ];
      const file = path.join(tmp.dir, 'audit.log');
      writeFileSync(file, lines.join('\n') + '\n');
      const r = await ingest(caseDir, [file]);
      expect(r.files[0]!.status).toBe('landed');
      const rejects = await query(caseDir, `select line, reason from ingest_rejects order by line`);
      expect(rejects).toEqual([
        { line: '3', reason: 'missing_id' },
        { line: '4', reason: 'missing_timestamp' },
        { line: '5', reason: 'invalid_timestamp' },
        { line: '7', reason: 'unknown_shape' },
        { line: '8', reason: 'invalid_json' },
        { line: '10', reason: 'unknown_shape' },
        { line: '11', reason: 'invalid_json' },
      ]);
      const landed = await query(caseDir, `select line, audit_id, request_received_at::VARCHAR as received, stage_at::VARCHAR as staged from kube_audit_events order by line`);
      expect(landed).toEqual([
        { line: '1', audit_id: 'ok-1', received: '2024-08-28 21:30:00.000001', staged: '2024-08-28 21:30:00.0009' },
        { line: '2', audit_id: 'ok-2', received: '2024-08-28 21:30:00.0009', staged: '2024-08-28 21:30:00.0009' },
        // +02:00 applied (a plain cast would have kept 23:45)
        { line: '9', audit_id: 'offset', received: '2024-08-28 21:45:00.123456', staged: '2024-08-28 21:45:00.2' },
        { line: '12', audit_id: 'after-cut', received: '2024-08-28 21:30:00.000001', staged: '2024-08-28 21:30:00.0009' },
        { line: '13', audit_id: 'legacy-ts', received: '2024-08-28 21:31:00', staged: '2024-08-28 21:31:00' },
      ]);
      const [files] = await query(caseDir, `select records_total, records_landed, records_rejected, records_out_of_window from evidence_files`);
      expect(files).toEqual({ records_total: '13', records_landed: '5', records_rejected: '7', records_out_of_window: '1' });
    } finally {
      cleanup();
      tmp.cleanup();
    }
  });

  it('redacts secrets in exec commands and request URIs, never lands request or response objects', async () => {
    const tmp = tempDir();
    const { caseDir, cleanup } = makeCase();
    try {
      const lines = [
        ev({
          auditID: 'exec-secret',
          verb: 'create',
          requestURI: '/api/v1/namespaces/web/pods/web-1/exec?command=mysql&command=-uroot&command=--password%3DHunter2Secret&command=-e&command=select+1&container=db',
          objectRef: { resource: 'pods', namespace: 'web', name: 'web-1', apiVersion: 'v1', subresource: 'exec' },
        }),
        ev({ auditID: 'query-secret', requestURI: '/api/v1/namespaces/web/services/web:80/proxy/login?user=bob&access_token=TopSecretToken123' }),
        ev({
          auditID: 'token-response',
          level: 'RequestResponse',
          verb: 'create',
          requestURI: '/api/v1/namespaces/web/serviceaccounts/web/token',
          objectRef: { resource: 'serviceaccounts', namespace: 'web', name: 'web', apiVersion: 'v1', subresource: 'token' },
          responseObject: { kind: 'TokenRequest', status: { token: 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.c2ln', expirationTimestamp: '2024-08-28T22:30:00Z' } },
        }),
      ];
      const file = path.join(tmp.dir, 'audit.log');
      writeFileSync(file, lines.join('\n') + '\n');
      await ingest(caseDir, [file]);
      const rows = await query(caseDir, `select audit_id, exec_command, exec_container, request_uri from kube_audit_events order by line`);
      expect(rows[0]!['exec_command']).toMatch(/^mysql -uroot --password=\[REDACTED sha256:[0-9a-f]{12}\] -e select 1$/);
      expect(rows[0]!['exec_container']).toBe('db');
      expect(rows[0]!['request_uri']).not.toMatch(/Hunter2Secret/);
      expect(rows[1]!['request_uri']).toMatch(/^\/api\/v1\/namespaces\/web\/services\/web:80\/proxy\/login\?user=bob&access_token=\[REDACTED sha256:[0-9a-f]{12}\]$/);
      const all = JSON.stringify(await query(caseDir, `select * from kube_audit_events`));
      expect(all).not.toMatch(/Hunter2Secret|TopSecretToken123|c2VjcmV0LXRva2Vu/);
    } finally {
      cleanup();
      tmp.cleanup();
    }
  });

  it('refuses an audit file declared as falco, naming both types, and lands nothing', async () => {
    const { caseDir, cleanup } = makeCase();
    try {
      const r = await ingest(caseDir, [EKS_SUB], { source: 'falco' });
      expect(r.files[0]!.status).toBe('refused');
      expect(r.files[0]!.message).toMatch(/falco/);
      expect(r.files[0]!.message).toMatch(/audit/i);
      expect(r.landedRecords).toBe(0);
      const [row] = await query(caseDir, `select status, refusal_reason, records_landed from evidence_files`);
      expect(row).toMatchObject({ status: 'refused', records_landed: '0' });
      expect(await query(caseDir, `select * from runtime_events`)).toEqual([]);
      expect(await query(caseDir, `select * from kube_audit_events`)).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
