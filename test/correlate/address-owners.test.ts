/**
 * Addresses to nodes from the collected network inventory: a private source address (a call
 * through a VPC endpoint) that no pod snapshot and no node IP names, but that is a secondary IP or
 * lies in a delegated prefix of a node's interface, keeps that node's pods candidates and rules out
 * the others only on the usual positive evidence; an address that moved between nodes, or that no
 * interface holds, names nobody. A connect to a collected interface endpoint that decides a call
 * names its endpoint fact. Hand-written inputs in the real formats (kubectl, Tetragon, CloudTrail
 * and the AWS CLI's describe-network-interfaces / describe-vpc-endpoints output).
 *
 *   node-a 10.0.1.10 i-0a..301   eni-a: secondary 10.0.1.11, 10.0.1.40
 *   node-b 10.0.2.10 i-0b..302   eni-b: delegated prefix 10.0.2.48/28
 *   vpce-sts (interface endpoint of STS) on eni-vpce 10.0.9.5
 *   pods without an address in their snapshots: app-a (node-a), batch-a (node-a), batch-b (node-b)
 *   pods with one: web-a 10.0.1.30, web-a2 10.0.1.31 (node-a), mover 10.0.1.40 (node-b, moved)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  assertionFailures,
  at,
  auditHeartbeat,
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
  serviceAccount,
  snapshotName,
  tgConnect,
  tgHeartbeat,
  writeInput,
} from '../helpers/handmade.js';
import { query } from '../helpers/case.js';

const VPCE_IP = '10.0.9.5';
const I = { a: 'i-0a000000000000301', b: 'i-0b000000000000302' };
const uid = (n: number): string => `00000000-0000-4000-8000-0000000003${String(n).padStart(2, '0')}`;
const POD = {
  app: { uid: uid(1), name: 'app-a', node: 'node-a', ip: null, sa: 'app' },
  batchA: { uid: uid(2), name: 'batch-a', node: 'node-a', ip: null, sa: 'batch' },
  batchB: { uid: uid(3), name: 'batch-b', node: 'node-b', ip: null, sa: 'batch' },
  web: { uid: uid(4), name: 'web-a', node: 'node-a', ip: '10.0.1.30', sa: 'web' },
  web2: { uid: uid(5), name: 'web-a2', node: 'node-a', ip: '10.0.1.31', sa: 'web' },
  mover: { uid: uid(6), name: 'mover-b', node: 'node-b', ip: '10.0.1.40', sa: 'default' },
};
// mover-b came later (created 09:50): at the calls nobody held 10.0.1.40, but it moved to node-b
const EV = {
  secondary: 'owners-01-static-key-from-a-secondary-ip',
  prefix: 'owners-02-irsa-from-a-delegated-prefix',
  moved: 'owners-03-static-key-from-an-address-that-moved',
  nowhere: 'owners-04-static-key-from-no-interface',
  endpoint: 'owners-05-irsa-decided-by-a-connect-to-the-endpoint',
};
const irsa = (sa: string, key: string): Record<string, unknown> => identity.assumedRole({ role: `ops-${sa}`, session: `botocore-session-${sa}`, key, webIdentity: true });
const sts = (id: string, time: string, ident: Record<string, unknown>, ip: string): Record<string, unknown> => ({
  ...ctEvent({ id, time, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: ident, ip }),
  vpcEndpointId: 'vpce-0sts0000000000001',
});

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  const nodes = [node({ name: 'node-a', instanceId: I.a, ip: '10.0.1.10' }), node({ name: 'node-b', instanceId: I.b, ip: '10.0.2.10' })];
  const pods = Object.values(POD).map((p) => {
    const doc = pod({ uid: p.uid, namespace: 'ops', name: p.name, node: p.node, ip: p.ip ?? '', serviceAccount: p.sa, ...(p === POD.mover ? { created: '2026-10-20T09:50:00Z' } : {}) });
    const status = doc['status'] as Record<string, unknown>;
    // a snapshot taken before the CNI gave the pod its address: no podIP
    if (!p.ip) {
      delete status['podIP'];
      delete status['podIPs'];
    }
    return doc;
  });
  const sas = ['app', 'batch', 'web'].map((sa) => serviceAccount({ namespace: 'ops', name: sa, roleArn: `arn:aws:iam::${ACCOUNT}:role/ops-${sa}` }));
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(snap < '2026-10-20T09:50:00Z' ? pods.slice(0, -1) : pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(sas));
  }
  // the AWS CLI's answers, saved as `aws ec2 describe-... > file` at collection
  writeInput(caseDir, 'aws/ec2-describe-network-interfaces-us-west-2-2026-10-20T09-58-00Z.json', JSON.stringify({
    NetworkInterfaces: [
      { NetworkInterfaceId: 'eni-a', InterfaceType: 'interface', Status: 'in-use', VpcId: 'vpc-1', SubnetId: 'subnet-a', PrivateIpAddress: '10.0.1.10', Attachment: { InstanceId: I.a, DeviceIndex: 0 },
        PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.10', Primary: true }, { PrivateIpAddress: '10.0.1.11', Primary: false }, { PrivateIpAddress: '10.0.1.40', Primary: false }] },
      { NetworkInterfaceId: 'eni-b', InterfaceType: 'interface', Status: 'in-use', VpcId: 'vpc-1', SubnetId: 'subnet-b', PrivateIpAddress: '10.0.2.10', Attachment: { InstanceId: I.b, DeviceIndex: 0 },
        PrivateIpAddresses: [{ PrivateIpAddress: '10.0.2.10', Primary: true }], Ipv4Prefixes: [{ Ipv4Prefix: '10.0.2.48/28' }] },
      { NetworkInterfaceId: 'eni-vpce', InterfaceType: 'vpc_endpoint', Status: 'in-use', VpcId: 'vpc-1', SubnetId: 'subnet-a', PrivateIpAddress: VPCE_IP, Description: 'VPC Endpoint Interface vpce-0sts0000000000001',
        PrivateIpAddresses: [{ PrivateIpAddress: VPCE_IP, Primary: true }] },
    ],
  }, null, 4));
  writeInput(caseDir, 'aws/ec2-describe-vpc-endpoints-us-west-2-2026-10-20T09-58-00Z.json', JSON.stringify({
    VpcEndpoints: [{ VpcEndpointId: 'vpce-0sts0000000000001', VpcEndpointType: 'Interface', VpcId: 'vpc-1', ServiceName: 'com.amazonaws.us-west-2.sts', State: 'available', NetworkInterfaceIds: ['eni-vpce'], SubnetIds: ['subnet-a'], RouteTableIds: [] }],
  }, null, 4));
  const connects: Record<string, string[]> = {
    'node-a': [tgConnect({ time: at('2026-10-20T09:30:00Z', -0.4), node: 'node-a', saddr: POD.web.ip!, daddr: VPCE_IP, dport: 443, pod: { namespace: 'ops', name: POD.web.name, uid: POD.web.uid } })],
  };
  for (const n of ['node-a', 'node-b']) writeInput(caseDir, `tetragon/${n}.json`, lines([...tgHeartbeat(n, '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'), ...(connects[n] ?? [])]));
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));
  const records = [
    sts(EV.secondary, '2026-10-20T09:10:00Z', identity.iamUser({ user: 'svc-app', key: 'AKIASVCAPP0000000301' }), '10.0.1.11'),
    sts(EV.prefix, '2026-10-20T09:15:00Z', irsa('batch', 'ASIABATCH00000000301'), '10.0.2.50'),
    sts(EV.moved, '2026-10-20T09:20:00Z', identity.iamUser({ user: 'svc-app', key: 'AKIASVCAPP0000000301' }), '10.0.1.40'),
    sts(EV.nowhere, '2026-10-20T09:25:00Z', identity.iamUser({ user: 'svc-app', key: 'AKIASVCAPP0000000301' }), '10.0.7.7'),
    sts(EV.endpoint, '2026-10-20T09:30:00Z', irsa('web', 'ASIAWEB0000000000301'), '10.0.1.10'),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'owners001'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

type Cand = { pod_uid: string; kept_by: string[] };
async function attribution(id: string): Promise<Record<string, unknown> & { cands: Cand[] }> {
  const r = await query(caseDir, `select confidence, pod_uid, candidates::VARCHAR as c, egress_fact_id, endpoint_fact_id, reason from attributions where event_id = '${id}'`);
  expect(r).toHaveLength(1);
  return { ...r[0]!, cands: JSON.parse(String(r[0]!['c'])) as Cand[] };
}

describe('addresses to nodes (int_attr__source_owners)', () => {
  it('resolves a secondary IP and a delegated prefix to their node, and nothing else', async () => {
    const rows = await query(caseDir, `select event_id, node_name, kinds, cidrs from int_attr__source_owners order by event_id`);
    expect(rows).toEqual([
      { event_id: EV.secondary, node_name: 'node-a', kinds: ['secondary'], cidrs: ['10.0.1.11'] },
      { event_id: EV.prefix, node_name: 'node-b', kinds: ['ipv4-prefix'], cidrs: ['10.0.2.48/28'] },
    ]);
  });

  it('a call from a secondary IP keeps the pod of that node whose address no snapshot names; the pods whose known address differs are ruled out', async () => {
    const a = await attribution(EV.secondary);
    expect(a.confidence).not.toMatch(/proven|strong/);
    expect(a.cands.map((c) => c.pod_uid)).toEqual([POD.app.uid, POD.batchA.uid]);
    for (const c of a.cands) expect(c.kept_by).toEqual(expect.arrayContaining(['source-ip-eni', 'source:node-address']));
  });

  it('a call from a delegated prefix keeps the account\'s pod on the prefix\'s node and rules out the one on the other, observed node', async () => {
    const a = await attribution(EV.prefix);
    expect(a.confidence).not.toMatch(/proven|strong/);
    expect(a.cands).toEqual([expect.objectContaining({ pod_uid: POD.batchB.uid, kept_by: expect.arrayContaining(['source:node-address']) })]);
    // batch-a (node-a, observed, no connect) is ruled out: it is no candidate
    expect(a.cands.map((c) => c.pod_uid)).not.toContain(POD.batchA.uid);
  });

  it('an address a pod of another node held, or that no interface holds, names nobody', async () => {
    for (const id of [EV.moved, EV.nowhere]) {
      const a = await attribution(id);
      expect(a.confidence).toBe('unattributed');
      expect(a.cands).toEqual([]);
    }
  });
});

describe('attributions record the endpoint fact a deciding connect used', () => {
  it('names the collected interface endpoint fact', async () => {
    const a = await attribution(EV.endpoint);
    expect(a).toMatchObject({ confidence: 'strong', pod_uid: POD.web.uid, egress_fact_id: null, endpoint_fact_id: `collected:vpce-0sts0000000000001:${VPCE_IP}` });
  });

  it('leaves it empty where no connect decided', async () => {
    const rows = await query(caseDir, `select count(*)::INTEGER as n from attributions where endpoint_fact_id is not null and event_id <> '${EV.endpoint}'`);
    expect(rows).toEqual([{ n: 0 }]);
  });
});

describe('SQL assertions', () => {
  it('the network facts cited hold, and every attribution still resolves', async () => {
    expect(await assertionFailures(caseDir, ['attributions__address_facts.sql', 'attributions__named_pod_is_candidate.sql', 'attributions__strong_cites_evidence.sql', 'attributions__one_per_cloud_event.sql'])).toEqual({});
  });
});
