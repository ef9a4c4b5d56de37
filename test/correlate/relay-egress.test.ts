/**
 * Pods that reach AWS through other pods: an HTTP CONNECT proxy (reached at its pod IP, and
 * through a Service cluster IP), a mesh egress gateway, a connect to an address nobody is known to
 * hold. A hand-written incident in the real formats (Tetragon tcp_connect lines, kubectl Lists,
 * CloudTrail S3 log files). Before relay-aware elimination, podtrail named the wrong pod (strong)
 * for the calls below: the client's own NAT could not explain the source, so it was ruled out, and
 * the one pod left, or the proxy itself, was named.
 *
 *   node-a 10.0.1.10  NAT-A 203.0.113.10          node-b 10.0.2.10  NAT-B 203.0.113.20
 *   node-c 10.0.3.10  NAT-B                        Tetragon on all three, all along
 *   squid-1 (egress/egress-proxy) on node-b, pod IP 10.0.2.30, Service cluster IP 172.20.50.5:3128
 *   egw-1 (istio-system/istio-egressgateway) on node-b, pod IP 10.0.2.40
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
  stsCredentials,
  tgConnect,
  tgHeartbeat,
  writeInput,
  type PodRef,
} from '../helpers/handmade.js';
import { query } from '../helpers/case.js';

const NAT_A = '203.0.113.10';
const NAT_B = '203.0.113.20';
const STS = '52.94.1.15';
const SM = '52.94.2.15';
const S3 = '52.94.3.15';
const SQUID_SVC = '172.20.50.5';
const OPAQUE = '172.20.99.9';

const uid = (n: number): string => `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`;
interface P {
  uid: string;
  ns: string;
  name: string;
  node: string;
  ip: string;
  sa: string;
}
const POD: Record<string, P> = {
  rep1: { uid: uid(1), ns: 'fin', name: 'reports-1', node: 'node-a', ip: '10.0.1.21', sa: 'reports' },
  rep2: { uid: uid(2), ns: 'fin', name: 'reports-2', node: 'node-b', ip: '10.0.2.21', sa: 'reports' },
  exp1: { uid: uid(3), ns: 'fin', name: 'export-1', node: 'node-a', ip: '10.0.1.22', sa: 'export' },
  exp2: { uid: uid(4), ns: 'fin', name: 'export-2', node: 'node-c', ip: '10.0.3.22', sa: 'export' },
  legacy: { uid: uid(5), ns: 'fin', name: 'legacy-1', node: 'node-a', ip: '10.0.1.23', sa: 'default' },
  web: { uid: uid(6), ns: 'fin', name: 'web-1', node: 'node-c', ip: '10.0.3.23', sa: 'default' },
  led1: { uid: uid(7), ns: 'fin', name: 'ledger-1', node: 'node-a', ip: '10.0.1.24', sa: 'ledger' },
  led2: { uid: uid(8), ns: 'fin', name: 'ledger-2', node: 'node-c', ip: '10.0.3.24', sa: 'ledger' },
  sync1: { uid: uid(9), ns: 'fin', name: 'sync-1', node: 'node-a', ip: '10.0.1.25', sa: 'sync' },
  sync2: { uid: uid(10), ns: 'fin', name: 'sync-2', node: 'node-b', ip: '10.0.2.25', sa: 'sync' },
  cron1: { uid: uid(11), ns: 'fin', name: 'cron-1', node: 'node-a', ip: '10.0.1.26', sa: 'cron' },
  cron2: { uid: uid(12), ns: 'fin', name: 'cron-2', node: 'node-b', ip: '10.0.2.26', sa: 'cron' },
  squid: { uid: uid(20), ns: 'egress', name: 'squid-1', node: 'node-b', ip: '10.0.2.30', sa: 'egress-proxy' },
  egw: { uid: uid(21), ns: 'istio-system', name: 'istio-egressgateway-1', node: 'node-b', ip: '10.0.2.40', sa: 'istio-egressgateway' },
};
const IRSA_SAS = ['reports', 'export', 'ledger', 'sync', 'cron'];
const role = (sa: string): string => `arn:aws:iam::${ACCOUNT}:role/fin-${sa}`;
const ref = (p: P): PodRef => ({ namespace: p.ns, name: p.name, uid: p.uid });

const KEY: Record<string, string> = {
  reports: 'ASIARELAYREPORTS0001',
  export: 'ASIARELAYEXPORT00001',
  ledger: 'ASIARELAYLEDGER00001',
  sync: 'ASIARELAYSYNC0000001',
  cron: 'ASIARELAYCRON0000001',
  legacy: 'AKIARELAYLEGACY00001',
};

/** A call at `time` through the proxy: the client connects to `front`, squid connects out 40 ms later. */
function viaSquid(time: string, client: P, front: string, dst: string): string[] {
  return [
    tgConnect({ time: at(time, -0.6), node: client.node, saddr: client.ip, daddr: front, dport: 3128, pod: ref(client) }),
    tgConnect({ time: at(time, -0.56), node: POD.squid!.node, saddr: POD.squid!.ip, daddr: dst, pod: ref(POD.squid!) }),
  ];
}

