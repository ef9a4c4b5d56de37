/**
 * IPv6 and dual stack, on hand-written inputs in the real formats: pods and nodes with IPv4 and
 * IPv6 addresses (status.podIPs, status.addresses), CloudTrail's compressed notation against other
 * notations of the same address, a dual-stack VPC endpoint declared with an IPv6 CIDR, an IPv6
 * egress CIDR, and the IPv6 instance metadata (fd00:ec2::254) and Pod Identity agent (fd00:ec2::23)
 * addresses beside 169.254.169.254 and 169.254.170.23.
 *
 *   node-a 10.0.1.10 / 2600:1f14:abc:d01::10, node-b 10.0.2.10 / 2600:1f14:abc:d02::10; Tetragon on both
 *   api-1 (node-a) 10.0.1.41 / 2600:1f14:abc:d01::41, api-2 (node-b) 10.0.2.41 / 2600:1f14:abc:d02::41:
 *   IRSA service account api
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
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
import { ipRange } from '../../src/core/ip-range.js';
import { validateCaseConfig } from '../../src/case/case-config.js';

type Obj = Record<string, unknown>;
const uid = (n: number): string => `00000000-0000-4000-8000-0000000006${String(n).padStart(2, '0')}`;
const API1 = { uid: uid(1), name: 'api-1', node: 'node-a', ip: '10.0.1.41', ip6: '2600:1f14:abc:d01::41' };
const API2 = { uid: uid(2), name: 'api-2', node: 'node-b', ip: '10.0.2.41', ip6: '2600:1f14:abc:d02::41' };
// a Job's pod no snapshot lists: only its connects (and the call) show its IPv6 address
const JOB = { uid: uid(3), name: 'report-29112340-x7k2p', node: 'node-a', ip: '10.0.1.77', ip6: '2600:1f14:abc:d01::77' };
const ref = (p: typeof API1) => ({ namespace: 'web', name: p.name, uid: p.uid });
const EV = {
  own: 'v6-01-sts-from-pod-ipv6',
  endpoint: 'v6-02-sts-through-dual-stack-endpoint',
  egress: 'v6-03-sts-from-ipv6-egress',
  stranger: 'v6-04-sts-from-unknown-ipv6',
  job: 'v6-05-sts-from-unlisted-pod-ipv6',
  host: 'v6-06-ecr-from-node-ipv6',
};
const T = { own: '2026-10-20T09:10:00Z', endpoint: '2026-10-20T09:20:00Z', egress: '2026-10-20T09:30:00Z', stranger: '2026-10-20T09:40:00Z', job: '2026-10-20T09:15:00Z', host: '2026-10-20T09:25:00Z' };

let caseDir: string;
let cleanup: () => void;

/** A dual-stack pod: the inventory writes the IPv6 address expanded (leading zeros, no ::). */
function dualPod(p: typeof API1): Obj {
  const o = pod({ uid: p.uid, namespace: 'web', name: p.name, node: p.node, ip: p.ip, serviceAccount: 'api' });
  const expanded = p.ip6 === API1.ip6 ? '2600:1F14:0abc:0d01:0000:0000:0000:0041' : '2600:1f14:abc:d02:0:0:0:41';
  (o['status'] as Obj)['podIPs'] = [{ ip: p.ip }, { ip: expanded }];
  return o;
}

