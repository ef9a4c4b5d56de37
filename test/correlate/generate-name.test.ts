/**
 * Controller-made pods, on hand-written audit, runtime and inventory: a CronJob's pod created with
 * generateName (no name in the audit's objectRef: name and UID in responseObject, service account
 * in spec.serviceAccountName), bound by the scheduler (pods/binding), run for 45 seconds and
 * deleted, all between two inventory snapshots. Its lifecycle, node, service account and address
 * come from audit and runtime evidence alone, and its calls are attributed.
 *
 *   node-a 10.0.1.10, node-b 10.0.2.10: Tetragon v1.6 (pod.uid) on both, behind NAT 203.0.113.30;
 *   STS: endpoint 10.0.200.0/24, public 52.94.5.0/24
 *   report-live (node-b, in both snapshots) and the cron pod report-28803030-x7k2p (node-a, 10.0.1.77,
 *   09:10:00-09:10:45, in no snapshot): IRSA service account reporter
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  at,
  auditEvent,
  auditHeartbeat,
  ctEvent,
  ctLogFile,
  ctLogKey,
  editCaseYaml,
  handmadeCase,
  identity,
  ingestAndCorrelate,
  kubeList,
  lines,
  node,
  pod,
  serviceAccount,
  snapshotName,
  tgConnect,
  tgExec,
  tgHeartbeat,
  writeInput,
} from '../helpers/handmade.js';
import { query } from '../helpers/case.js';

type Obj = Record<string, unknown>;
const NAT = '203.0.113.30';
const STS = '10.0.200.15';
const LIVE = { uid: '00000000-0000-4000-8000-000000000801', name: 'report-live', node: 'node-b', ip: '10.0.2.41' };
const CRON = { uid: '00000000-0000-4000-8000-000000000802', name: 'report-28803030-x7k2p', node: 'node-a', ip: '10.0.1.77' };
const EV = { endpoint: 'gen-01-sts-through-endpoint', nat: 'gen-02-sts-through-nat' };
const T = { create: '2026-10-20T09:10:00.120Z', bind: '2026-10-20T09:10:00.310Z', endpoint: '2026-10-20T09:10:20Z', nat: '2026-10-20T09:10:30Z', del: '2026-10-20T09:10:45.500Z' };

let caseDir: string;
let cleanup: () => void;

/** The Job controller's create: RequestResponse, generateName, no name in objectRef. */
function cronCreate(): string {
  const spec = { serviceAccountName: 'reporter', containers: [{ name: 'report', image: 'docker.io/example/report:2' }], restartPolicy: 'OnFailure' };
  const e = JSON.parse(
    auditEvent({
      id: 'create-cron-pod',
      time: T.create,
      verb: 'create',
      resource: 'pods',
      namespace: 'batch',
      user: 'system:serviceaccount:kube-system:job-controller',
      code: 201,
      responseObject: {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { name: CRON.name, generateName: 'report-28803030-', namespace: 'batch', uid: CRON.uid, creationTimestamp: '2026-10-20T09:10:00Z', ownerReferences: [{ kind: 'Job', name: 'report-28803030', controller: true }] },
        spec,
        status: { phase: 'Pending', qosClass: 'BestEffort' },
      },
    }),
  ) as Obj;
  e['requestObject'] = { kind: 'Pod', apiVersion: 'v1', metadata: { generateName: 'report-28803030-', namespace: 'batch' }, spec };
  e['requestURI'] = '/api/v1/namespaces/batch/pods';
  return JSON.stringify(e);
}

