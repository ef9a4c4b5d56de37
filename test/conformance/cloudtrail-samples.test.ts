/**
 * Conformance over the real CloudTrail samples (../shared/samples), read in place, never copied:
 * every record of every file is accounted for (landed + rejected + duplicate + out of window =
 * the records counted here independently), formats podtrail does not land are refused with
 * nothing landed, and the fields attribution depends on come out right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, makeCase, query } from '../helpers/case.js';
import { SAMPLES, describeSamples, sample, sampleNames } from '../helpers/samples.js';
import { LAKE_TABLES } from '../../src/lake/schema.js';
import type { Row } from '../../src/store/store.js';

const DIRS = ['cloudtrail', 'cloudtrail-lookup-events', 'cloudtrail-digest', 'azure-activity'];
const FILES = DIRS.flatMap((d) => sampleNames(d).map((f) => path.join(SAMPLES, d, f)));

const REFUSED = [
  'azure-activity/MicrosoftDocs-azure-monitor-docs__activity-log-schema.md__administrative-sample.json',
  'cloudtrail/panther-analysis__rules-aws_cloudtrail_rules__aws_secretsmanager_retrieve_secrets.yml',
];

const STS_POD_IDENTITY = sample('cloudtrail/aws-samples-eks-security-immersion-day__pod-identity-deep-dive__sts-AssumeRole-by-pods.eks-session-tags.json');
const EKS_AUTH = sample('cloudtrail/aws-samples-eks-security-immersion-day__pod-identity-deep-dive__eks-auth-AssumeRoleForPodIdentity-by-node-role.json');
const IRSA_DENIED = sample('cloudtrail/greenpau-argo-workflows-aws-plugin__DEVELOPMENT.md__sts-AssumeRoleWithWebIdentity-EKS-IRSA-AccessDenied.json');
const MARKETPLACE = sample('cloudtrail/awsdocs-aws-marketplace-user-guide-for-sellers__cloudtrail__RegisterUsage-from-EKS-pod-IRSA-webIdFederationData.json');
const ROLE_CHAINING = sample('cloudtrail/awsdocs-iam-user-guide__cloudtrail-integration__sts-AssumeRole-role-chaining-tags.json');
const LOOKUP_STS = sample('cloudtrail-lookup-events/aws-samples-eks-security-immersion-day__pod-identity-deep-dive@468a09e__lookup-events-sts-AssumeRole-session-tags.json');

/** Records in a sample, counted without podtrail: Records/Events elements, else 1 event. */
function countRecords(file: string): number {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (Array.isArray(doc['Records'])) return doc['Records'].length;
  if (Array.isArray(doc['Events'])) return doc['Events'].length;
  return 1;
}

const RECORD_TABLES = LAKE_TABLES.filter((t) => t.name !== 'evidence_files' && t.columns.some((c) => c.name === 'evidence_file_id')).map((t) => t.name);

describeSamples('conformance: every CloudTrail-family sample, one case per file', () => {
  for (const file of FILES) {
    const rel = path.relative(SAMPLES, file);
    it(rel, async () => {
      const c = makeCase();
      try {
        const r = await ingest(c.caseDir, [file]);
        expect(r.files).toHaveLength(1);
        const f = r.files[0]!;
        // one query (each query opens the case): the catalog row and what the lake holds for the file
        const counts = RECORD_TABLES.map((t) => `(select count(*) from ${t} where evidence_file_id = ef.evidence_file_id)::INTEGER as "n_${t}"`).join(', ');
        const ef = (await query(c.caseDir, `select ef.*, ${counts} from evidence_files as ef`))[0]!;
        expect(ef['origin']).toBe(file);
        if (REFUSED.includes(rel)) {
          expect(f.status).toBe('refused');
          expect(ef['status']).toBe('refused');
          expect(String(ef['refusal_reason'])).toMatch(/unsupported|not JSON/);
          expect(ef['records_landed']).toBe('0');
          for (const t of RECORD_TABLES) expect(ef[`n_${t}`], t).toBe(0);
          return;
        }
        expect(f.status).toBe('landed');
        if (rel.startsWith('cloudtrail-digest/')) {
          // a digest is one record of cloudtrail_digests (its signature and logs are validated by correlate)
          expect(ef['source_type']).toBe('cloudtrail-digest');
          expect([ef['records_total'], ef['records_landed'], ef['n_cloudtrail_digests']]).toEqual(['1', '1', 1]);
          return;
        }
        expect(ef['source_type']).toBe('cloudtrail');
        const accounted =
          Number(ef['records_landed']) + Number(ef['records_rejected']) + Number(ef['records_duplicate']) + Number(ef['records_out_of_window']);
        expect(accounted).toBe(countRecords(file));
        expect(Number(ef['records_total'])).toBe(countRecords(file));
        expect(ef['n_cloud_events']).toBe(Number(ef['records_landed']));
        expect(ef['n_ingest_rejects']).toBe(Number(ef['records_rejected']));
      } finally {
        c.cleanup();
      }
    });
  }
});