/** A Tetragon connect over IPv6 (family AF_INET6). */
function connect6(time: string, p: typeof API1, daddr: string, saddr = p.ip6): string {
  return tgConnect({ time, node: p.node, saddr, daddr, pod: ref(p), family: 'AF_INET6' });
}

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['endpoints'] = [{ service: 'sts.amazonaws.com', addresses: ['10.0.200.0/24', '2600:1F14:0ABC:0E00::/64'], vpc_endpoint_id: 'vpce-0sts0000000000001' }];
    doc['egress'] = [{ label: 'eigw-b', public: ['2600:1f14:abc:ff00::/56'], nodes: ['node-b'], subnets: [] }];
  });
  const nodes = [node({ name: 'node-a', instanceId: 'i-0a000000000000601', ip: '10.0.1.10', ip6: '2600:1f14:abc:d01::10' }), node({ name: 'node-b', instanceId: 'i-0b000000000000602', ip: '10.0.2.10', ip6: '2600:1f14:abc:d02::10' })];
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList([dualPod(API1), dualPod(API2)]));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList([serviceAccount({ namespace: 'web', name: 'api', roleArn: `arn:aws:iam::${ACCOUNT}:role/web-api` })]));
  }
  const runtime = {
    'node-a': [
      // the metadata service and the Pod Identity agent over IPv6, in other notations
      connect6(at(T.own, -30), API1, 'FD00:EC2:0:0:0:0:0:254'),
      connect6(at(T.own, -20), API1, 'fd00:0ec2::0023'),
      connect6(at(T.job, -0.4), JOB, '2600:1f14:abc:e00::15'),
    ],
    'node-b': [
      // api-2 reaches the dual-stack STS endpoint over IPv6 just before the call
      connect6(at(T.endpoint, -0.4), API2, '2600:1f14:abc:e00::15'),
      // and an AWS address through the egress-only gateway
      connect6(at(T.egress, -0.4), API2, '2600:1f14:abc:e00::15'),
      tgConnect({ time: at(T.egress, -0.3), node: 'node-b', saddr: '::ffff:10.0.2.41', daddr: '::ffff:10.0.200.15', pod: ref(API2) }),
    ],
  };
  for (const [n, extra] of Object.entries(runtime)) writeInput(caseDir, `tetragon/${n}.json`, lines([...tgHeartbeat(n, '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'), ...extra]));
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));
  const who = (n: number) => identity.assumedRole({ role: 'web-api', session: `botocore-session-api-${n}`, key: `ASIAWEBAPI00000060${n}`, webIdentity: true });
  const records = [
    // CloudTrail writes IPv6 compressed
    ctEvent({ id: EV.own, time: T.own, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(1), ip: '2600:1f14:abc:d01::41' }),
    ctEvent({ id: EV.endpoint, time: T.endpoint, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(2), ip: '2600:1f14:abc:d02::41', vpce: 'vpce-0sts0000000000001' }),
    ctEvent({ id: EV.egress, time: T.egress, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(3), ip: '2600:1f14:abc:ff12::7' }),
    ctEvent({ id: EV.job, time: T.job, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(5), ip: '2600:1f14:abc:d01::77' }),
    // the node's own agent (the kubelet's credential provider) with the node role, from the node's global IPv6
    ctEvent({ id: EV.host, time: T.host, source: 'ecr.amazonaws.com', name: 'GetAuthorizationToken', identity: identity.assumedRole({ role: 'eks-node-role', session: 'i-0a000000000000601', key: 'ASIANODEA00000000601', ec2RoleDelivery: '2.0' }), ip: '2600:1f14:abc:d01::10' }),
    ctEvent({ id: EV.stranger, time: T.stranger, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(4), ip: '2001:db8:77::9' }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'ipv6calls00001'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

const attribution = async (id: string): Promise<Obj> =>
  (await query(caseDir, `select event_id, confidence, rule_id, pod_uid, egress_fact_id from attributions where event_id = '${id}'`))[0] as Obj;

describe('addresses in one notation', () => {
  it('land normalised (RFC 5952): inventory, nodes, runtime and CloudTrail agree', async () => {
    expect(await query(caseDir, `select distinct name, pod_ips from k8s_pods order by name`)).toEqual([
      { name: 'api-1', pod_ips: ['10.0.1.41', '2600:1f14:abc:d01::41'] },
      { name: 'api-2', pod_ips: ['10.0.2.41', '2600:1f14:abc:d02::41'] },
    ]);
    const runtime = await query(caseDir, `select distinct dst_ip from runtime_events where kind = 'connect' order by dst_ip`);
    expect(runtime.map((r) => r['dst_ip'])).toEqual(['10.0.200.15', '2600:1f14:abc:e00::15', 'fd00:ec2::23', 'fd00:ec2::254']);
    expect(await query(caseDir, `select distinct src_ip from runtime_events where kind = 'connect' and node_name = 'node-b' order by src_ip`)).toEqual([{ src_ip: '10.0.2.41' }, { src_ip: '2600:1f14:abc:d02::41' }]);
  });

  it('the SQL numbering agrees with the case tables\' (pt_ip_int, pt_cidr_lo/hi against ipRange)', async () => {
    for (const cidr of ['2600:1f14:abc:e00::/64', '10.0.200.0/24', 'fd00:ec2::254', '::/0', '::ffff:10.0.0.1']) {
      const r = (await query(caseDir, `select pt_cidr_lo('${cidr}')::VARCHAR as lo, pt_cidr_hi('${cidr}')::VARCHAR as hi`))[0];
      expect(r).toEqual(ipRange(cidr));
    }
    expect(await query(caseDir, `select pt_ip_norm('2001:DB8:0:0:1:0:0:1') as a, pt_ip_norm('2001:0:0:1:0:0:0:1') as b, pt_ip_norm('fe80::1%eth0') as c, pt_ip_norm('1:2:3:4:5:6:7') as d, pt_ip_norm('AWS Internal') as e`)).toEqual([
      { a: '2001:db8::1:0:0:1', b: '2001:0:0:1::1', c: 'fe80::1', d: '1:2:3:4:5:6:7', e: 'AWS Internal' },
    ]);
  });

  it('the IPv6 metadata service and Pod Identity agent are what their IPv4 addresses are', async () => {
    expect(await query(caseDir, `select dst_ip, dest_kind from int_runtime__endpoint_connects where node_name = 'node-a' and pod_name = 'api-1' order by dst_ip`)).toEqual([{ dst_ip: 'fd00:ec2::254', dest_kind: 'imds' }]);
    expect(await query(caseDir, `select pt_is_pod_identity_agent('fd00:0ec2::0023') as a, pt_is_pod_identity_agent('169.254.170.23') as b, pt_is_imds('FD00:EC2::254') as c, pt_is_public_ip('fd00:ec2::23') as d`)).toEqual([
      { a: true, b: true, c: true, d: false },
    ]);
  });
});

describe('IPv6 in case.yaml works', () => {
  it('an IPv6 endpoint CIDR and egress CIDR get their ranges (not NULL, not ignored)', async () => {
    const e = await query(caseDir, `select cidr, lo is not null and hi is not null as ranged from case_endpoints order by cidr`);
    expect(e).toEqual([{ cidr: '10.0.200.0/24', ranged: true }, { cidr: '2600:1F14:0ABC:0E00::/64', ranged: true }]);
    const g = await query(caseDir, `select public_cidr, public_lo is not null as ranged from case_egress`);
    expect(g).toEqual([{ public_cidr: '2600:1f14:abc:ff00::/56', ranged: true }]);
  });

  it('a connect to the dual-stack endpoint\'s IPv6 address is a connect to STS', async () => {
    const r = await query(caseDir, `select dst_ip, service, dest_kind from int_runtime__endpoint_connects where node_name = 'node-b' order by ts`);
    expect(r).toEqual([
      { dst_ip: '2600:1f14:abc:e00::15', service: 'sts.amazonaws.com', dest_kind: 'endpoint' },
      { dst_ip: '2600:1f14:abc:e00::15', service: 'sts.amazonaws.com', dest_kind: 'endpoint' },
      { dst_ip: '10.0.200.15', service: 'sts.amazonaws.com', dest_kind: 'endpoint' },
    ]);
  });

  it('refuses an IPv6 value that is not one, naming it', () => {
    const base = { schema: 'podtrail.case/v1', case_id: 'c', window: { from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z', reason: 'r' } };
    expect(() => validateCaseConfig({ ...base, egress: [{ label: 'x', public: ['2600:1f14::zz/56'] }] }, 'case.yaml')).toThrow(/"2600:1f14::zz\/56" is not an IP or CIDR/);
    expect(() => validateCaseConfig({ ...base, endpoints: [{ service: 's', addresses: ['2600:1f14::/129'] }] }, 'case.yaml')).toThrow(/is not an IP or CIDR/);
  });
});

describe('attribution over IPv6', () => {
  it('a call from a pod\'s own IPv6 address (global, not private) names that pod: its address is the cluster\'s', async () => {
    expect(await attribution(EV.own)).toMatchObject({ confidence: 'proven', pod_uid: API1.uid });
  });

  it('through the dual-stack endpoint, from the pod\'s IPv6 address: the same', async () => {
    expect(await attribution(EV.endpoint)).toMatchObject({ pod_uid: API2.uid });
    expect(['proven', 'strong']).toContain((await attribution(EV.endpoint))['confidence']);
  });

  it('a call from the IPv6 egress CIDR is explained by the declared fact', async () => {
    const a = await attribution(EV.egress);
    expect(a['egress_fact_id']).toBe('declared:eigw-b:2600:1f14:abc:ff00::/56');
    expect(a['confidence']).not.toBe('unattributed');
  });

  it('an IPv6 address only a sensor saw (a pod no snapshot lists) is the cluster\'s, never outside it', async () => {
    const calls = await query(caseDir, `select event_id, source_is_private from int_cloud__calls where event_id in ('${EV.job}', '${EV.stranger}') order by event_id`);
    expect(calls).toEqual([
      { event_id: EV.stranger, source_is_private: false },
      { event_id: EV.job, source_is_private: true },
    ]);
    const a = await query(caseDir, `select confidence, pod_uid, reason from attributions where event_id = '${EV.job}'`);
    expect(a[0]!['pod_uid'] === null || a[0]!['pod_uid'] === JOB.uid).toBe(true);
    expect(String(a[0]!['reason'] ?? '')).not.toMatch(/outside the cluster/);
  });

  it('a node-role call from the node\'s own global IPv6 is no credential used outside the cluster', async () => {
    expect(await query(caseDir, `select source_is_private from int_cloud__calls where event_id = '${EV.host}'`)).toEqual([{ source_is_private: true }]);
    expect(await query(caseDir, `select event_id from credential_misuse where event_id in ('${EV.host}', '${EV.job}')`)).toEqual([]);
  });

  it('an IPv6 address nobody in the cluster held names nobody', async () => {
    const a = await attribution(EV.stranger);
    expect(a['pod_uid']).toBeNull();
  });
});