function cronBinding(): string {
  const e = JSON.parse(auditEvent({ id: 'bind-cron-pod', time: T.bind, verb: 'create', resource: 'pods', subresource: 'binding', namespace: 'batch', name: CRON.name, user: 'system:kube-scheduler', code: 201 })) as Obj;
  e['level'] = 'Request';
  e['requestObject'] = { kind: 'Binding', apiVersion: 'v1', metadata: { name: CRON.name, namespace: 'batch', uid: CRON.uid }, target: { kind: 'Node', name: CRON.node } };
  return JSON.stringify(e);
}

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['egress'] = [{ label: 'nat', public: [NAT], nodes: ['node-a', 'node-b'], subnets: [] }];
    doc['endpoints'] = [
      { service: 'sts.amazonaws.com', addresses: ['10.0.200.0/24'], vpc_endpoint_id: 'vpce-0sts0000000000008' },
      { service: 'sts.amazonaws.com', addresses: ['52.94.5.0/24'], vpc_endpoint_id: '' },
    ];
  });
  const nodes = [node({ name: 'node-a', instanceId: 'i-0a000000000000801', ip: '10.0.1.10' }), node({ name: 'node-b', instanceId: 'i-0b000000000000802', ip: '10.0.2.10' })];
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList([pod({ uid: LIVE.uid, namespace: 'batch', name: LIVE.name, node: LIVE.node, ip: LIVE.ip, serviceAccount: 'reporter' })]));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList([serviceAccount({ namespace: 'batch', name: 'reporter', roleArn: `arn:aws:iam::${ACCOUNT}:role/batch-reporter` })]));
  }
  const cron = { namespace: 'batch', name: CRON.name, uid: CRON.uid };
  writeInput(caseDir, 'tetragon/node-a.json', lines([
    ...tgHeartbeat('node-a', '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'),
    tgExec({ time: '2026-10-20T09:10:02.5Z', node: 'node-a', pod: cron, pid: 9001 }),
    tgConnect({ time: at(T.endpoint, -0.4), node: 'node-a', saddr: CRON.ip, daddr: STS, pod: cron, pid: 9002 }),
    tgConnect({ time: at(T.nat, -0.4), node: 'node-a', saddr: CRON.ip, daddr: '52.94.5.5', pod: cron, pid: 9003 }),
  ]));
  writeInput(caseDir, 'tetragon/node-b.json', lines(tgHeartbeat('node-b', '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z')));
  writeInput(caseDir, 'kube-audit/audit.log', lines([
    ...auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60),
    cronCreate(),
    cronBinding(),
    auditEvent({ id: 'delete-cron-pod', time: T.del, verb: 'delete', resource: 'pods', namespace: 'batch', name: CRON.name, user: 'system:serviceaccount:kube-system:job-controller' }),
  ].sort((a, b) => (JSON.parse(a) as Obj)['requestReceivedTimestamp']! < (JSON.parse(b) as Obj)['requestReceivedTimestamp']! ? -1 : 1)));
  const who = (n: number) => identity.assumedRole({ role: 'batch-reporter', session: `botocore-session-report-${n}`, key: `ASIAREPORTER0000080${n}`, webIdentity: true });
  writeInput(caseDir, ctLogKey('2026-10-20T09:15:00Z', 'generatename01'), ctLogFile([
    ctEvent({ id: EV.endpoint, time: T.endpoint, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(1), ip: CRON.ip, vpce: 'vpce-0sts0000000000008' }),
    ctEvent({ id: EV.nat, time: T.nat, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(2), ip: NAT }),
  ]));
  await ingestAndCorrelate(caseDir);
}, 240_000);

afterAll(() => cleanup?.());

describe('a generateName pod between two snapshots', () => {
  it('the audit create lands with the name and UID of the response and the service account of the spec; the binding with its node', async () => {
    const r = await query(caseDir, `select audit_id, name, object_uid, pod_service_account, pod_node_name from kube_audit_events where audit_id in ('create-cron-pod', 'bind-cron-pod') and is_final_stage order by audit_id`);
    expect(r).toEqual([
      { audit_id: 'bind-cron-pod', name: CRON.name, object_uid: CRON.uid, pod_service_account: null, pod_node_name: 'node-a' },
      { audit_id: 'create-cron-pod', name: CRON.name, object_uid: CRON.uid, pod_service_account: 'reporter', pod_node_name: null },
    ]);
  });

  it('gets its lifecycle, node, service account and address from audit and runtime alone', async () => {
    const r = await query(caseDir, `select name, node_name, service_account, pod_ips, strftime(valid_from, '%H:%M:%S.%g') as valid_from, strftime(valid_to, '%H:%M:%S.%g') as valid_to, from_evidence, to_evidence from pod_lifecycle where pod_uid = '${CRON.uid}'`);
    expect(r).toEqual([{ name: CRON.name, node_name: 'node-a', service_account: 'reporter', pod_ips: [CRON.ip], valid_from: '09:10:00.120', valid_to: '09:10:45.500', from_evidence: 'audit-create', to_evidence: 'audit-delete' }]);
  });

  it('its call through the endpoint, from its own address: named', async () => {
    const r = await query(caseDir, `select confidence, pod_uid from attributions where event_id = '${EV.endpoint}'`);
    expect(r[0]!['pod_uid']).toBe(CRON.uid);
    expect(['proven', 'strong']).toContain(r[0]!['confidence']);
  });

  it('its call through the NAT: the other pod of the service account, observed and silent, is ruled out: strong', async () => {
    const r = await query(caseDir, `select confidence, pod_uid, candidates::VARCHAR as candidates from attributions where event_id = '${EV.nat}'`);
    expect(r[0]).toMatchObject({ confidence: 'strong', pod_uid: CRON.uid });
    // the one candidate kept; report-live was ruled out by its node's silence
    expect((JSON.parse(String(r[0]!['candidates'])) as { pod_uid: string }[]).map((c) => c.pod_uid)).toEqual([CRON.uid]);
  });
});