/** A call through the mesh: the app connects to the service address (intercepted), its sidecar to the gateway, the gateway out. */
function viaGateway(time: string, client: P, dst: string): string[] {
  return [
    tgConnect({ time: at(time, -0.7), node: client.node, saddr: client.ip, daddr: dst, pod: ref(client) }),
    tgConnect({ time: at(time, -0.69), node: client.node, saddr: client.ip, daddr: POD.egw!.ip, dport: 443, pod: ref(client) }),
    tgConnect({ time: at(time, -0.66), node: POD.egw!.node, saddr: POD.egw!.ip, daddr: dst, pod: ref(POD.egw!) }),
  ];
}

const T = {
  repAssume: '2026-10-20T09:05:00Z',
  repSecret: '2026-10-20T09:05:20Z',
  exp: ['2026-10-20T09:12:00Z', '2026-10-20T09:14:00Z', '2026-10-20T09:16:00Z'],
  legacy: '2026-10-20T09:20:00Z',
  led: ['2026-10-20T09:25:00Z', '2026-10-20T09:27:00Z'],
  sync: '2026-10-20T09:35:00Z',
  cron: '2026-10-20T09:40:00Z',
};
const EV = {
  repAssume: 'relay-01-reports-assume-through-squid',
  repSecret: 'relay-02-reports-secret-through-squid',
  exp: ['relay-03-export-put-1-through-service', 'relay-04-export-put-2-through-service', 'relay-05-export-put-3-through-service'],
  legacy: 'relay-06-static-key-through-squid',
  led: ['relay-07-ledger-assume-through-gateway', 'relay-08-ledger-secret-through-gateway'],
  sync: 'relay-09-sync-behind-unknown-address',
  cron: 'relay-10-cron-one-left-after-elimination',
};

let caseDir: string;
let cleanup: () => void;

