/**
 * Falco as a sensor, on hand-written Falco alerts and podtrail sensor logs: its connects are
 * positive evidence everywhere and measure clocks; its silence makes a node observed for connects
 * only where its rule set is known to alert on every outbound connect (recorded by `podtrail sensor
 * deploy` in sensor_log, or declared in case.yaml); elsewhere the node stays unobservable.
 *
 *   node-a 10.0.1.10  Falco deployed by podtrail (sensor_log: alerts_every_outbound_connect true)
 *   node-b 10.0.2.10  Falco, rule set unknown (a sensor podtrail did not deploy, nothing declared)
 *   node-c 10.0.3.10  Falco, declared in case.yaml to alert on every outbound connect
 *   No Tetragon anywhere. All three behind NAT 203.0.113.20; STS endpoint 10.0.200.0/24.
 *   api-1 (node-a), api-2 (node-c): IRSA service account api; worker-1 (node-a), worker-2 (node-b): worker
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
  writeInput,
} from '../helpers/handmade.js';
import { falcoConnect, falcoHeartbeat, falcoSensorLog } from '../helpers/handmade-falco.js';
import { query } from '../helpers/case.js';
import { validateCaseConfig } from '../../src/case/case-config.js';

const NAT = '203.0.113.20';
const STS = '10.0.200.15';
const uid = (n: number): string => `00000000-0000-4000-8000-0000000007${String(n).padStart(2, '0')}`;
const API1 = { uid: uid(1), name: 'api-1', node: 'node-a', ip: '10.0.1.41', sa: 'api' };
const API2 = { uid: uid(2), name: 'api-2', node: 'node-c', ip: '10.0.3.41', sa: 'api' };
const W1 = { uid: uid(3), name: 'worker-1', node: 'node-a', ip: '10.0.1.42', sa: 'worker' };
const W2 = { uid: uid(4), name: 'worker-2', node: 'node-b', ip: '10.0.2.42', sa: 'worker' };
const NODE_IP: Record<string, string> = { 'node-a': '10.0.1.10', 'node-b': '10.0.2.10', 'node-c': '10.0.3.10' };
const ref = (p: typeof API1) => ({ namespace: 'web', name: p.name, uid: p.uid });
const EV = { api: 'falco-01-api-one-connect', worker: 'falco-02-worker-other-node-unknown-rules', pair: 'falco-03-api-2-through-endpoint' };
const T = { api: '2026-10-20T09:10:00Z', worker: '2026-10-20T09:20:00Z', pair: '2026-10-20T09:30:00Z' };

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['egress'] = [{ label: 'nat', public: [NAT], nodes: ['node-a', 'node-b', 'node-c'], subnets: [] }];
    doc['endpoints'] = [{ service: 'sts.amazonaws.com', addresses: ['10.0.200.0/24'], vpc_endpoint_id: 'vpce-0sts0000000000007' }];
    doc['sensors'] = [{ kind: 'falco', nodes: ['node-c'], alerts_every_outbound_connect: true }];
  });
  const nodes = Object.entries(NODE_IP).map(([name, ip], i) => node({ name, instanceId: `i-0${i}00000000000070${i}`, ip }));
  const pods = [API1, API2, W1, W2].map((p) => pod({ uid: p.uid, namespace: 'web', name: p.name, node: p.node, ip: p.ip, serviceAccount: p.sa }));
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(['api', 'worker'].map((sa) => serviceAccount({ namespace: 'web', name: sa, roleArn: `arn:aws:iam::${ACCOUNT}:role/web-${sa}` }))));
  }
  const c = (time: string, p: typeof API1, s = -0.4) => falcoConnect({ time: at(time, s), node: p.node, cip: p.ip, sip: STS, pod: ref(p) });
  const extra: Record<string, string[]> = {
    'node-a': [c(T.api, API1), c(T.worker, W1)],
    'node-b': [],
    // node-c's clock is 3 s ahead: the pair of its connect and the endpoint call measures it
    'node-c': [c(T.pair, API2, 3 - 0.3)],
  };
  for (const [n, more] of Object.entries(extra)) {
    writeInput(caseDir, `falco/${n}.json`, lines([...falcoHeartbeat(n, NODE_IP[n]!, '2026-10-20T08:45:30Z', '2026-10-20T10:15:00Z'), ...more]));
  }
  writeInput(caseDir, 'sensor/falco-deploy.log', lines(falcoSensorLog({ deploymentId: 'sensor-falco-20261020T084000Z', at: '2026-10-20T08:40:00Z', nodes: ['node-a'], everyConnect: true })));
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));
  const who = (sa: string, n: number) => identity.assumedRole({ role: `web-${sa}`, session: `botocore-session-${sa}-${n}`, key: `ASIAFALCO${sa.toUpperCase().padEnd(8, 'X')}00${n}`, webIdentity: true });
  const records = [
    ctEvent({ id: EV.api, time: T.api, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who('api', 1), ip: NAT }),
    ctEvent({ id: EV.worker, time: T.worker, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who('worker', 2), ip: NAT }),
    ctEvent({ id: EV.pair, time: T.pair, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: who('api', 3), ip: API2.ip, vpce: 'vpce-0sts0000000000007' }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'falcosensor001'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

const attribution = async (id: string) => {
  const r = (await query(caseDir, `select event_id, confidence, rule_id, pod_uid, candidates::VARCHAR as candidates from attributions where event_id = '${id}'`))[0]!;
  return { ...r, candidates: (JSON.parse(String(r['candidates'])) as { pod_uid: string }[]).map((c) => c.pod_uid).sort() };
};

describe('which Falco nodes are observed for connects', () => {
  it('the deployed every-connect rule set (sensor_log) and the case.yaml declaration; not the unknown one', async () => {
    expect(await query(caseDir, `select node_name, basis from int_runtime__falco_every_connect order by node_name`)).toEqual([
      { node_name: 'node-a', basis: 'sensor-log' },
      { node_name: 'node-c', basis: 'case-yaml' },
    ]);
    expect(await query(caseDir, `select node_name, min(sensor) as sensor from int_runtime__node_coverage group by node_name order by node_name`)).toEqual([
      { node_name: 'node-a', sensor: 'falco' },
      { node_name: 'node-c', sensor: 'falco' },
    ]);
  });

  it('a declaration is checked: only Falco, and a yes or no', () => {
    const base = { schema: 'podtrail.case/v1', case_id: 'c', window: { from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z', reason: 'r' } };
    expect(() => validateCaseConfig({ ...base, sensors: [{ kind: 'tetragon', alerts_every_outbound_connect: true }] }, 'case.yaml')).toThrow(/sensors\[0\]\.kind: must be "falco"/);
    expect(() => validateCaseConfig({ ...base, sensors: [{ kind: 'falco' }] }, 'case.yaml')).toThrow(/sensors\[0\]\.alerts_every_outbound_connect: must be true or false/);
    expect(validateCaseConfig({ ...base, sensors: [{ kind: 'falco', alerts_every_outbound_connect: true }] }, 'case.yaml').sensors).toEqual([{ kind: 'falco', nodes: [], alerts_every_outbound_connect: true }]);
  });
});

describe('attribution with Falco only', () => {
  it('a Falco connect, and the other candidate silent on a node whose Falco alerts on every connect: strong', async () => {
    expect(await attribution(EV.api)).toMatchObject({ confidence: 'strong', pod_uid: API1.uid });
  });

  it('the other candidate on a node whose Falco rules are unknown: its silence proves nothing, ambiguous with both', async () => {
    expect(await attribution(EV.worker)).toMatchObject({ confidence: 'ambiguous', pod_uid: null, candidates: [W1.uid, W2.uid] });
  });

  it('Falco connects measure clocks: the endpoint call pairs with node-c\'s connect', async () => {
    const pairs = await query(caseDir, `select kind, node_name, round(offset_seconds, 1) as offset from int_clock__pairs where event_id = '${EV.pair}'`);
    expect(pairs).toEqual([{ kind: 'source-ip', node_name: 'node-c', offset: 2.2 }]);
  });
});
