/**
 * Delegated IPv6 prefixes to nodes: in an IPv6 cluster the VPC CNI gives each node's interface a
 * delegated /80 and every pod of that node an address inside it. A pod's IPv6 address is global
 * (it leaves through an egress-only gateway, not a NAT), so CloudTrail names it as the caller; a
 * call from inside a node's /80 that no pod snapshot names resolves to that node exactly as an
 * IPv4 delegated /28 does, and an address outside every prefix (even one of the same subnet)
 * names nobody. Hand-written inputs in the real formats (kubectl, Tetragon, CloudTrail and the
 * AWS CLI's describe-network-interfaces output, Ipv6Prefixes: [{Ipv6Prefix}]).
 *
 *   node-a 10.0.1.10 / 2600:1f14:abc:d01::10  i-0a..701  eni-a: delegated 2600:1f14:abc:d01:8f3a::/80
 *   node-b 10.0.2.10 / 2600:1f14:abc:d02::10  i-0b..702  eni-b: delegated 2600:1f14:abc:d02:41c0::/80
 *   pods without an address in their snapshots: batch-a (node-a), batch-b (node-b), IRSA account batch
 *   a dual-stack STS interface endpoint declared at 2600:1f14:abc:e00::/64; Tetragon on both nodes
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
  tgHeartbeat,
  writeInput,
} from '../helpers/handmade.js';
import { query } from '../helpers/case.js';

type Obj = Record<string, unknown>;
const I = { a: 'i-0a000000000000701', b: 'i-0b000000000000702' };
const PREFIX = { a: '2600:1f14:abc:d01:8f3a::/80', b: '2600:1f14:abc:d02:41c0::/80' };
const uid = (n: number): string => `00000000-0000-4000-8000-0000000007${String(n).padStart(2, '0')}`;
const POD = {
  batchA: { uid: uid(1), name: 'batch-a', node: 'node-a' },
  batchB: { uid: uid(2), name: 'batch-b', node: 'node-b' },
};
const EV = {
  prefix: 'v6p-01-irsa-from-a-delegated-ipv6-prefix',
  static: 'v6p-02-static-key-from-a-delegated-ipv6-prefix',
  outside: 'v6p-03-irsa-from-outside-every-prefix',
  nowhere: 'v6p-04-static-key-from-outside-every-prefix',
  decided: 'v6p-05-irsa-from-a-delegated-ipv6-prefix-decided-by-a-connect',
};
// inside node-b's /80; inside node-a's /80 (the last address of it); the /80 next to node-a's, in
// the same /64 subnet; an address of another subnet
const IP = { prefix: '2600:1f14:abc:d02:41c0::7', static: '2600:1f14:abc:d01:8f3a:ffff:ffff:ffff', outside: '2600:1f14:abc:d01:8f3b::7', nowhere: '2600:1f14:abc:d03::7', decided: '2600:1f14:abc:d02:41c0::9' };
const STS_ENDPOINT = { id: 'vpce-0sts0000000000701', ip: '2600:1f14:abc:e00::15' };
const T_DECIDED = '2026-10-20T09:35:00Z';
const irsa = (key: string): Obj => identity.assumedRole({ role: 'ops-batch', session: 'botocore-session-batch', key, webIdentity: true });
const staticKey = (): Obj => identity.iamUser({ user: 'svc-batch', key: 'AKIASVCBATCH0000701' });

/** A node of an IPv6 cluster: an IPv4 and an IPv6 internal address (status.addresses). */
/** An interface as `aws ec2 describe-network-interfaces` prints it for an IPv6 EKS node. */
function eni(id: string, instanceId: string, ip: string, ip6: string, prefix: string, subnet: string): Obj {
  return {
    AvailabilityZone: 'us-west-2a',
    Description: '',
    InterfaceType: 'interface',
    Ipv6Addresses: [{ Ipv6Address: ip6, IsPrimaryIpv6: false }],
    NetworkInterfaceId: id,
    PrivateIpAddress: ip,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip }],
    Ipv4Prefixes: [],
    Ipv6Prefixes: [{ Ipv6Prefix: prefix }],
    Ipv6Native: false,
    Status: 'in-use',
    SubnetId: subnet,
    VpcId: 'vpc-1',
    Attachment: { AttachmentId: `eni-attach-${id}`, DeviceIndex: 0, InstanceId: instanceId, Status: 'attached' },
  };
}

