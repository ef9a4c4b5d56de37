/**
 * The identity-binding and rejects checks (sql/50_checks/chk_identity_bindings.sql,
 * chk_rejects.sql) on hand-made cases built from the complete baseline
 * (test/helpers/check-baseline.ts):
 *   identity  service account shop:api annotated for IRSA and run by two pods at once; an EKS Pod
 *             Identity AssumeRole (pods.eks.amazonaws.com) without the kubernetes-pod-uid tag, whose
 *             key a pod then uses
 *   rejects   two broken lines (5 and 9) in the audit log
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, ctEvent, identity, pod, serviceAccount, stsCredentials } from '../helpers/handmade.js';
import { query } from '../helpers/case.js';
import { NODE_A, NODE_B, baselineSpec, buildCheckedCases, cleanupCheckedCases, notOk, type CheckedCase } from '../helpers/check-baseline.js';

const IRSA_ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-api`;
const PI_ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-api-pod-identity`;
const UNTAGGED = 'ev-pod-identity-untagged';
const UNTAGGED_KEY = 'ASIAUNTAGGED00000001';
const UNTAGGED_USE = 'ev-untagged-key-used';
const built = {} as Record<'identity' | 'rejects', CheckedCase>;

beforeAll(async () => {
  const ident = baselineSpec();
  ident.serviceAccounts.push(serviceAccount({ namespace: 'shop', name: 'api', roleArn: IRSA_ROLE }));
  ident.pods.push(
    pod({ uid: '0000000f-0000-4000-8000-000000000001', namespace: 'shop', name: 'api-1', node: NODE_A, ip: '10.0.1.41', serviceAccount: 'api' }),
    pod({ uid: '0000000f-0000-4000-8000-000000000002', namespace: 'shop', name: 'api-2', node: NODE_B, ip: '10.0.2.42', serviceAccount: 'api' }),
  );
  const session = 'eks-shop-api-1-0000000f-0000-4000-8000-000000000001';
  ident.cloudtrail.push(
    ctEvent({
      id: UNTAGGED,
      time: '2026-10-20T10:30:00Z',
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: identity.awsService('pods.eks.amazonaws.com'),
      ip: 'pods.eks.amazonaws.com',
      params: { roleArn: PI_ROLE, roleSessionName: session, durationSeconds: 21600 },
      response: stsCredentials({ key: UNTAGGED_KEY, role: 'shop-api-pod-identity', session }),
    }),
    ctEvent({
      id: UNTAGGED_USE,
      time: '2026-10-20T10:31:00Z',
      source: 's3.amazonaws.com',
      name: 'ListBuckets',
      identity: identity.assumedRole({ role: 'shop-api-pod-identity', session, key: UNTAGGED_KEY }),
      ip: '10.0.1.41',
      vpce: 'vpce-0s3',
    }),
  );

  const rejects = baselineSpec();
  const broken = (n: number) => `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"broken-${n}","stage":`;
  rejects.audit[4] = broken(5);
  rejects.audit[8] = broken(9);

  await buildCheckedCases({ identity: ident, rejects }, built);
}, 180_000);

afterAll(() => cleanupCheckedCases(built));

describe('identity bindings', () => {
  it('finds exactly the shared IRSA binding and the untagged Pod Identity session', () => {
    expect(notOk(built.identity.findings)).toEqual(['identity-bindings/pod-identity-tags-disabled/gap', 'identity-bindings/shared-binding/gap']);
  });

  it('shared-binding: shop:api, IRSA, two pods at once', () => {
    const f = built.identity.findings.find((x) => x.kind === 'shared-binding')!;
    expect({ finding_id: f.finding_id, value: f.value, detail: f.detail }).toEqual({
      finding_id: 'identity-bindings:shop:api',
      value: 2,
      detail: {
        namespace: 'shop', service_account: 'api', binding: 'irsa', role_arn: IRSA_ROLE, irsa_role_arn: IRSA_ROLE, pod_identity_role_arn: null,
        cloud_evidence: false, node_role_calls: 0, max_concurrent_pods: 2,
      },
    });
  });

  it('pod-identity-tags-disabled: names the AssumeRole, and weakens the calls made with its key', async () => {
    const f = built.identity.findings.find((x) => x.kind === 'pod-identity-tags-disabled')!;
    expect({ finding_id: f.finding_id, interval_from: f.interval_from, detail: f.detail }).toEqual({
      finding_id: `identity-bindings:untagged:${UNTAGGED}`,
      interval_from: '2026-10-20T10:30:00.000000Z',
      detail: { event_id: UNTAGGED, role_arn: PI_ROLE },
    });
    const weakened = await query(built.identity.caseDir, `select event_id from gap_impacts where finding_id = '${f.finding_id}' order by event_id`);
    expect(weakened).toEqual([{ event_id: UNTAGGED_USE }]);
  });

  it('the account with one pod and no annotation binds to the node role, ok', () => {
    const f = built.identity.findings.find((x) => x.finding_id === 'identity-bindings:shop:default')!;
    expect({ kind: f.kind, status: f.status }).toEqual({ kind: 'binding-node-role', status: 'ok' });
  });
});

describe('rejects', () => {
  it('finds exactly the rejected audit lines', () => {
    expect(notOk(built.rejects.findings)).toEqual(['rejects/rejected-records/gap']);
  });

  it('rejected-records: the count and the first locations, line by line', async () => {
    const f = built.rejects.findings.find((x) => x.kind === 'rejected-records')!;
    const file = await query(built.rejects.caseDir, `select evidence_file_id, origin from evidence_files where origin = 'inputs/kube-audit/audit.log'`);
    expect(f.value).toBe(2);
    expect(f.detail).toEqual({ evidence_file_id: file[0]!['evidence_file_id'], file_name: 'audit.log', reason: 'invalid_json', records: 2, first_locations: ['line 5', 'line 9'] });
    expect(f.finding_id).toBe(`rejects:${String(file[0]!['evidence_file_id'])}:invalid_json`);
    // named by evidence id and file name, never by the (local) origin path
    expect(f.message).toBe(`2 records of audit.log (evidence ${String(file[0]!['evidence_file_id'])}) rejected (invalid_json) at line 5, line 9`);
  });
});
