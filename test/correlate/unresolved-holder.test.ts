/**
 * An unresolved holder of the call's source address, on hand-written inventory, audit, Tetragon,
 * Falco and CloudTrail: a call whose private source address no candidate's egress explains, held
 * by a pod the evidence does not know (deleted before the first snapshot, its audit rotated away,
 * on a node with no sensor that names pods) or knows only from a Falco alert (no service account),
 * is unattributed (unresolved-holder), never ambiguous among candidates that leave the holder out.
 * Where the set is closed the rules answer as before.
 *
 *   node-a 10.0.1.10: no Tetragon; Falco with unknown rules (its silence proves nothing)
 *   node-b 10.0.2.10: Tetragon (observed). Both behind NAT 203.0.113.40; STS endpoint 10.0.200.0/24.
 *   Snapshots 08:55 and 09:55; the audit is retained from 09:10 only; lake from 08:45.
 *   IRSA service account finance:ledger: ledger-a (node-a, 10.0.1.41) and ledger-b (node-b, 10.0.2.41).
 *   Gone before 08:55, in no snapshot and no retained audit: ledger-old-1 (node-a, 10.0.1.77, no
 *   runtime evidence) and ledger-old-2 (node-a, 10.0.1.78, one Falco alert with its pod UID).
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
  tgHeartbeat,
  writeInput,
} from '../helpers/handmade.js';
import { falcoConnect } from '../helpers/handmade-falco.js';
import { query } from '../helpers/case.js';

const NAT = '203.0.113.40';
const STS = '10.0.200.15';
const uid = (n: number): string => `00000000-0000-4000-8000-0000000009${String(n).padStart(2, '0')}`;
const A = { uid: uid(1), name: 'ledger-a', node: 'node-a', ip: '10.0.1.41' };
const B = { uid: uid(2), name: 'ledger-b', node: 'node-b', ip: '10.0.2.41' };
const OLD1 = { uid: uid(3), name: 'ledger-old-1', ip: '10.0.1.77' };
const OLD2 = { uid: uid(4), name: 'ledger-old-2', ip: '10.0.1.78' };
const EV = {
  unknown: 'holder-01-gone-pod-no-sensor',
  noSa: 'holder-02-gone-pod-falco-only',
  podIp: 'holder-03-ledger-a-through-endpoint',
  nat: 'holder-04-through-nat',
};
const T = { unknown: '2026-10-20T08:48:00Z', noSa: '2026-10-20T08:49:00Z', podIp: '2026-10-20T09:20:00Z', nat: '2026-10-20T09:30:00Z' };

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['egress'] = [{ label: 'nat', public: [NAT], nodes: ['node-a', 'node-b'], subnets: [] }];
    doc['endpoints'] = [{ service: 'sts.amazonaws.com', addresses: ['10.0.200.0/24'], vpc_endpoint_id: 'vpce-0sts0000000000009' }];
  });
  const nodes = [node({ name: 'node-a', instanceId: 'i-0a00000000000900a', ip: '10.0.1.10' }), node({ name: 'node-b', instanceId: 'i-0b00000000000900b', ip: '10.0.2.10' })];
  const pods = [A, B].map((p) => pod({ uid: p.uid, namespace: 'finance', name: p.name, node: p.node, ip: p.ip, hostIP: p.node === 'node-a' ? '10.0.1.10' : '10.0.2.10', serviceAccount: 'ledger', created: '2026-10-20T08:40:00Z' }));
  for (const snap of ['2026-10-20T08:55:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList([serviceAccount({ namespace: 'finance', name: 'ledger', roleArn: `arn:aws:iam::${ACCOUNT}:role/finance-ledger` })]));
  }
  writeInput(caseDir, 'tetragon/node-b.json', lines(tgHeartbeat('node-b', '2026-10-20T08:44:00Z', '2026-10-20T10:15:00Z')));
  // node-a's Falco (rules unknown): one alert, ledger-old-2's connect to the STS endpoint, with its pod UID
  writeInput(caseDir, 'falco/node-a.json', lines([falcoConnect({ time: at(T.noSa, -0.4), node: 'node-a', cip: OLD2.ip, sip: STS, pod: { namespace: 'finance', name: OLD2.name, uid: OLD2.uid } })]));
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T09:10:00Z', '2026-10-20T10:15:00Z', 60)));
  const who = (n: number) => identity.assumedRole({ role: 'finance-ledger', session: `botocore-session-ledger-${n}`, key: `ASIAHOLDERLEDGER000${n}`, webIdentity: true });
  const call = (id: string, time: string, n: number, ip: string, vpce = true) =>
    ctEvent({ id, time, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who(n), ip, ...(vpce ? { vpce: 'vpce-0sts0000000000009' } : {}) });
  const records = [call(EV.unknown, T.unknown, 1, OLD1.ip), call(EV.noSa, T.noSa, 2, OLD2.ip), call(EV.podIp, T.podIp, 3, A.ip), call(EV.nat, T.nat, 4, NAT, false)];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'holder00001'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

const attribution = async (id: string) => {
  const r = (await query(caseDir, `select confidence, rule_id, rule_version, pod_uid, candidates::VARCHAR as candidates, reason from attributions where event_id = '${id}'`))[0]!;
  return { ...r, candidates: (JSON.parse(String(r['candidates'])) as { pod_uid: string }[]).map((c) => c.pod_uid).sort() };
};

describe('the holder of the source address is unresolved: no closed candidate set', () => {
  it('a pod no evidence knows held the address (gone before the first snapshot, audit rotated, no sensor naming pods): unattributed, not ambiguous with ledger-a', async () => {
    const r = await attribution(EV.unknown);
    expect(r).toMatchObject({ confidence: 'unattributed', rule_id: 'unresolved-holder', rule_version: 1, pod_uid: null, candidates: [] });
    expect(r['reason']).toBe(
      "the call came from 10.0.1.77, which no pod or node the evidence knows held at that time (a pod gone before the inventory, audit and runtime evidence covers it): no candidate's egress explains that address, so the 1 candidate left cannot be a closed set",
    );
  });

  it('the holder known only from a Falco alert (no service account): unattributed, naming it', async () => {
    expect(await query(caseDir, `select pod_uid, service_account, pod_ips from pod_lifecycle where pod_uid = '${OLD2.uid}'`)).toEqual([{ pod_uid: OLD2.uid, service_account: null, pod_ips: [OLD2.ip] }]);
    const r = await attribution(EV.noSa);
    expect(r).toMatchObject({ confidence: 'unattributed', rule_id: 'unresolved-holder', pod_uid: null, candidates: [] });
    expect(r['reason']).toContain('held then by 1 pod (finance/ledger-old-2) that no evidence ties to a service account');
  });
});

describe('where the set is closed the rules answer as before', () => {
  it('the source is ledger-a\'s pod IP and snapshots bracket the call: proven', async () => {
    expect(await attribution(EV.podIp)).toMatchObject({ confidence: 'proven', rule_id: 'irsa-source-ip', pod_uid: A.uid });
  });

  it('through the NAT both pods explain the source, ledger-a unobservable: ambiguous with both (ambiguous-candidates v3)', async () => {
    expect(await attribution(EV.nat)).toMatchObject({ confidence: 'ambiguous', rule_id: 'ambiguous-candidates', rule_version: 3, candidates: [A.uid, B.uid] });
  });
});
