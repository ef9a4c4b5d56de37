/**
 * Pod identity under redeploy churn (a pod name is reused with a new UID, pod IPs are reused,
 * images change), on a hand-made case: pod_lifecycle (sql/30_intermediate/
 * int_pod__lifecycle.sql) must keep the UIDs apart, and a call from a reused IP must go to the
 * pod that held the IP at that moment.
 *
 *   08:00  shop/web-0 (UID A) runs on node-b with 10.0.2.30
 *   09:20  web-0 (A) deleted (audit);  09:20:30  web-0 created again with UID B and 10.0.2.31
 *   09:21  shop/batch-x (UID C) created with the freed 10.0.2.30
 *   snapshots at 08:50 (A, cron-1 on image 1) and 09:50 (B, C, cron-1 on image 2)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertionFailures,
  auditEvent,
  ctEvent,
  ctLogFile,
  ctLogKey,
  handmadeCase,
  identity,
  ingestAndCorrelate,
  kubeList,
  lines,
  node,
  pod,
  snapshotName,
  tgHeartbeat,
  writeInput,
} from '../helpers/handmade.js';
import { query } from '../helpers/case.js';

const NS = 'shop';
const NODE = 'node-b';
const A = '0000000a-0000-4000-8000-000000000001';
const B = '0000000b-0000-4000-8000-000000000002';
const C = '0000000c-0000-4000-8000-000000000003';
const CRON = '0000000d-0000-4000-8000-000000000004';
const REUSED_IP = '10.0.2.30';
const KEY = 'AKIACIBOT00000000001';
const EV_BEFORE = 'ev-churn-01-from-reused-ip-before-delete';
const EV_AFTER = 'ev-churn-02-from-reused-ip-after-delete';
const EXEC = 'aud-exec-split-across-rotation';

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  const nodes = kubeList([node({ name: NODE, instanceId: 'i-0b000000000000002', ip: '10.0.2.10' })]);
  const cron = (digest: string) => pod({ uid: CRON, namespace: NS, name: 'cron-1', node: NODE, ip: '10.0.2.40', digest });
  writeInput(caseDir, snapshotName('nodes', '2026-10-20T08:50:00Z'), nodes);
  writeInput(caseDir, snapshotName('nodes', '2026-10-20T09:50:00Z'), nodes);
  writeInput(caseDir, snapshotName('pods', '2026-10-20T08:50:00Z'), kubeList([pod({ uid: A, namespace: NS, name: 'web-0', node: NODE, ip: REUSED_IP }), cron('a'.repeat(64))]));
  writeInput(
    caseDir,
    snapshotName('pods', '2026-10-20T09:50:00Z'),
    kubeList([
      pod({ uid: B, namespace: NS, name: 'web-0', node: NODE, ip: '10.0.2.31', created: '2026-10-20T09:20:30Z' }),
      pod({ uid: C, namespace: NS, name: 'batch-x', node: NODE, ip: REUSED_IP, created: '2026-10-20T09:21:00Z' }),
      cron('b'.repeat(64)),
    ]),
  );
  writeInput(caseDir, `tetragon/${NODE}.json`, lines(tgHeartbeat(NODE, '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z')));

  const controller = { user: 'system:serviceaccount:kube-system:statefulset-controller' };
  const created = (uid: string, name: string) => ({ kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace: NS, uid } });
  const human = { user: 'alice@example.com', groups: ['platform-admins', 'system:authenticated'], sourceIP: '198.51.100.24' };
  const exec = (stage: string, time: string) =>
    auditEvent({ id: EXEC, time: '2026-10-20T09:25:00.000100Z', stage, verb: 'create', resource: 'pods', subresource: 'exec', namespace: NS, name: 'batch-x', code: 101, uri: `/api/v1/namespaces/${NS}/pods/batch-x/exec?command=%2Fbin%2Fsh&container=app&stdin=true&tty=true`, ...human }).replace(
      '"stageTimestamp":"2026-10-20T09:25:00.000100Z"',
      `"stageTimestamp":"${time}"`,
    );
  // the audit log rotated while alice's exec session was open: its stages lie in two files
  writeInput(
    caseDir,
    'kube-audit/audit-2026-10-20T09-30-00.000.log',
    lines([
      auditEvent({ id: 'aud-delete-web-0', time: '2026-10-20T09:20:00.000100Z', verb: 'delete', resource: 'pods', namespace: NS, name: 'web-0', ...controller }),
      auditEvent({ id: 'aud-create-web-0', time: '2026-10-20T09:20:30.000100Z', verb: 'create', resource: 'pods', namespace: NS, code: 201, responseObject: created(B, 'web-0'), ...controller }),
      auditEvent({ id: 'aud-create-batch-x', time: '2026-10-20T09:21:00.000100Z', verb: 'create', resource: 'pods', namespace: NS, code: 201, responseObject: created(C, 'batch-x'), user: 'system:serviceaccount:kube-system:job-controller' }),
      exec('RequestReceived', '2026-10-20T09:25:00.000100Z'),
      exec('ResponseStarted', '2026-10-20T09:25:00.050000Z'),
    ]),
  );
  writeInput(caseDir, 'kube-audit/audit.log', lines([exec('ResponseComplete', '2026-10-20T09:41:00.000000Z')]));

  const call = (id: string, time: string) =>
    ctEvent({ id, time, source: 's3.amazonaws.com', name: 'GetObject', identity: identity.iamUser({ user: 'ci-bot', key: KEY }), ip: REUSED_IP, vpce: 'vpce-0s3', category: 'Data', params: { bucketName: 'shop-data', key: 'x' } });
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'churn0001'), ctLogFile([call(EV_BEFORE, '2026-10-20T09:10:00Z'), call(EV_AFTER, '2026-10-20T09:30:00Z')]));
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

describe('pod lifecycle under churn', () => {
  it('a reused name gives two UIDs: the first ends at its delete, the second starts at its create', async () => {
    const r = await query(
      caseDir,
      `select pod_uid, interval_no, strftime(valid_from, '%H:%M:%S') as valid_from, strftime(valid_to, '%H:%M:%S') as valid_to, from_evidence, to_evidence
       from pod_lifecycle where namespace = '${NS}' and name = 'web-0' order by valid_from`,
    );
    expect(r.map((x) => x['pod_uid'])).toEqual([A, B]);
    const [a, b] = r;
    expect(a).toMatchObject({ interval_no: 1, valid_from: '08:00:00', to_evidence: 'audit-delete' });
    // the delete is at 09:20:00; the interval may run on through the termination grace (<= 120 s)
    expect(String(a!['valid_to']) >= '09:20:00' && String(a!['valid_to']) <= '09:22:00', `valid_to ${a!['valid_to']}`).toBe(true);
    expect(b).toMatchObject({ interval_no: 1, valid_from: '09:20:30', valid_to: null, to_evidence: 'open' });
  });

  it('the pod that got the freed IP starts at its creation', async () => {
    const r = await query(caseDir, `select pod_uid, name, pod_ips, strftime(valid_from, '%H:%M:%S') as valid_from from pod_lifecycle where list_contains(pod_ips, '${REUSED_IP}') order by valid_from`);
    expect(r).toEqual([
      { pod_uid: A, name: 'web-0', pod_ips: [REUSED_IP], valid_from: '08:00:00' },
      { pod_uid: C, name: 'batch-x', pod_ips: [REUSED_IP], valid_from: '09:21:00' },
    ]);
  });

  it('an image change gives one UID two intervals that meet without overlapping', async () => {
    const r = await query(caseDir, `select interval_no, valid_from::VARCHAR as valid_from, valid_to::VARCHAR as valid_to, from_evidence, to_evidence, image_digests from pod_lifecycle where pod_uid = '${CRON}' order by interval_no`);
    expect(r).toEqual([
      { interval_no: 1, valid_from: '2026-10-20 08:00:00', valid_to: '2026-10-20 09:50:00', from_evidence: 'inventory-created', to_evidence: 'image-change', image_digests: [`sha256:${'a'.repeat(64)}`] },
      { interval_no: 2, valid_from: '2026-10-20 09:50:00', valid_to: null, from_evidence: 'image-change', to_evidence: 'open', image_digests: [`sha256:${'b'.repeat(64)}`] },
    ]);
    expect(await assertionFailures(caseDir, ['pod_lifecycle__intervals.sql', 'keys:pod_lifecycle'])).toEqual({});
  });
});

describe('a call from a reused pod IP', () => {
  it('before the first pod\'s delete goes to the first pod', async () => {
    const r = await query(caseDir, `select confidence, rule_id, pod_uid, pod_name from attributions where event_id = '${EV_BEFORE}'`);
    expect(r).toEqual([{ confidence: 'strong', rule_id: 'source-ip-pod', pod_uid: A, pod_name: 'web-0' }]);
  });

  it('after it goes to the pod that holds the IP then, not to the reused name', async () => {
    const r = await query(caseDir, `select confidence, rule_id, pod_uid, pod_name, candidate_count from attributions where event_id = '${EV_AFTER}'`);
    expect(r).toEqual([{ confidence: 'strong', rule_id: 'source-ip-pod', pod_uid: C, pod_name: 'batch-x', candidate_count: 1 }]);
  });
});

describe('an audited request whose stages span a log rotation', () => {
  it('is one pod_human_actions row, at its final stage, on the pod that held the name then', async () => {
    const r = await query(caseDir, `select a.audit_id, a.action, a.pod_uid, k.stage from pod_human_actions as a inner join kube_audit_events as k on k.row_id = a.row_id where a.audit_id = '${EXEC}'`);
    expect(r).toEqual([{ audit_id: EXEC, action: 'exec', pod_uid: C, stage: 'ResponseComplete' }]);
    expect(await assertionFailures(caseDir, ['keys:pod_human_actions'])).toEqual({});
  });
});
