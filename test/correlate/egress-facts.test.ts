/**
 * Egress facts in one place (egress_facts): declared (case.yaml), learned (an address from which
 * the node-role sessions of two or more instances called), precedence declared > learned, which
 * fact each attribution used, learned egress alone never deciding, and the gaps check listing the
 * facts and flagging calls from addresses none explains. Hand-written inputs in the real formats.
 *
 *   node-a 10.0.1.10 i-0a..201   declared behind NAT 203.0.113.10 (nat-a)
 *   node-b 10.0.2.10 i-0b..202   node-c 10.0.3.10 i-0c..203   node-d 10.0.4.10 i-0d..204
 *   node-role calls: node-a and node-b from 203.0.113.10 (node-b is not declared there);
 *   node-c and node-d from 198.51.100.200; a second key of node-c from 198.51.100.200 and
 *   203.0.113.99 (suspect: one instance leaves through one exit)
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
import { AS_OF, query } from '../helpers/case.js';
import { checkCase } from '../../src/check/check-case.js';
import { createClock } from '../../src/core/clock.js';

const NAT_A = '203.0.113.10';
const LEARNED = '198.51.100.200';
const ELSEWHERE = '203.0.113.99';
const STRANGER = '192.0.2.44';
const OFFICE = '198.51.100.77';
const STS = '52.94.1.15';

const I = { a: 'i-0a000000000000201', b: 'i-0b000000000000202', c: 'i-0c000000000000203', d: 'i-0d000000000000204' };
const KEY = { a: 'ASIANODEROLEA0000201', b: 'ASIANODEROLEB0000202', c1: 'ASIANODEROLEC0000203', c2: 'ASIANODEROLEC0000204', d: 'ASIANODEROLED0000205' };
const uid = (n: number): string => `00000000-0000-4000-8000-0000000002${String(n).padStart(2, '0')}`;
const POD = {
  batch1: { uid: uid(1), name: 'batch-1', node: 'node-c', ip: '10.0.3.31', sa: 'batch' },
  batch2: { uid: uid(2), name: 'batch-2', node: 'node-d', ip: '10.0.4.31', sa: 'batch' },
  solo: { uid: uid(3), name: 'solo-1', node: 'node-c', ip: '10.0.3.32', sa: 'solo' },
  solo2: { uid: uid(4), name: 'solo2-1', node: 'node-a', ip: '10.0.1.32', sa: 'solo2' },
};
const role = (sa: string): string => `arn:aws:iam::${ACCOUNT}:role/ops-${sa}`;
const EV = {
  batch: 'egress-01-batch-from-learned-address',
  solo: 'egress-02-solo-from-learned-address',
  solo2: 'egress-03-solo2-from-declared-address',
  stranger: 'egress-04-irsa-key-from-nowhere',
  office: 'egress-05-person-from-the-office',
};

let caseDir: string;
let cleanup: () => void;

function nodeCall(id: string, time: string, instance: string, key: string, ip: string): Record<string, unknown> {
  return ctEvent({
    id,
    time,
    source: 'ecr.amazonaws.com',
    name: 'GetAuthorizationToken',
    identity: identity.assumedRole({ role: 'eks-node-role', session: instance, key, ec2RoleDelivery: '2.0' }),
    ip,
  });
}
const irsa = (sa: string, key: string): Record<string, unknown> => identity.assumedRole({ role: `ops-${sa}`, session: `botocore-session-${sa}`, key, webIdentity: true });

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['egress'] = [{ label: 'nat-a', public: [NAT_A], nodes: ['node-a'], subnets: [] }];
    doc['endpoints'] = [{ service: 'sts.amazonaws.com', addresses: ['52.94.1.0/24'], vpc_endpoint_id: '' }];
  });
  const nodes = [
    node({ name: 'node-a', instanceId: I.a, ip: '10.0.1.10' }),
    node({ name: 'node-b', instanceId: I.b, ip: '10.0.2.10' }),
    node({ name: 'node-c', instanceId: I.c, ip: '10.0.3.10' }),
    node({ name: 'node-d', instanceId: I.d, ip: '10.0.4.10' }),
  ];
  const pods = Object.values(POD).map((p) => pod({ uid: p.uid, namespace: 'ops', name: p.name, node: p.node, ip: p.ip, serviceAccount: p.sa }));
  const sas = ['batch', 'solo', 'solo2'].map((sa) => serviceAccount({ namespace: 'ops', name: sa, roleArn: role(sa) }));
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(sas));
  }
  const connects: Record<string, string[]> = {
    'node-c': [tgConnect({ time: at('2026-10-20T09:20:00Z', -0.4), node: 'node-c', saddr: POD.batch1.ip, daddr: STS, pod: { namespace: 'ops', name: POD.batch1.name, uid: POD.batch1.uid } })],
  };
  for (const n of ['node-a', 'node-b', 'node-c', 'node-d']) writeInput(caseDir, `tetragon/${n}.json`, lines([...tgHeartbeat(n, '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'), ...(connects[n] ?? [])]));
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));
  const records = [
    nodeCall('egress-n1', '2026-10-20T09:01:00Z', I.a, KEY.a, NAT_A),
    nodeCall('egress-n2', '2026-10-20T09:02:00Z', I.b, KEY.b, NAT_A),
    nodeCall('egress-n3', '2026-10-20T09:03:00Z', I.d, KEY.d, LEARNED),
    nodeCall('egress-n4', '2026-10-20T09:04:00Z', I.c, KEY.c1, LEARNED),
    nodeCall('egress-n5', '2026-10-20T09:05:00Z', I.c, KEY.c2, LEARNED),
    nodeCall('egress-n6', '2026-10-20T09:06:00Z', I.c, KEY.c2, ELSEWHERE),
    ctEvent({ id: EV.batch, time: '2026-10-20T09:20:00Z', source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: irsa('batch', 'ASIABATCH00000000201'), ip: LEARNED }),
    ctEvent({ id: EV.solo, time: '2026-10-20T09:25:00Z', source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: irsa('solo', 'ASIASOLO000000000201'), ip: LEARNED }),
    ctEvent({ id: EV.solo2, time: '2026-10-20T09:30:00Z', source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: irsa('solo2', 'ASIASOLOTWO000000201'), ip: NAT_A }),
    ctEvent({ id: EV.stranger, time: '2026-10-20T09:35:00Z', source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: irsa('solo2', 'ASIASOLOTWO000000202'), ip: STRANGER }),
    ctEvent({ id: EV.office, time: '2026-10-20T09:40:00Z', source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: identity.iamUser({ user: 'alice', key: 'AKIAALICE00000000201' }), ip: OFFICE }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'egressfacts001'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
  await checkCase(caseDir, () => {}, createClock(AS_OF));
}, 120_000);

afterAll(() => cleanup?.());

describe('egress_facts', () => {
  it('lists the declared fact and the learned ones side by side, with precedence and what overrides what', async () => {
    const rows = await query(caseDir, `select fact_id, cidr, source, precedence, node_name, overridden_by from egress_facts order by fact_id, node_name`);
    expect(rows).toEqual([
      { fact_id: `declared:nat-a:${NAT_A}`, cidr: NAT_A, source: 'declared', precedence: 1, node_name: 'node-a', overridden_by: null },
      { fact_id: `learned:node-role:${LEARNED}`, cidr: LEARNED, source: 'learned', precedence: 3, node_name: 'node-c', overridden_by: null },
      { fact_id: `learned:node-role:${LEARNED}`, cidr: LEARNED, source: 'learned', precedence: 3, node_name: 'node-d', overridden_by: null },
      { fact_id: `learned:node-role:${NAT_A}`, cidr: NAT_A, source: 'learned', precedence: 3, node_name: 'node-a', overridden_by: `declared:nat-a:${NAT_A}` },
      { fact_id: `learned:node-role:${NAT_A}`, cidr: NAT_A, source: 'learned', precedence: 3, node_name: 'node-b', overridden_by: `declared:nat-a:${NAT_A}` },
    ]);
  });

  it('learns from two instances, never from a key used from two addresses', async () => {
    const ev = await query(caseDir, `select evidence ->> '$.instances' as instances, (evidence ->> '$.calls')::INTEGER as calls from egress_facts where fact_id = 'learned:node-role:${LEARNED}' and node_name = 'node-c'`);
    expect(JSON.parse(String(ev[0]!['instances']))).toEqual([I.c, I.d]);
    expect(ev[0]!['calls']).toBe(2);
    expect(await query(caseDir, `select fact_id from egress_facts where cidr = '${ELSEWHERE}'`)).toEqual([]);
  });
});

describe('attributions record the fact they used', () => {
  it('a runtime connect decides through a learned fact, and names it', async () => {
    const r = await query(caseDir, `select confidence, rule_id, pod_uid, egress_fact_id, decided_by ->> '$.address.fact_source' as fact_source from attributions where event_id = '${EV.batch}'`);
    expect(r).toEqual([{ confidence: 'strong', rule_id: 'irsa-runtime-connect', pod_uid: POD.batch1.uid, egress_fact_id: `learned:node-role:${LEARNED}`, fact_source: 'learned' }]);
  });

  it('learned egress alone never decides: the one pod of the account behind a learned address stays ambiguous', async () => {
    const r = await query(caseDir, `select confidence, pod_uid, egress_fact_id, candidate_count from attributions where event_id = '${EV.solo}'`);
    expect(r).toEqual([{ confidence: 'ambiguous', pod_uid: null, egress_fact_id: `learned:node-role:${LEARNED}`, candidate_count: 1 }]);
  });

  it('behind a declared address, the one pod of the account is strong, citing the declared fact', async () => {
    const r = await query(caseDir, `select confidence, rule_id, pod_uid, egress_fact_id, decided_by ->> '$.basis' as basis from attributions where event_id = '${EV.solo2}'`);
    expect(r).toEqual([{ confidence: 'strong', rule_id: 'irsa-single-pod', pod_uid: POD.solo2.uid, egress_fact_id: `declared:nat-a:${NAT_A}`, basis: 'single-pod' }]);
  });

  it('a call from an address no fact explains records none', async () => {
    const r = await query(caseDir, `select confidence, egress_fact_id from attributions where event_id = '${EV.stranger}'`);
    expect(r).toEqual([{ confidence: 'unattributed', egress_fact_id: null }]);
  });
});

describe('the egress check', () => {
  it('lists every fact, flags the disagreement, the cluster credential used from nowhere known, and lists the person calling from outside', async () => {
    const f = await query(caseDir, `select kind, finding_id, status from gap_findings where check_id = 'egress' order by finding_id`);
    expect(f).toEqual([
      { kind: 'aws-ip-ranges-missing', finding_id: 'egress:aws-ip-ranges', status: 'ok' },
      { kind: 'egress-facts-disagree', finding_id: `egress:disagree:learned:node-role:${NAT_A}`, status: 'unknown' },
      { kind: 'egress-fact', finding_id: `egress:fact:declared:nat-a:${NAT_A}`, status: 'ok' },
      { kind: 'egress-fact', finding_id: `egress:fact:learned:node-role:${LEARNED}`, status: 'ok' },
      { kind: 'egress-fact', finding_id: `egress:fact:learned:node-role:${NAT_A}`, status: 'ok' },
      { kind: 'unexplained-source', finding_id: `egress:unexplained:${STRANGER}`, status: 'gap' },
      { kind: 'outside-source', finding_id: `egress:unexplained:${OFFICE}`, status: 'ok' },
      { kind: 'unexplained-source', finding_id: `egress:unexplained:${ELSEWHERE}`, status: 'gap' },
    ]);
    const impacts = await query(caseDir, `select event_id from gap_impacts where finding_id = 'egress:unexplained:${STRANGER}'`);
    expect(impacts).toEqual([{ event_id: EV.stranger }]);
    const msg = await query(caseDir, `select message from gap_findings where finding_id = 'egress:disagree:learned:node-role:${NAT_A}'`);
    expect(String(msg[0]!['message'])).toContain('node-b');
  });
});