function irsaIdentity(sa: string): Record<string, unknown> {
  return identity.assumedRole({ role: `fin-${sa}`, session: `botocore-session-${sa}`, key: KEY[sa]!, webIdentity: true });
}

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['egress'] = [
      { label: 'nat-a', public: [NAT_A], nodes: ['node-a'], subnets: [] },
      { label: 'nat-b', public: [NAT_B], nodes: ['node-b', 'node-c'], subnets: [] },
    ];
    doc['endpoints'] = [
      { service: 'sts.amazonaws.com', addresses: ['52.94.1.0/24'], vpc_endpoint_id: '' },
      { service: 'secretsmanager.amazonaws.com', addresses: ['52.94.2.0/24'], vpc_endpoint_id: '' },
      { service: 's3.amazonaws.com', addresses: ['52.94.3.0/24'], vpc_endpoint_id: '' },
    ];
  });
  const nodes = [
    node({ name: 'node-a', instanceId: 'i-0a000000000000101', ip: '10.0.1.10' }),
    node({ name: 'node-b', instanceId: 'i-0b000000000000102', ip: '10.0.2.10' }),
    node({ name: 'node-c', instanceId: 'i-0c000000000000103', ip: '10.0.3.10' }),
  ];
  const pods = Object.values(POD).map((p) => pod({ uid: p.uid, namespace: p.ns, name: p.name, node: p.node, ip: p.ip, serviceAccount: p.sa }));
  const sas = [
    ...IRSA_SAS.map((sa) => serviceAccount({ namespace: 'fin', name: sa, roleArn: role(sa) })),
    serviceAccount({ namespace: 'fin', name: 'default' }),
    serviceAccount({ namespace: 'egress', name: 'egress-proxy' }),
    serviceAccount({ namespace: 'istio-system', name: 'istio-egressgateway' }),
  ];
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(sas));
  }

  const runtime: Record<string, string[]> = { 'node-a': [], 'node-b': [], 'node-c': [] };
  const add = (xs: string[]): void => {
    for (const x of xs) runtime[(JSON.parse(x) as { node_name: string }).node_name]!.push(x);
  };
  // reports-1 (behind NAT-A) reaches STS and Secrets Manager through squid at its pod IP
  add(viaSquid(T.repAssume, POD.rep1!, POD.squid!.ip, STS));
  add(viaSquid(T.repSecret, POD.rep1!, POD.squid!.ip, SM));
  // export-1 (behind NAT-A) reaches S3 through squid's Service address, three times
  for (const t of T.exp) add(viaSquid(t, POD.exp1!, SQUID_SVC, S3));
  // legacy-1 (behind NAT-A, a long-term key) reaches Secrets Manager through squid
  add(viaSquid(T.legacy, POD.legacy!, POD.squid!.ip, SM));
  // ledger-1 (behind NAT-A) reaches STS and Secrets Manager through the mesh egress gateway
  add(viaGateway(T.led[0]!, POD.led1!, STS));
  add(viaGateway(T.led[1]!, POD.led1!, SM));
  // sync-1 connects to an address nobody is known to hold; squid connects to STS then (for whom,
  // the evidence cannot say); sync-2 connects to STS itself, from NAT-B's side
  add([
    tgConnect({ time: at(T.sync, -0.8), node: 'node-a', saddr: POD.sync1!.ip, daddr: OPAQUE, dport: 8080, pod: ref(POD.sync1!) }),
    tgConnect({ time: at(T.sync, -0.7), node: 'node-b', saddr: POD.squid!.ip, daddr: STS, pod: ref(POD.squid!) }),
    tgConnect({ time: at(T.sync, -0.5), node: 'node-b', saddr: POD.sync2!.ip, daddr: STS, pod: ref(POD.sync2!) }),
  ]);
  // cron: no connect at all for its call (a connection kept alive for minutes)
  for (const n of ['node-a', 'node-b', 'node-c']) {
    writeInput(caseDir, `tetragon/${n}.json`, lines([...tgHeartbeat(n, '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'), ...runtime[n]!]));
  }
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));

  const repSession = 'botocore-session-reports';
  const records = [
    ctEvent({
      id: EV.repAssume,
      time: T.repAssume,
      source: 'sts.amazonaws.com',
      name: 'AssumeRoleWithWebIdentity',
      identity: identity.webIdentityUser({ namespace: 'fin', serviceAccount: 'reports' }),
      ip: NAT_B,
      params: { roleArn: role('reports'), roleSessionName: repSession },
      response: { ...stsCredentials({ key: KEY['reports']!, role: 'fin-reports', session: repSession }), subjectFromWebIdentityToken: 'system:serviceaccount:fin:reports' },
    }),
    ctEvent({ id: EV.repSecret, time: T.repSecret, source: 'secretsmanager.amazonaws.com', name: 'GetSecretValue', identity: irsaIdentity('reports'), ip: NAT_B, params: { secretId: 'fin/reports' } }),
    ...T.exp.map((t, i) =>
      ctEvent({ id: EV.exp[i]!, time: t, source: 's3.amazonaws.com', name: 'PutObject', identity: irsaIdentity('export'), ip: NAT_B, category: 'Data', readOnly: false, params: { bucketName: 'fin-exports', key: `x/${i}.csv` } }),
    ),
    ctEvent({ id: EV.legacy, time: T.legacy, source: 'secretsmanager.amazonaws.com', name: 'GetSecretValue', identity: identity.iamUser({ user: 'legacy-app', key: KEY['legacy']! }), ip: NAT_B, params: { secretId: 'fin/legacy' } }),
    ctEvent({ id: EV.led[0]!, time: T.led[0]!, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: irsaIdentity('ledger'), ip: NAT_B }),
    ctEvent({ id: EV.led[1]!, time: T.led[1]!, source: 'secretsmanager.amazonaws.com', name: 'GetSecretValue', identity: irsaIdentity('ledger'), ip: NAT_B, params: { secretId: 'fin/ledger' } }),
    ctEvent({ id: EV.sync, time: T.sync, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: irsaIdentity('sync'), ip: NAT_B }),
    ctEvent({ id: EV.cron, time: T.cron, source: 'sts.amazonaws.com', name: 'GetCallerIdentity', identity: irsaIdentity('cron'), ip: NAT_B }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'relayincident1'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

interface Row {
  event_id: string;
  confidence: string;
  rule_id: string;
  rule_version: number;
  pod_uid: string | null;
  reason: string | null;
  candidates: string;
  decided_by: string | null;
}
async function attribution(eventId: string): Promise<Row> {
  const r = await query(caseDir, `select event_id, confidence, rule_id, rule_version, pod_uid, reason, candidates::VARCHAR as candidates, decided_by::VARCHAR as decided_by from attributions where event_id = '${eventId}'`);
  expect(r, eventId).toHaveLength(1);
  return r[0] as unknown as Row;
}
const uids = (a: Row): string[] => (JSON.parse(a.candidates) as { pod_uid: string }[]).map((c) => c.pod_uid).sort();
const decided = (a: Row): { basis: string; runtime: string[]; address: { relation: string; fact_id: string | null; relay_pod_uid: string | null } | null } => JSON.parse(a.decided_by!);

describe('an HTTP CONNECT proxy reached at its pod IP', () => {
  it('the web identity call is the client\'s, chained through the proxy (not the pod of the proxy\'s NAT)', async () => {
    const a = await attribution(EV.repAssume);
    expect({ confidence: a.confidence, rule_id: a.rule_id, pod_uid: a.pod_uid, reason: a.reason }).toEqual({
      confidence: 'strong',
      rule_id: 'irsa-relay-connect',
      pod_uid: POD.rep1!.uid,
      reason: null,
    });
    const d = decided(a);
    expect(d.basis).toBe('relay');
    expect(d.runtime).toHaveLength(2);
    expect(d.address).toMatchObject({ relation: 'relay', fact_id: `declared:nat-b:${NAT_B}`, relay_pod_uid: POD.squid!.uid });
    const rows = await query(caseDir, `select kind, pod_name, dst_ip from runtime_events where row_id in (select unnest(from_json(decided_by -> 'runtime', '["VARCHAR"]')) from attributions where event_id = '${EV.repAssume}') order by ts`);
    expect(rows).toEqual([
      { kind: 'connect', pod_name: POD.rep1!.name, dst_ip: POD.squid!.ip },
      { kind: 'connect', pod_name: POD.squid!.name, dst_ip: STS },
    ]);
  });

  it('the secret read that follows, the same', async () => {
    const a = await attribution(EV.repSecret);
    expect({ confidence: a.confidence, pod_uid: a.pod_uid }).toEqual({ confidence: 'strong', pod_uid: POD.rep1!.uid });
    expect(['irsa-relay-connect', 'session-carry']).toContain(a.rule_id);
  });

  it('a long-term key used through the proxy names the client, never the proxy that made the outbound connect', async () => {
    const a = await attribution(EV.legacy);
    expect({ confidence: a.confidence, rule_id: a.rule_id, pod_uid: a.pod_uid }).toEqual({ confidence: 'strong', rule_id: 'static-key-relay-connect', pod_uid: POD.legacy!.uid });
  });

  it('the proxy is a known relay (6 of its 7 outbound connects follow a client\'s connect to it), never singled out by its own connects', async () => {
    const r = await query(caseDir, `select relay_pod_uid, relayed::INTEGER as relayed, outbound::INTEGER as outbound, is_relay from int_runtime__relays where relay_ip = '${POD.squid!.ip}'`);
    expect(r).toEqual([{ relay_pod_uid: POD.squid!.uid, relayed: 6, outbound: 7, is_relay: true }]);
    const named = await query(caseDir, `select event_id from attributions where pod_uid = '${POD.squid!.uid}'`);
    expect(named).toEqual([]);
  });
});

describe('the same proxy behind a Service cluster IP', () => {
  it('the cluster IP is learned as the proxy\'s front from the connects that precede its outbound ones', async () => {
    const r = await query(caseDir, `select distinct front, front_ip, relay_pod_uid from int_runtime__relay_hops where client_pod_uid = '${POD.exp1!.uid}'`);
    expect(r).toEqual([{ front: 'learned', front_ip: SQUID_SVC, relay_pod_uid: POD.squid!.uid }]);
  });

  it('each S3 upload is the client\'s (before, the other pod of the service account was named: the one left after elimination)', async () => {
    for (const id of EV.exp) {
      const a = await attribution(id);
      expect({ id, confidence: a.confidence, rule_id: a.rule_id, pod_uid: a.pod_uid }).toEqual({ id, confidence: 'strong', rule_id: 'irsa-relay-connect', pod_uid: POD.exp1!.uid });
    }
  });
});

describe('a mesh egress gateway', () => {
  it('the app\'s intercepted connect and its sidecar\'s connect to the gateway chain to the gateway\'s outbound connect', async () => {
    for (const id of EV.led) {
      const a = await attribution(id);
      expect({ id, confidence: a.confidence, pod_uid: a.pod_uid }).toEqual({ id, confidence: 'strong', pod_uid: POD.led1!.uid });
      expect(['irsa-relay-connect', 'key-carry']).toContain(a.rule_id);
    }
    const first = decided(await attribution(EV.led[0]!));
    expect(first.address?.relay_pod_uid).toBe(POD.egw!.uid);
  });
});

describe('elimination stays a safe negative inference', () => {
  it('a client that connected to an address nobody is known to hold is not ruled out: ambiguous, not the pod that connected directly', async () => {
    const a = await attribution(EV.sync);
    expect({ confidence: a.confidence, rule_id: a.rule_id, pod_uid: a.pod_uid }).toEqual({ confidence: 'ambiguous', rule_id: 'ambiguous-candidates', pod_uid: null });
    expect(uids(a)).toEqual([POD.sync1!.uid, POD.sync2!.uid].sort());
    const kept = (JSON.parse(a.candidates) as { pod_uid: string; kept_by: string[] }[]).find((c) => c.pod_uid === POD.sync1!.uid)!;
    expect(kept.kept_by).toContain('source:relay-hop');
    expect(a.reason).toContain('relay');
  });

  it('one pod left after elimination is not a single pod: two pods of the service account existed', async () => {
    const a = await attribution(EV.cron);
    expect({ confidence: a.confidence, rule_id: a.rule_id, pod_uid: a.pod_uid }).toEqual({ confidence: 'ambiguous', rule_id: 'ambiguous-candidates', pod_uid: null });
    expect(uids(a)).toEqual([POD.cron2!.uid]);
    expect(a.reason).toContain('2 pods of service account fin:cron existed');
  });

  it('every strong row cites what decided it, and the rule versions are recorded', async () => {
    const rows = await query(caseDir, `select rule_id, rule_version from attributions where confidence = 'strong' order by event_id`);
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) expect(Number(r['rule_version']), String(r['rule_id'])).toBeGreaterThanOrEqual(1);
    expect(await assertionFailures(caseDir, ['attributions__strong_cites_evidence.sql', 'attributions__named_pod_is_candidate.sql', 'attributions__evidence_resolves.sql', 'attributions__proven_single_pod.sql'])).toEqual({});
  });
});
