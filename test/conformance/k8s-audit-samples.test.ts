import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeCase, ingest, query } from '../helpers/case.js';
import { SAMPLES, describeSamples, sampleNames } from '../helpers/samples.js';
import type { IngestResult } from '../../src/ingest/ingest-case.js';

/**
 * Conformance over ../shared/samples/k8s-audit/*, read in place: every file ingests without a
 * crash and every record is accounted for; chosen fields are checked against the real audit log.
 */

const DIR = path.join(SAMPLES, 'k8s-audit');
const RALVARES = path.join(DIR, 'ralvares-security-demos__use_cases-auditing-logs__audit.log');
const FALCO_EXEC = path.join(DIR, 'falcosecurity-falco__test-trace_files-k8s_audit__exec_pod.json');

/** Records in a file, counted here without podtrail: non-blank lines, or 1 for a pretty-printed document. */
function expectedRecords(file: string): number {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  let firstLineIsJson = true;
  try {
    JSON.parse(lines[0] ?? '');
  } catch {
    firstLineIsJson = false;
  }
  return lines.length > 1 && !firstLineIsJson ? 1 : lines.length;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

describeSamples('k8s-audit samples', () => {
  const files = sampleNames('k8s-audit').map((f) => path.join(DIR, f));
  let caseDir = '';
  let cleanup = (): void => {};
  let result: IngestResult;

  beforeAll(async () => {
    ({ caseDir, cleanup } = makeCase());
    result = await ingest(caseDir, files);
  });
  afterAll(() => cleanup());

  it('finds the samples', () => {
    expect(files).toContain(RALVARES);
    expect(files).toContain(FALCO_EXEC);
  });

  it('lands every file and accounts for every record', async () => {
    expect(result.files).toHaveLength(files.length);
    for (const file of files) {
      const outcome = result.files.find((f) => f.origin === file);
      expect(outcome, file).toBeDefined();
      expect(outcome!.status, `${file}: ${outcome!.message}`).toBe('landed');
      expect(outcome!.source).toBe('kube-audit');
      const [row] = await query(
        caseDir,
        `select records_total, records_landed, records_rejected, records_duplicate, records_out_of_window
           from evidence_files where origin = ${sqlString(file)}`,
      );
      const n = (k: string): number => Number(row![k]);
      const expected = expectedRecords(file);
      expect(n('records_total'), file).toBe(expected);
      expect(n('records_landed') + n('records_rejected') + n('records_duplicate') + n('records_out_of_window'), file).toBe(expected);
      const [landed] = await query(
        caseDir,
        `select count(*) as n from kube_audit_events where evidence_file_id = ${sqlString(outcome!.evidenceFileId)}`,
      );
      expect(Number(landed!['n'])).toBe(n('records_landed'));
    }
  });

  it('ralvares log: all 463 events land with their line numbers', async () => {
    const efid = result.files.find((f) => f.origin === RALVARES)!.evidenceFileId;
    const [r] = await query(
      caseDir,
      `select count(*) as n, min(line) as lo, max(line) as hi, count(distinct audit_id) as ids,
              count(*) filter (where wrapper <> 'raw') as wrapped
         from kube_audit_events where evidence_file_id = '${efid}'`,
    );
    // the file starts with a blank line: events are on lines 2..464
    expect(r).toEqual({ n: '463', lo: '2', hi: '464', ids: '459', wrapped: '0' });
  });

  it('ralvares log: the kubelet token issuance joins to later requests made with that token', async () => {
    const issued = await query(
      caseDir,
      `select line, user_name, namespace, name, issued_credential_id, request_received_at::VARCHAR as at
         from kube_audit_events
        where resource = 'serviceaccounts' and subresource = 'token' and verb = 'create'
          and issued_credential_id = 'JTI=a2b87c24-8ad3-4cac-b77f-0a896de31caa'`,
    );
    expect(issued).toEqual([
      {
        line: '374',
        user_name: 'system:node:master-1',
        namespace: 'payments',
        name: 'visa-processor',
        issued_credential_id: 'JTI=a2b87c24-8ad3-4cac-b77f-0a896de31caa',
        at: '2025-12-09 12:56:14.495618',
      },
    ]);
    // every token issued by a kubelet carries its JTI
    const [tokens] = await query(
      caseDir,
      `select count(*) as n, count(issued_credential_id) filter (where issued_credential_id like 'JTI=%') as with_jti
         from kube_audit_events where subresource = 'token' and user_name like 'system:node:%'`,
    );
    expect(tokens).toEqual({ n: '12', with_jti: '12' });
    const used = await query(
      caseDir,
      `select u.line, u.user_name, u.user_extra_pod_name, u.user_extra_pod_uid, u.user_extra_node_name, u.source_ips
         from kube_audit_events as i
         join kube_audit_events as u
           on u.credential_id = i.issued_credential_id and u.request_received_at > i.request_received_at
        where i.user_name like 'system:node:%' and i.subresource = 'token'
        order by u.request_received_at, u.line`,
    );
    expect(used.length).toBe(15);
    for (const u of used) {
      expect(u['user_name']).toBe('system:serviceaccount:payments:visa-processor');
      expect(u['user_extra_pod_name']).toBe('visa-processor-7d57964dc8-bvzff');
      expect(u['user_extra_pod_uid']).toBe('2ce0196d-a7c6-434d-9992-d4588d52139b');
      expect(u['user_extra_node_name']).toBe('master-1');
    }
    // the same pod token seen from three source addresses (a stolen token is used from elsewhere)
    const ips = new Set(used.map((u) => (u['source_ips'] as string[])[0]));
    expect([...ips].sort()).toEqual(['10.128.1.81', '192.168.50.1', '192.168.50.11']);
  });

  it('ralvares log: pods/exec rows carry the decoded command, container and stages', async () => {
    const efid = result.files.find((f) => f.origin === RALVARES)!.evidenceFileId;
    const rows = await query(
      caseDir,
      `select line, audit_id, verb, stage, is_final_stage, namespace, name, exec_command, exec_container, response_code
         from kube_audit_events where resource = 'pods' and subresource = 'exec' and evidence_file_id = '${efid}' order by line`,
    );
    expect(rows.map((r) => [r['line'], r['verb'], r['stage'], r['is_final_stage']])).toEqual([
      ['65', 'create', 'ResponseStarted', false],
      ['66', 'create', 'ResponseComplete', true],
      ['447', 'get', 'ResponseStarted', false],
      ['448', 'get', 'ResponseComplete', true],
    ]);
    for (const r of rows) {
      expect(r['namespace']).toBe('payments-v2');
      expect(r['name']).toBe('visa-processor');
      // requestURI: command=%2Fbin%2Fsh&command=-c&command=TERM%3D%22xterm-256color%22+%2Fbin%2Fsh
      expect(r['exec_command']).toBe('/bin/sh -c TERM="xterm-256color" /bin/sh');
      expect(r['exec_container']).toBe('1');
    }
  });

  it('ralvares log: is_final_stage marks exactly one row per audit_id', async () => {
    const bad = await query(
      caseDir,
      `select audit_id, count(*) filter (where is_final_stage) as finals
         from kube_audit_events group by audit_id having count(*) filter (where is_final_stage) <> 1`,
    );
    expect(bad).toEqual([]);
    const [r] = await query(
      caseDir,
      `select count(*) filter (where is_final_stage) as finals, count(distinct audit_id) as ids,
              count(*) filter (where is_final_stage and stage <> 'ResponseComplete') as not_complete
         from kube_audit_events`,
    );
    expect(r).toEqual({ finals: '460', ids: '460', not_complete: '1' }); // + the falco trace's ResponseStarted
  });

  it('ralvares log: object uids, decisions and timestamps', async () => {
    const [r] = await query(
      caseDir,
      `select count(object_uid) as uids, count(*) filter (where decision = 'allow') as allowed,
              count(*) filter (where request_received_at is null or stage_at is null) as no_time,
              min(request_received_at)::VARCHAR as first_at
         from kube_audit_events where wrapper = 'raw' and line > 1`,
    );
    expect(r!['no_time']).toBe('0');
    expect(r!['first_at']).toBe('2025-12-09 12:55:17.207254');
    expect(Number(r!['uids'])).toBeGreaterThan(100);
  });

  it('falco trace (old v1beta1-era shape) lands with user, command and stage', async () => {
    const rows = await query(
      caseDir,
      `select line, record_path, wrapper, audit_id, stage, is_final_stage, level, verb, user_name, user_groups,
              namespace, name, subresource, exec_command, exec_container, source_ips, response_code, decision,
              request_received_at::VARCHAR as received, stage_at::VARCHAR as staged
         from kube_audit_events where audit_id = 'ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6'`,
    );
    expect(rows).toEqual([
      {
        line: '1',
        record_path: '',
        wrapper: 'raw',
        audit_id: 'ca1ed9f4-7bf4-4c85-81a8-1b11253d1ba6',
        stage: 'ResponseStarted',
        is_final_stage: true,
        level: 'Request',
        verb: 'create',
        user_name: 'minikube-user',
        user_groups: ['system:masters', 'system:authenticated'],
        namespace: 'default',
        name: 'nginx-deployment-7998647bdf-phvq7',
        subresource: 'exec',
        exec_command: 'bash',
        exec_container: 'nginx1',
        source_ips: ['192.168.99.1'],
        response_code: 101,
        decision: 'allow',
        received: '2018-10-26 13:38:34.867116',
        staged: '2018-10-26 13:38:34.902914',
      },
    ]);
  });
});