/** A Tetragon connect over IPv6 (family AF_INET6). */
function connect6(time: string, p: typeof POD.batchB, saddr: string, daddr: string): string {
  return tgConnect({ time, node: p.node, saddr, daddr, pod: { namespace: 'ops', name: p.name, uid: p.uid }, family: 'AF_INET6' });
}

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['endpoints'] = [{ service: 'sts.amazonaws.com', addresses: ['2600:1f14:abc:e00::/64'], vpc_endpoint_id: STS_ENDPOINT.id }];
  });
  const nodes = [node({ name: 'node-a', instanceId: I.a, ip: '10.0.1.10', ip6: '2600:1f14:abc:d01::10' }), node({ name: 'node-b', instanceId: I.b, ip: '10.0.2.10', ip6: '2600:1f14:abc:d02::10' })];
  const pods = Object.values(POD).map((p) => {
    const doc = pod({ uid: p.uid, namespace: 'ops', name: p.name, node: p.node, ip: '', serviceAccount: 'batch' });
    // snapshots taken before the CNI gave the pods their addresses: no podIP
    const status = doc['status'] as Obj;
    delete status['podIP'];
    delete status['podIPs'];
    return doc;
  });
  const sas = [serviceAccount({ namespace: 'ops', name: 'batch', roleArn: `arn:aws:iam::${ACCOUNT}:role/ops-batch` })];
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(sas));
  }
  // the AWS CLI's answer, saved as `aws ec2 describe-network-interfaces > file` at collection
  writeInput(caseDir, 'aws/ec2-describe-network-interfaces-us-west-2-2026-10-20T09-58-00Z.json', JSON.stringify({
    NetworkInterfaces: [
      eni('eni-a', I.a, '10.0.1.10', '2600:1f14:abc:d01::10', PREFIX.a, 'subnet-a'),
      eni('eni-b', I.b, '10.0.2.10', '2600:1f14:abc:d02::10', PREFIX.b, 'subnet-b'),
    ],
  }, null, 4));
  // batch-b reaches the dual-stack STS endpoint from its address in node-b's /80 just before a call
  const connects: Record<string, string[]> = { 'node-b': [connect6(at(T_DECIDED, -0.4), POD.batchB, IP.decided, STS_ENDPOINT.ip)] };
  for (const n of ['node-a', 'node-b']) writeInput(caseDir, `tetragon/${n}.json`, lines([...tgHeartbeat(n, '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'), ...(connects[n] ?? [])]));
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));
  const gci = (id: string, time: string, ident: Obj, ip: string): Obj => ctEvent({ id, time, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: ident, ip });
  const records = [
    gci(EV.prefix, '2026-10-20T09:15:00Z', irsa('ASIABATCH00000000701'), IP.prefix),
    gci(EV.static, '2026-10-20T09:20:00Z', staticKey(), IP.static),
    gci(EV.outside, '2026-10-20T09:25:00Z', irsa('ASIABATCH00000000702'), IP.outside),
    gci(EV.nowhere, '2026-10-20T09:30:00Z', staticKey(), IP.nowhere),
    { ...gci(EV.decided, T_DECIDED, irsa('ASIABATCH00000000703'), IP.decided), vpcEndpointId: STS_ENDPOINT.id },
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'v6prefix01'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

type Cand = { pod_uid: string; kept_by: string[] };
async function attribution(id: string): Promise<Obj & { cands: Cand[]; inventory: string[] }> {
  const r = await query(caseDir, `select confidence, pod_uid, candidates::VARCHAR as c, evidence::VARCHAR as ev, egress_fact_id from attributions where event_id = '${id}'`);
  expect(r).toHaveLength(1);
  return { ...r[0]!, cands: JSON.parse(String(r[0]!['c'])) as Cand[], inventory: (JSON.parse(String(r[0]!['ev'])) as { inventory: string[] }).inventory };
}

describe('delegated IPv6 prefixes to nodes', () => {
  it('lands the prefixes as the AWS CLI writes them', async () => {
    const rows = await query(caseDir, `select eni_id, ipv6_prefixes from aws_network_interfaces order by eni_id`);
    expect(rows).toEqual([{ eni_id: 'eni-a', ipv6_prefixes: [PREFIX.a] }, { eni_id: 'eni-b', ipv6_prefixes: [PREFIX.b] }]);
  });

  it('resolves an address inside a node\'s /80 to that node, and an address outside every prefix to none', async () => {
    const rows = await query(caseDir, `select event_id, node_name, kinds, cidrs from int_attr__source_owners order by event_id`);
    expect(rows).toEqual([
      { event_id: EV.prefix, node_name: 'node-b', kinds: ['ipv6-prefix'], cidrs: [PREFIX.b] },
      { event_id: EV.static, node_name: 'node-a', kinds: ['ipv6-prefix'], cidrs: [PREFIX.a] },
      { event_id: EV.decided, node_name: 'node-b', kinds: ['ipv6-prefix'], cidrs: [PREFIX.b] },
    ]);
  });

  it('counts an address inside a node\'s prefix as the cluster\'s, not the internet\'s', async () => {
    const rows = await query(caseDir, `select event_id, source_is_private from int_cloud__calls order by event_id`);
    expect(rows).toEqual([
      { event_id: EV.prefix, source_is_private: true },
      { event_id: EV.static, source_is_private: true },
      { event_id: EV.outside, source_is_private: false },
      { event_id: EV.nowhere, source_is_private: false },
      { event_id: EV.decided, source_is_private: true },
    ]);
  });

  it('a call from a delegated IPv6 prefix keeps the account\'s pod on the prefix\'s node and rules out the one on the other, observed node', async () => {
    const a = await attribution(EV.prefix);
    expect(a.confidence).not.toMatch(/proven|strong/);
    expect(a.cands).toEqual([expect.objectContaining({ pod_uid: POD.batchB.uid, kept_by: expect.arrayContaining(['source:node-address']) })]);
    expect(a.egress_fact_id).toBeNull();
  });

  it('a call from the prefix that a connect decides names the pod and cites the interface that holds the prefix', async () => {
    const a = await attribution(EV.decided);
    expect(a).toMatchObject({ confidence: 'strong', pod_uid: POD.batchB.uid, egress_fact_id: null });
    const eniB = await query(caseDir, `select row_id from aws_network_interfaces where eni_id = 'eni-b'`);
    expect(a.inventory).toEqual(expect.arrayContaining([eniB[0]!['row_id']]));
  });

  it('a static key used from a node\'s /80 keeps that node\'s pods only', async () => {
    const a = await attribution(EV.static);
    expect(a.confidence).not.toMatch(/proven|strong/);
    expect(a.cands.map((c) => c.pod_uid)).toEqual([POD.batchA.uid]);
    for (const c of a.cands) expect(c.kept_by).toEqual(expect.arrayContaining(['source-ip-eni', 'source:node-address']));
  });

  it('an address outside every prefix is attributed through no node', async () => {
    const outside = await attribution(EV.outside);
    expect(outside.cands.every((c) => !c.kept_by.includes('source:node-address') && !c.kept_by.includes('source-ip-eni'))).toBe(true);
    expect(outside.inventory.filter((r) => r.includes('aws/ec2-describe-network-interfaces'))).toEqual([]);
    const nowhere = await attribution(EV.nowhere);
    expect(nowhere.confidence).toBe('unattributed');
    expect(nowhere.cands).toEqual([]);
  });
});

describe('SQL assertions', () => {
  it('the network facts cited hold, and every attribution still resolves', async () => {
    expect(await assertionFailures(caseDir, ['attributions__address_facts.sql', 'attributions__named_pod_is_candidate.sql', 'attributions__strong_cites_evidence.sql', 'attributions__one_per_cloud_event.sql'])).toEqual({});
  });
});