describeSamples('conformance: chosen fields, all samples in one case', () => {
  let caseDir = '';
  let cleanup = (): void => {};
  let byId = new Map<string, Row>();
  const fileId = new Map<string, string>();

  beforeAll(async () => {
    const c = makeCase();
    caseDir = c.caseDir;
    cleanup = c.cleanup;
    const r = await ingest(caseDir, FILES);
    for (const f of r.files) fileId.set(f.origin, f.evidenceFileId);
    const rows = await query(
      caseDir,
      `select *, session_tags['kubernetes-pod-uid'] as pod_uid, to_json(cloud_events)::VARCHAR as row_text from cloud_events order by event_id`,
    );
    byId = new Map(rows.map((r) => [String(r['event_id']), r]));
  });
  afterAll(() => cleanup());

  const fromFile = (file: string): Row => {
    const id = fileId.get(file)!;
    const rows = [...byId.values()].filter((r) => r['evidence_file_id'] === id);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  it('EKS Pod Identity sts:AssumeRole: session tags, issued key, STS expiration, invoked by pods.eks', () => {
    const r = fromFile(STS_POD_IDENTITY);
    expect(r).toMatchObject({
      event_id: '7b7e4636-4713-3d04-b86a-cd6774cdbae9',
      delivery: 'single-event',
      record_path: '',
      pod_uid: '0cda7f85-c1f9-4dee-b6e9-a0b50c8f3012',
      issued_access_key_id: 'ASIA37QFXJP5MQOWRZ6Q',
      issued_expires_at: '2024-04-16 15:20:04',
      invoked_by: 'pods.eks.amazonaws.com',
      principal_type: 'AWSService',
      source_ip: 'pods.eks.amazonaws.com',
      issued_role_arn: 'arn:aws:iam::823571991546:role/eks-pod-s3-read-access-role',
      issued_session_name: 'eks-eksworksho-app1-498124c2-a555-40bf-9059-ca9a26821eb0',
      issued_session_arn: 'arn:aws:sts::823571991546:assumed-role/eks-pod-s3-read-access-role/eks-eksworksho-app1-498124c2-a555-40bf-9059-ca9a26821eb0',
      shared_event_id: 'c30ac43f-e051-426b-94bc-ab73b05e34e9',
      account_id: '823571991546',
      event_category: 'management',
      read_only: true,
      ts: '2024-04-16 09:20:04',
      ts_raw: '2024-04-16T09:20:04Z',
      provider: 'aws',
    });
    const tags = r['session_tags'] as { key: string; value: string }[];
    expect(tags.map((t) => t.key)).toEqual([
      'eks-cluster-arn', 'eks-cluster-name', 'kubernetes-namespace', 'kubernetes-service-account', 'kubernetes-pod-name', 'kubernetes-pod-uid',
    ]);
  });

  it('lookup-events sts:AssumeRole: fields from the CloudTrailEvent string (no top-level AccessKeyId/Username)', () => {
    const r = byId.get('55621424-173a-3b4e-a321-661c4206278c')!;
    expect(r).toMatchObject({
      delivery: 'lookup-events',
      record_path: '/Events/0',
      row_id: `${fileId.get(LOOKUP_STS)}-00000001-000001`,
      pod_uid: '91eee131-74f3-49d4-8f7c-bcde305c120b',
      issued_access_key_id: 'ASIAQAHCJ2QPJEYFB36U',
      issued_expires_at: '2023-12-13 07:14:20',
      invoked_by: 'pods.eks.amazonaws.com',
      access_key_id: null,
      user_name: null,
      session_name: null,
      read_only: true,
      ts: '2023-12-13 01:14:20',
    });
    // the inner event has its own resources: the outer Resources list is not used
    expect(JSON.parse(String(r['resources']))).toEqual([
      { accountId: 'ACCOUNT_ID', type: 'AWS::IAM::Role', ARN: 'arn:aws:iam::ACCOUNT_ID:role/eks-pod-s3-read-access-role' },
    ]);
  });

  it('lookup-events AssumeRoleForPodIdentity by a node role: instance id as session name', () => {
    const r = byId.get('e05b6d2e-4be6-45dd-8ad5-ba1e076002a5')!;
    expect(r).toMatchObject({ session_name: 'i-064d652934ecf0bfc', access_key_id: 'ASIAQAHCJ2QPOFDF6NOW', ec2_role_delivery: '2.0', user_name: null });
    const denied = byId.get('d647586b-b713-46af-b7f9-512c7f5145dd')!;
    expect(denied).toMatchObject({ error_code: 'AccessDenied', session_name: 'i-02930ce60274d87a7', account_id: '753273931759' });
  });

  it('IRSA AssumeRoleWithWebIdentity (AccessDenied): service-account subject and provider', () => {
    const r = fromFile(IRSA_DENIED);
    expect(r).toMatchObject({
      web_identity_subject: 'system:serviceaccount:argo:awf-aws-executor-plugin',
      web_identity_provider: 'arn:aws:iam::100000000002:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/A8242F25BFBB8F98F5321B2AE63C8B5C',
      error_code: 'AccessDenied',
      error_message: 'An unknown error occurred',
      principal_type: 'WebIdentityUser',
      user_name: 'system:serviceaccount:argo:awf-aws-executor-plugin',
      issued_session_name: '1699456147945229070',
      issued_access_key_id: null,
      response_elements: null,
      tls_host: 'sts.us-west-2.amazonaws.com',
    });
  });

  it('eks-auth AssumeRoleForPodIdentity by the node role: session name is the instance id, IMDSv2', () => {
    const r = fromFile(EKS_AUTH);
    expect(r).toMatchObject({
      session_name: 'i-07574d724fb843fda',
      ec2_role_delivery: '2.0',
      session_issuer_arn: 'arn:aws:iam::823571991546:role/eks-security-workshop',
      session_created_at: '2024-04-16 08:23:33',
      access_key_id: 'ASIA37QFXJP5LMALW5PH',
      tls_host: 'eks-auth.us-west-2.api.aws',
    });
    // "token": "HIDDEN_DUE_TO_SECURITY_REASONS" is kept as written (nothing to hide)
    expect(JSON.parse(String(r['request_parameters']))).toEqual({ clusterName: 'eksworkshop-eksctl', token: 'HIDDEN_DUE_TO_SECURITY_REASONS' });
  });

  it('a call made with IRSA credentials: OIDC provider from webIdFederationData', () => {
    const r = fromFile(MARKETPLACE);
    expect(String(r['web_identity_provider'])).toContain('oidc.eks');
    expect(r).toMatchObject({ session_name: 'botocore-session-1111111111', principal_type: 'AssumedRole', session_created_at: '2020-07-23 02:19:34' });
  });

  it('role chaining: tags map, "Oct 2, 2019, 11:12:29 PM" expiration', () => {
    const r = fromFile(ROLE_CHAINING);
    expect(r).toMatchObject({ issued_access_key_id: 'ASIAWHOJDLGPOEXAMPLE', issued_expires_at: '2019-10-02 23:12:29', session_name: 'JohnRole1' });
    expect(r['session_tags']).toEqual([
      { key: 'Email', value: 'johndoe@example.com' },
      { key: 'CostCenter', value: '12345' },
    ]);
  });

  it('no session token from the samples lands anywhere; the redaction marker stands in its place', async () => {
    for (const r of byId.values()) {
      expect(String(r['row_text'])).not.toContain('IQoJb3JpZ2luX2Vj');
      expect(String(r['row_text'])).not.toContain('AgoJb3JpZ2lu');
    }
    const leaks = await query(
      caseDir,
      `select count(*)::INTEGER as n from (
         select to_json(t)::VARCHAR as s from cloud_events t
         union all select to_json(t)::VARCHAR from ingest_rejects t
         union all select to_json(t)::VARCHAR from ingest_duplicates t)
       where s like '%IQoJb3JpZ2luX2Vj%' or s like '%AgoJb3JpZ2lu%'`,
    );
    expect(leaks[0]!['n']).toBe(0);
    const marked = JSON.parse(String(byId.get('55621424-173a-3b4e-a321-661c4206278c')!['response_elements'])) as { credentials: Record<string, string> };
    expect(marked.credentials['sessionToken']).toMatch(/^\[REDACTED sha256:[0-9a-f]{12}\]$/);
    expect(marked.credentials['accessKeyId']).toBe('ASIAQAHCJ2QPJEYFB36U');
  });

  it('the Records sample without eventID (eventVersion 1.0) is rejected as missing_id at /Records/0', async () => {
    const rows = await query(caseDir, `select reject_id, record_path, reason from ingest_rejects order by reject_id`);
    expect(rows).toEqual([
      expect.objectContaining({ record_path: '/Records/0', reason: 'missing_id' }),
    ]);
    expect(String(rows[0]!['reject_id'])).toMatch(/^[0-9a-f]{16}-00000001-000001$/);
  });
});
