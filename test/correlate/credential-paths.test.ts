/**
 * Attribution decisions on one small hand-made cluster (sql/30_intermediate/int_attr__*.sql): each
 * credential path (Pod Identity, IRSA, node role, static keys, source IP) with the exact confidence, rule, pod and reason it
 * must produce. The scenarios share one case; each uses its own service account, key and time, so
 * they do not see each other's evidence (the node-role call on node-a is the one exception: every
 * pod of node-a is its candidate, which is the point of that scenario).
 *
 *   node-a 10.0.1.10  Tetragon all along        node-b 10.0.2.10  Tetragon all along
 *   node-c 10.0.3.10  no Tetragon events        NAT 203.0.113.10 in front of all three
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
  stsCredentials,
  tgConnect,
  tgHeartbeat,
  writeInput,
  assertionFailures,
} from '../helpers/handmade.js';
import { query } from '../helpers/case.js';

const NODE_A = 'node-a';
const NODE_B = 'node-b';
const NODE_C = 'node-c';
const NAT = '203.0.113.10';
const OUTSIDE = '198.51.100.7';
const STS_VPCE = '10.0.100.20';
const STS_PUBLIC = '52.94.1.15';
const EC2_VPCE = '10.0.100.50';

const uid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const POD = {
  cart: { uid: uid(1), name: 'cart-1', node: NODE_A, ip: '10.0.1.21', sa: 'cart' },
  api1: { uid: uid(2), name: 'api-1', node: NODE_A, ip: '10.0.1.22', sa: 'api' },
  api2: { uid: uid(3), name: 'api-2', node: NODE_B, ip: '10.0.2.22', sa: 'api' },
  worker1: { uid: uid(4), name: 'worker-1', node: NODE_A, ip: '10.0.1.23', sa: 'worker' },
  worker2: { uid: uid(5), name: 'worker-2', node: NODE_B, ip: '10.0.2.23', sa: 'worker' },
  batch1: { uid: uid(6), name: 'batch-1', node: NODE_A, ip: '10.0.1.24', sa: 'batch' },
  batch2: { uid: uid(7), name: 'batch-2', node: NODE_C, ip: '10.0.3.24', sa: 'batch' },
  legacy: { uid: uid(8), name: 'legacy-1', node: NODE_B, ip: '10.0.2.50', sa: 'legacy' },
};
const NS = 'shop';
const role = (sa: string): string => `arn:aws:iam::${ACCOUNT}:role/shop-${sa}`;

const KEY = {
  podIdentity: 'ASIAPODIDENTITY00001',
  api: 'ASIAIRSAAPI000000001',
  worker: 'ASIAIRSAWORKER000001',
  batch: 'ASIAIRSABATCH0000001',
  nodeA: 'ASIANODEA00000000001',
  legacy: 'AKIALEGACY0000000001',
};
const T = {
  piAssume: '2026-10-20T09:05:00Z',
  piCall: '2026-10-20T09:05:30Z',
  piOutside: '2026-10-20T09:06:00Z',
  apiAssume: '2026-10-20T09:10:00Z',
  apiSecret: '2026-10-20T09:10:05Z',
  workerAssume: '2026-10-20T09:20:00Z',
  batchAssume: '2026-10-20T09:30:00Z',
  nodeCall: '2026-10-20T09:40:00Z',
  legacySecret: '2026-10-20T09:45:05Z',
};
const EV = {
  piAssume: 'ev-01-pod-identity-assume-role',
  piCall: 'ev-02-pod-identity-call-from-pod',
  piOutside: 'ev-03-pod-identity-call-from-outside',
  apiAssume: 'ev-04-irsa-api-web-identity',
  apiSecret: 'ev-05-irsa-api-get-secret',
  apiDecrypt: 'ev-06-kms-decrypt-by-secretsmanager',
  workerAssume: 'ev-07-irsa-worker-via-nat',
  batchAssume: 'ev-08-irsa-batch-via-nat',
  nodeCall: 'ev-09-node-role-describe-instances',
  legacySecret: 'ev-10-static-key-get-secret',
  legacyDecrypt: 'ev-11-kms-decrypt-for-static-key',
};

let caseDir: string;
let cleanup: () => void;

function webIdentityCall(id: string, time: string, sa: string, key: string, ip: string): Record<string, unknown> {
  const session = `botocore-session-${Date.parse(time) / 1000}`;
  return ctEvent({
    id,
    time,
    source: 'sts.amazonaws.com',
    name: 'AssumeRoleWithWebIdentity',
    identity: identity.webIdentityUser({ namespace: NS, serviceAccount: sa }),
    ip,
    vpce: ip.startsWith('10.') ? 'vpce-0sts' : undefined,
    params: { roleArn: role(sa), roleSessionName: session },
    response: { ...stsCredentials({ key, role: `shop-${sa}`, session }), subjectFromWebIdentityToken: `system:serviceaccount:${NS}:${sa}` },
  });
}

function irsaSession(sa: string, key: string, time: string) {
  return identity.assumedRole({ role: `shop-${sa}`, session: `botocore-session-${Date.parse(time) / 1000}`, key, webIdentity: true });
}

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['egress'] = [{ label: 'nat-a', public: [NAT], nodes: [NODE_A, NODE_B, NODE_C], subnets: [] }];
    doc['endpoints'] = [
      { service: 'sts.amazonaws.com', addresses: [STS_VPCE], vpc_endpoint_id: 'vpce-0sts' },
      { service: 'sts.amazonaws.com', addresses: ['52.94.1.0/24'], vpc_endpoint_id: '' },
      { service: 's3.amazonaws.com', addresses: ['10.0.100.30'], vpc_endpoint_id: 'vpce-0s3' },
      { service: 'secretsmanager.amazonaws.com', addresses: ['10.0.100.40'], vpc_endpoint_id: 'vpce-0sm' },
      { service: 'ec2.amazonaws.com', addresses: [EC2_VPCE], vpc_endpoint_id: 'vpce-0ec2' },
    ];
  });

  // inventory: the same cluster at 08:50 and 09:55 (the calls lie between two snapshots)
  const nodes = [node({ name: NODE_A, instanceId: 'i-0a000000000000001', ip: '10.0.1.10' }), node({ name: NODE_B, instanceId: 'i-0b000000000000002', ip: '10.0.2.10' }), node({ name: NODE_C, instanceId: 'i-0c000000000000003', ip: '10.0.3.10' })];
  const pods = Object.values(POD).map((p) => pod({ uid: p.uid, namespace: NS, name: p.name, node: p.node, ip: p.ip, serviceAccount: p.sa }));
  const sas = [serviceAccount({ namespace: NS, name: 'cart' }), serviceAccount({ namespace: NS, name: 'legacy' }), ...['api', 'worker', 'batch'].map((sa) => serviceAccount({ namespace: NS, name: sa, roleArn: role(sa) }))];
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(sas));
  }

  // runtime: node-a and node-b report all along; node-c never does
  const ref = (p: (typeof POD)[keyof typeof POD]) => ({ namespace: NS, name: p.name, uid: p.uid });
  writeInput(
    caseDir,
    `tetragon/${NODE_A}.json`,
    lines([
      ...tgHeartbeat(NODE_A, '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'),
      // worker-1 reaches STS through the NAT one second before its call is logged
      tgConnect({ time: at(T.workerAssume, -1), node: NODE_A, saddr: POD.worker1.ip, daddr: STS_PUBLIC, pod: ref(POD.worker1) }),
      // batch-1 does the same; its rival batch-2 sits on the blind node-c
      tgConnect({ time: at(T.batchAssume, -1), node: NODE_A, saddr: POD.batch1.ip, daddr: STS_PUBLIC, pod: ref(POD.batch1) }),
      // a host process of node-a (no pod fields) calls EC2 with the node role
      tgConnect({ time: at(T.nodeCall, -1), node: NODE_A, saddr: '10.0.1.10', daddr: EC2_VPCE }),
    ]),
  );
  writeInput(caseDir, `tetragon/${NODE_B}.json`, lines(tgHeartbeat(NODE_B, '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z')));
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));

  const piSession = `eks-shop-cart-1-${POD.cart.uid}`;
  const records = [
    // EKS Pod Identity: the agent assumes the role for cart-1, tagged with its UID
    ctEvent({
      id: EV.piAssume,
      time: T.piAssume,
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: identity.awsService('pods.eks.amazonaws.com'),
      ip: 'pods.eks.amazonaws.com',
      params: {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/shop-cart`,
        roleSessionName: piSession,
        tags: [
          { key: 'eks-cluster-name', value: 'shop-prod' },
          { key: 'kubernetes-namespace', value: NS },
          { key: 'kubernetes-service-account', value: 'cart' },
          { key: 'kubernetes-pod-name', value: POD.cart.name },
          { key: 'kubernetes-pod-uid', value: POD.cart.uid },
        ],
      },
      response: stsCredentials({ key: KEY.podIdentity, role: 'shop-cart', session: piSession }),
    }),
    ctEvent({
      id: EV.piCall,
      time: T.piCall,
      source: 's3.amazonaws.com',
      name: 'ListBuckets',
      identity: identity.assumedRole({ role: 'shop-cart', session: piSession, key: KEY.podIdentity }),
      ip: POD.cart.ip,
      vpce: 'vpce-0s3',
    }),
    ctEvent({
      id: EV.piOutside,
      time: T.piOutside,
      source: 's3.amazonaws.com',
      name: 'ListBuckets',
      identity: identity.assumedRole({ role: 'shop-cart', session: piSession, key: KEY.podIdentity }),
      ip: OUTSIDE,
    }),
    // IRSA from a pod IP, then a secret read and the KMS call Secrets Manager makes for it
    webIdentityCall(EV.apiAssume, T.apiAssume, 'api', KEY.api, POD.api1.ip),
    ctEvent({
      id: EV.apiSecret,
      time: T.apiSecret,
      source: 'secretsmanager.amazonaws.com',
      name: 'GetSecretValue',
      identity: irsaSession('api', KEY.api, T.apiAssume),
      ip: POD.api1.ip,
      vpce: 'vpce-0sm',
      params: { secretId: 'prod/db' },
    }),
    ctEvent({
      id: EV.apiDecrypt,
      time: T.apiSecret,
      source: 'kms.amazonaws.com',
      name: 'Decrypt',
      identity: { ...irsaSession('api', KEY.api, T.apiAssume), invokedBy: 'secretsmanager.amazonaws.com' },
      ip: 'secretsmanager.amazonaws.com',
      params: { encryptionContext: { SecretARN: `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:prod/db-AbCdEf` }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    }),
    // IRSA through the NAT: two pods of the service account could have made each call
    webIdentityCall(EV.workerAssume, T.workerAssume, 'worker', KEY.worker, NAT),
    webIdentityCall(EV.batchAssume, T.batchAssume, 'batch', KEY.batch, NAT),
    // the node role of node-a, through IMDS
    ctEvent({
      id: EV.nodeCall,
      time: T.nodeCall,
      source: 'ec2.amazonaws.com',
      name: 'DescribeInstances',
      identity: identity.assumedRole({ role: 'eks-node-role', session: 'i-0a000000000000001', key: KEY.nodeA, ec2RoleDelivery: '2.0' }),
      ip: '10.0.1.10',
      vpce: 'vpce-0ec2',
    }),
    // a long-term key in a pod reads a secret; Secrets Manager decrypts it with KMS on its behalf
    ctEvent({
      id: EV.legacySecret,
      time: T.legacySecret,
      source: 'secretsmanager.amazonaws.com',
      name: 'GetSecretValue',
      identity: identity.iamUser({ user: 'legacy-app', key: KEY.legacy }),
      ip: POD.legacy.ip,
      vpce: 'vpce-0sm',
      params: { secretId: 'prod/legacy' },
    }),
    ctEvent({
      id: EV.legacyDecrypt,
      time: T.legacySecret,
      source: 'kms.amazonaws.com',
      name: 'Decrypt',
      identity: { ...identity.iamUser({ user: 'legacy-app', key: KEY.legacy }), invokedBy: 'secretsmanager.amazonaws.com' },
      ip: 'secretsmanager.amazonaws.com',
      params: { encryptionContext: { SecretARN: `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:prod/legacy-XyZ123` }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'handmade0001'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

type Attribution = { event_id: string; confidence: string; path: string; rule_id: string; pod_uid: string | null; reason: string | null; candidates: string; candidate_count: number };
async function attribution(eventId: string): Promise<Attribution> {
  const r = await query(caseDir, `select event_id, confidence, path, rule_id, pod_uid, reason, candidates::VARCHAR as candidates, candidate_count from attributions where event_id = '${eventId}'`);
  expect(r, `one attribution for ${eventId}`).toHaveLength(1);
  return r[0] as unknown as Attribution;
}
const candidateUids = (a: Attribution): string[] => (JSON.parse(a.candidates) as { pod_uid: string }[]).map((c) => c.pod_uid);

describe('EKS Pod Identity', () => {
  it('the AssumeRole by pods.eks.amazonaws.com opens a session whose subject is the pod-uid tag', async () => {
    const s = await query(caseDir, `select subject_type, subject, subject_pod_uid, subject_namespace, subject_service_account, issuing_event_id from credential_sessions where access_key_id = '${KEY.podIdentity}'`);
    expect(s).toEqual([
      { subject_type: 'pod', subject: POD.cart.uid, subject_pod_uid: POD.cart.uid, subject_namespace: NS, subject_service_account: 'cart', issuing_event_id: EV.piAssume },
    ]);
  });

  it('a call with that key from the pod\'s IP is proven to the pod by the tag', async () => {
    const a = await attribution(EV.piCall);
    expect({ confidence: a.confidence, path: a.path, rule_id: a.rule_id, pod_uid: a.pod_uid, reason: a.reason }).toEqual({
      confidence: 'proven',
      path: 'pod-identity',
      rule_id: 'pod-identity-tag',
      pod_uid: POD.cart.uid,
      reason: null,
    });
    expect(candidateUids(a)).toEqual([POD.cart.uid]);
  });

  it('the same key used from an outside address is unattributed, and the reason names the address', async () => {
    const a = await attribution(EV.piOutside);
    expect({ confidence: a.confidence, rule_id: a.rule_id, pod_uid: a.pod_uid }).toEqual({ confidence: 'unattributed', rule_id: 'pod-identity-tag', pod_uid: null });
    expect(a.reason).toContain(OUTSIDE);
    expect(a.reason).toContain(POD.cart.uid);
  });
});

describe('IRSA', () => {
  it('AssumeRoleWithWebIdentity from the one pod of the service account holding that IP, between two snapshots: proven irsa-source-ip', async () => {
    const a = await attribution(EV.apiAssume);
    expect({ confidence: a.confidence, path: a.path, rule_id: a.rule_id, pod_uid: a.pod_uid, candidate_count: a.candidate_count }).toEqual({
      confidence: 'proven',
      path: 'irsa',
      rule_id: 'irsa-source-ip',
      pod_uid: POD.api1.uid,
      candidate_count: 1,
    });
    const s = await query(caseDir, `select subject_type, subject from credential_sessions where access_key_id = '${KEY.api}'`);
    expect(s).toEqual([{ subject_type: 'service-account', subject: `${NS}:api` }]);
  });

  it('through the NAT, the one pod of two that connected to STS 1 s before the call is strong (irsa-runtime-connect)', async () => {
    const a = await attribution(EV.workerAssume);
    expect({ confidence: a.confidence, path: a.path, rule_id: a.rule_id, pod_uid: a.pod_uid, reason: a.reason }).toEqual({
      confidence: 'strong',
      path: 'irsa',
      rule_id: 'irsa-runtime-connect',
      pod_uid: POD.worker1.uid,
      reason: null,
    });
    const ev = await query(caseDir, `select json_array_length(evidence -> 'runtime')::INTEGER as n from attributions where event_id = '${EV.workerAssume}'`);
    expect(ev[0]!['n']).toBe(1);
  });

  it('the same, when the other pod\'s node has no Tetragon events: ambiguous, and the reason names that node', async () => {
    const a = await attribution(EV.batchAssume);
    expect({ confidence: a.confidence, rule_id: a.rule_id, pod_uid: a.pod_uid }).toEqual({ confidence: 'ambiguous', rule_id: 'ambiguous-candidates', pod_uid: null });
    expect(candidateUids(a)).toEqual([POD.batch1.uid, POD.batch2.uid]);
    expect(a.reason).toContain(NODE_C);
    expect(a.reason).not.toContain(NODE_A);
    const blind = (JSON.parse(a.candidates) as { pod_uid: string; kept_by: string[] }[]).find((c) => c.pod_uid === POD.batch2.uid)!;
    expect(blind.kept_by).toContain('sensor-blind');
  });
});

describe('node role through IMDS', () => {
  it('the instance-id session resolves to its node', async () => {
    const s = await query(caseDir, `select subject_type, subject, subject_node_name from credential_sessions where access_key_id = '${KEY.nodeA}'`);
    expect(s).toEqual([{ subject_type: 'instance', subject: 'i-0a000000000000001', subject_node_name: NODE_A }]);
  });

  it('a call only a host process connected for is unattributed: made by a host process, not a pod', async () => {
    const a = await attribution(EV.nodeCall);
    expect({ confidence: a.confidence, path: a.path, rule_id: a.rule_id, pod_uid: a.pod_uid }).toEqual({
      confidence: 'unattributed',
      path: 'node-role',
      rule_id: 'host-process-connect',
      pod_uid: null,
    });
    expect(a.reason).toContain('host process');
    expect(a.reason).toContain(NODE_A);
  });
});

describe('calls AWS makes on a session\'s behalf', () => {
  it('KMS Decrypt by secretsmanager.amazonaws.com inherits the decision of the GetSecretValue that triggered it', async () => {
    const trigger = await attribution(EV.apiSecret);
    expect({ confidence: trigger.confidence, pod_uid: trigger.pod_uid }).toEqual({ confidence: 'proven', pod_uid: POD.api1.uid });
    const a = await attribution(EV.apiDecrypt);
    expect({ confidence: a.confidence, path: a.path, rule_id: a.rule_id, pod_uid: a.pod_uid, reason: a.reason }).toEqual({
      confidence: trigger.confidence,
      path: 'aws-service',
      rule_id: 'aws-service-inherit',
      pod_uid: trigger.pod_uid,
      reason: null,
    });
    const ev = await query(caseDir, `select evidence ->> '$.cloud' as cloud from attributions where event_id = '${EV.apiDecrypt}'`);
    expect(JSON.parse(String(ev[0]!['cloud']))).toContain(EV.apiSecret);
  });

  it('with a static key, the inherited pod is listed as a candidate too (the trigger\'s, since the service\'s address names none)', async () => {
    const trigger = await attribution(EV.legacySecret);
    expect({ confidence: trigger.confidence, rule_id: trigger.rule_id, pod_uid: trigger.pod_uid }).toEqual({ confidence: 'strong', rule_id: 'source-ip-pod', pod_uid: POD.legacy.uid });
    const a = await attribution(EV.legacyDecrypt);
    expect({ confidence: a.confidence, path: a.path, rule_id: a.rule_id, pod_uid: a.pod_uid, candidate_count: a.candidate_count }).toEqual({
      confidence: 'strong',
      path: 'aws-service',
      rule_id: 'aws-service-inherit',
      pod_uid: POD.legacy.uid,
      candidate_count: 1,
    });
    expect(candidateUids(a)).toEqual([POD.legacy.uid]);
  });
});

describe('the case as a whole', () => {
  it('every call has exactly one attribution', async () => {
    const r = await query(caseDir, `select event_id from attributions order by event_id`);
    expect(r.map((x) => x['event_id'])).toEqual(Object.values(EV).sort());
  });

  it('the SQL assertions on attributions, sessions and pod lifecycle hold here too', async () => {
    const files = ['attributions__one_per_cloud_event.sql', 'attributions__proven_single_pod.sql', 'attributions__named_pod_is_candidate.sql', 'attributions__evidence_resolves.sql', 'pod_lifecycle__intervals.sql', 'keys:attributions', 'keys:credential_sessions'];
    expect(await assertionFailures(caseDir, files)).toEqual({});
  });
});
