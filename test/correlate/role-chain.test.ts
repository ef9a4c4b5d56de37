/**
 * Role chaining: a key issued by AssumeRole called with a session's key carries that session's
 * subject; its calls are attributed through the chain, never more confidently than the weakest
 * link, the chain cited. EKS Pod Identity's own AssumeRole into an association's target role is a
 * chain too. A pod's credentials used from outside the cluster (chained or not, the pod gone or
 * not) are rows of credential_misuse and a finding of validation.json. Hand-written inputs in the real formats (Tetragon tcp_connect, kubectl Lists,
 * CloudTrail).
 *
 *   node-a 10.0.1.10: api-1 10.0.1.51 and api-2 10.0.1.52 (service account shop:api, IRSA role
 *     shop-api), cart-1 10.0.1.53 (shop:cart, Pod Identity role shop-cart, target role data-reader)
 *   node-b 10.0.2.10: no pod of these
 *   Tetragon on both nodes all along; STS and S3 through VPC endpoints. cart-1 is gone from the
 *     10:00 snapshot; at 09:50 the data-writer key is used from 203.0.113.50, and at 10:05 the
 *     target role's key too (after cart-1 was gone).
 *   api-1 assumes data-writer with its IRSA key from its pod IP and uses the chained key: one call
 *     from its pod IP, one from the node's IP with none (carried through the chain); later both api
 *     pods connect to STS when an IRSA key issued before the window assumes data-auditor (that link
 *     stays ambiguous), and
 *     the chained key's call, with api-1's connect alone, is capped at ambiguous.
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
} from '../helpers/handmade.js';
import { AS_OF, query } from '../helpers/case.js';
import { checkCase } from '../../src/check/check-case.js';
import { createClock } from '../../src/core/clock.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const STS = '10.0.100.60';
const S3 = '10.0.100.70';
const uid = (n: number): string => `00000000-0000-4000-8000-0000000005${String(n).padStart(2, '0')}`;
const API1 = { uid: uid(1), ns: 'shop', name: 'api-1', node: 'node-a', ip: '10.0.1.51', sa: 'api' };
const API2 = { uid: uid(2), ns: 'shop', name: 'api-2', node: 'node-a', ip: '10.0.1.52', sa: 'api' };
const CART = { uid: uid(3), ns: 'shop', name: 'cart-1', node: 'node-a', ip: '10.0.1.53', sa: 'cart' };
const KEY = {
  irsa: 'ASIAIRSAAPI000000501',
  irsaOld: 'ASIAIRSAAPI000000506',
  writer: 'ASIACHAINWRITER00502',
  auditor: 'ASIACHAINAUDITOR0503',
  pod: 'ASIAPODIDCART0000504',
  target: 'ASIAPODIDTARGET00505',
};
const EV = {
  web: 'chain-01-web-identity',
  assume: 'chain-02-assume-writer',
  put: 'chain-03-put-with-connect',
  get: 'chain-04-get-without-connect',
  assume2: 'chain-05-assume-auditor-two-pods',
  audit: 'chain-06-auditor-call',
  piAssume: 'chain-07-pod-identity',
  piTarget: 'chain-08-pod-identity-target-role',
  piCall: 'chain-09-target-role-call',
  outWriter: 'chain-10-writer-key-outside',
  outTarget: 'chain-11-target-key-outside-pod-gone',
};
const OUTSIDE = '203.0.113.50';

let caseDir: string;
let cleanup: () => void;

const session = (role: string, name: string, key: string, created: string, webIdentity = false) =>
  identity.assumedRole({ role, session: name, key, created, webIdentity });

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['endpoints'] = [
      { service: 'sts.amazonaws.com', addresses: [STS], vpc_endpoint_id: 'vpce-0sts' },
      { service: 's3.amazonaws.com', addresses: [S3], vpc_endpoint_id: 'vpce-0s3' },
    ];
  });
  const nodes = [node({ name: 'node-a', instanceId: 'i-0a000000000000501', ip: '10.0.1.10' }), node({ name: 'node-b', instanceId: 'i-0b000000000000502', ip: '10.0.2.10' })];
  const pods = [API1, API2, CART].map((p) => pod({ uid: p.uid, namespace: p.ns, name: p.name, node: p.node, ip: p.ip, serviceAccount: p.sa }));
  const sas = [
    serviceAccount({ namespace: 'shop', name: 'api', roleArn: `arn:aws:iam::${ACCOUNT}:role/shop-api` }),
    serviceAccount({ namespace: 'shop', name: 'cart' }),
  ];
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(sas));
  }
  writeInput(caseDir, snapshotName('nodes', '2026-10-20T10:00:00Z'), kubeList(nodes));
  writeInput(caseDir, snapshotName('pods', '2026-10-20T10:00:00Z'), kubeList(pods.slice(0, 2)));
  writeInput(caseDir, snapshotName('serviceaccounts', '2026-10-20T10:00:00Z'), kubeList(sas));
  const ref = (p: typeof API1) => ({ namespace: p.ns, name: p.name, uid: p.uid });
  const conn = (p: typeof API1, time: string, daddr: string) => tgConnect({ time: at(time, -0.3), node: p.node, saddr: p.ip, daddr, dport: 443, pod: ref(p) });
  writeInput(
    caseDir,
    'tetragon/node-a.json',
    lines([
      ...tgHeartbeat('node-a', '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'),
      conn(API1, '2026-10-20T09:00:00Z', STS),
      conn(API1, '2026-10-20T09:05:00Z', STS),
      conn(API1, '2026-10-20T09:06:00Z', S3),
      conn(API1, '2026-10-20T09:20:00Z', STS),
      conn(API2, '2026-10-20T09:20:00Z', STS),
      conn(API1, '2026-10-20T09:21:00Z', S3),
    ]),
  );
  writeInput(caseDir, 'tetragon/node-b.json', lines(tgHeartbeat('node-b', '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z')));
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));
  const irsa = session('shop-api', 'botocore-session-1792486800', KEY.irsa, '2026-10-20T09:00:00Z', true);
  // an IRSA key of the account issued before the window (its web identity call is not in the evidence)
  const irsaOld = session('shop-api', 'botocore-session-1792480000', KEY.irsaOld, '2026-10-20T07:15:00Z', true);
  const writer = session('data-writer', 'writer', KEY.writer, '2026-10-20T09:05:00Z');
  const auditor = session('data-auditor', 'auditor', KEY.auditor, '2026-10-20T09:20:00Z');
  const piSession = 'eks-shop-prod-cart-1-3f6c2a10-0b5e-4c1d-9d1e-5a7b8c9d0e1f';
  const records = [
    ctEvent({
      id: EV.web,
      time: '2026-10-20T09:00:00Z',
      source: 'sts.amazonaws.com',
      name: 'AssumeRoleWithWebIdentity',
      identity: identity.webIdentityUser({ namespace: 'shop', serviceAccount: 'api' }),
      ip: API1.ip,
      vpce: 'vpce-0sts',
      params: { roleArn: `arn:aws:iam::${ACCOUNT}:role/shop-api`, roleSessionName: 'botocore-session-1792486800' },
      response: { ...stsCredentials({ key: KEY.irsa, role: 'shop-api', session: 'botocore-session-1792486800' }), subjectFromWebIdentityToken: 'system:serviceaccount:shop:api' },
    }),
    ctEvent({
      id: EV.assume,
      time: '2026-10-20T09:05:00Z',
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: irsa,
      ip: API1.ip,
      vpce: 'vpce-0sts',
      params: { roleArn: `arn:aws:iam::${ACCOUNT}:role/data-writer`, roleSessionName: 'writer' },
      response: stsCredentials({ key: KEY.writer, role: 'data-writer', session: 'writer' }),
    }),
    ctEvent({ id: EV.put, time: '2026-10-20T09:06:00Z', source: 's3.amazonaws.com', name: 'PutObject', identity: writer, ip: API1.ip, vpce: 'vpce-0s3', params: { bucketName: 'shop-data', key: 'a' }, category: 'Data', readOnly: false }),
    ctEvent({ id: EV.get, time: '2026-10-20T09:09:00Z', source: 's3.amazonaws.com', name: 'GetObject', identity: writer, ip: '10.0.1.10', vpce: 'vpce-0s3', params: { bucketName: 'shop-data', key: 'a' }, category: 'Data' }),
    ctEvent({
      id: EV.assume2,
      time: '2026-10-20T09:20:00Z',
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: irsaOld,
      ip: '10.0.1.10',
      vpce: 'vpce-0sts',
      params: { roleArn: `arn:aws:iam::${ACCOUNT}:role/data-auditor`, roleSessionName: 'auditor' },
      response: stsCredentials({ key: KEY.auditor, role: 'data-auditor', session: 'auditor' }),
    }),
    ctEvent({ id: EV.audit, time: '2026-10-20T09:21:00Z', source: 's3.amazonaws.com', name: 'ListBuckets', identity: auditor, ip: '10.0.1.10', vpce: 'vpce-0s3' }),
    ctEvent({
      id: EV.piAssume,
      time: '2026-10-20T09:30:00Z',
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: identity.awsService('pods.eks.amazonaws.com'),
      ip: 'pods.eks.amazonaws.com',
      params: {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/shop-cart`,
        roleSessionName: piSession,
        tags: [
          { key: 'eks-cluster-name', value: 'shop-prod' },
          { key: 'kubernetes-namespace', value: 'shop' },
          { key: 'kubernetes-service-account', value: 'cart' },
          { key: 'kubernetes-pod-name', value: CART.name },
          { key: 'kubernetes-pod-uid', value: CART.uid },
        ],
      },
      response: stsCredentials({ key: KEY.pod, role: 'shop-cart', session: piSession }),
    }),
    ctEvent({
      id: EV.piTarget,
      time: '2026-10-20T09:30:01Z',
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: identity.assumedRole({ role: 'shop-cart', session: piSession, key: KEY.pod, created: '2026-10-20T09:30:00Z', invokedBy: 'pods.eks.amazonaws.com' }),
      ip: 'pods.eks.amazonaws.com',
      params: { roleArn: `arn:aws:iam::444455556666:role/data-reader`, roleSessionName: piSession },
      response: stsCredentials({ key: KEY.target, role: 'data-reader', session: piSession }),
    }),
    ctEvent({
      id: EV.piCall,
      time: '2026-10-20T09:31:00Z',
      source: 's3.amazonaws.com',
      name: 'ListBuckets',
      identity: session('data-reader', piSession, KEY.target, '2026-10-20T09:30:01Z'),
      ip: CART.ip,
      vpce: 'vpce-0s3',
    }),
    ctEvent({ id: EV.outWriter, time: '2026-10-20T09:50:00Z', source: 's3.amazonaws.com', name: 'ListBuckets', identity: writer, ip: OUTSIDE }),
    ctEvent({
      id: EV.outTarget,
      time: '2026-10-20T10:05:00Z',
      source: 's3.amazonaws.com',
      name: 'ListBuckets',
      identity: session('data-reader', piSession, KEY.target, '2026-10-20T09:30:01Z'),
      ip: OUTSIDE,
    }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'rolechain0001'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
  await checkCase(caseDir, () => {}, createClock(AS_OF));
}, 120_000);

afterAll(() => cleanup?.());

async function row(id: string): Promise<Record<string, unknown>> {
  const r = await query(
    caseDir,
    `select confidence, rule_id, pod_uid, path, reason, decided_by::VARCHAR as decided_by, candidates::VARCHAR as candidates from attributions where event_id = '${id}'`,
  );
  return r[0]!;
}
const pick = (r: Record<string, unknown>) => ({ confidence: r['confidence'], rule_id: r['rule_id'], pod_uid: r['pod_uid'] });
const cloudCited = (r: Record<string, unknown>): string[] => (JSON.parse(String(r['decided_by'])) as { cloud: string[] }).cloud;

describe('role chaining', () => {
  it('walks a chained key back to its root and its subject', async () => {
    const r = await query(caseDir, `select access_key_id, root_key, depth, chain_event_ids::VARCHAR as chain, root_subject_type from int_cloud__chains order by 1`);
    expect(r).toEqual([
      { access_key_id: KEY.auditor, root_key: KEY.irsaOld, depth: 1, chain: `[${EV.assume2}]`, root_subject_type: 'unknown' },
      { access_key_id: KEY.writer, root_key: KEY.irsa, depth: 1, chain: `[${EV.assume}]`, root_subject_type: 'service-account' },
      { access_key_id: KEY.target, root_key: KEY.pod, depth: 1, chain: `[${EV.piTarget}]`, root_subject_type: 'pod' },
    ]);
  });

  it('the AssumeRole made with the IRSA key from the pod IP of one pod of the account: proven', async () => {
    expect(pick(await row(EV.assume))).toEqual({ confidence: 'proven', rule_id: 'irsa-source-ip', pod_uid: API1.uid });
  });

  it('a chained call from that pod IP: proven through the IRSA path (every link proven), citing the chain', async () => {
    const r = await row(EV.put);
    expect({ ...pick(r), path: r['path'] }).toEqual({ confidence: 'proven', rule_id: 'irsa-source-ip', pod_uid: API1.uid, path: 'irsa' });
    expect(cloudCited(r)).toContain(EV.assume);
  });

  it('a chained call with no connect: carried from the decided link that issued its key', async () => {
    const r = await row(EV.get);
    expect(pick(r)).toEqual({ confidence: 'strong', rule_id: 'session-carry', pod_uid: API1.uid });
    expect(cloudCited(r)).toContain(EV.assume);
  });

  it('never more confident than the weakest link: the link is ambiguous, so is the call', async () => {
    expect((await row(EV.assume2))['confidence']).toBe('ambiguous');
    const r = await row(EV.audit);
    expect(pick(r)).toEqual({ confidence: 'ambiguous', rule_id: 'ambiguous-candidates', pod_uid: null });
    expect(String(r['reason'])).toContain(`link ${EV.assume2} is ambiguous`);
    const uids = (JSON.parse(String(r['candidates'])) as { pod_uid: string }[]).map((c) => c.pod_uid);
    expect(uids).toContain(API1.uid);
  });

  it("Pod Identity's target role: EKS's own AssumeRole with the pod's key and the target role's calls follow the tag (proven)", async () => {
    expect(pick(await row(EV.piTarget))).toEqual({ confidence: 'proven', rule_id: 'pod-identity-tag', pod_uid: CART.uid });
    const r = await row(EV.piCall);
    expect({ ...pick(r), path: r['path'] }).toEqual({ confidence: 'proven', rule_id: 'pod-identity-tag', pod_uid: CART.uid, path: 'pod-identity' });
    expect(cloudCited(r)).toEqual([EV.piAssume, EV.piTarget].sort());
  });

  it('the SQL assertions on chains and on decided rows hold here', async () => {
    const files = ['attributions__chain_weakest_link.sql', 'attributions__strong_cites_evidence.sql', 'attributions__named_pod_is_candidate.sql', 'keys:attributions'];
    expect(await assertionFailures(caseDir, files)).toEqual({});
  });
});

describe('credentials used outside their pod', () => {
  it('credential_misuse: each outside call with the key, its pod and why it is the pod\'s, and whether the pod was gone', async () => {
    const r = await query(caseDir, `select event_id, access_key_id, owned_by, pod_uid, source_ip, pod_gone from credential_misuse order by event_id`);
    expect(r).toEqual([
      { event_id: EV.outWriter, access_key_id: KEY.writer, owned_by: 'issued-to-pod', pod_uid: API1.uid, source_ip: OUTSIDE, pod_gone: false },
      { event_id: EV.outTarget, access_key_id: KEY.target, owned_by: 'issued-to-pod', pod_uid: CART.uid, source_ip: OUTSIDE, pod_gone: true },
    ]);
  });

  it('validation.json lists each misused credential under the credential-misuse check', () => {
    const v = JSON.parse(readFileSync(path.join(caseDir, 'validation.json'), 'utf8')) as { checks: { id: string; status: string; findings: { finding_id: string; kind: string; message: string }[] }[] };
    const c = v.checks.find((x) => x.id === 'credential-misuse')!;
    expect(c.status).toBe('gap');
    expect(c.findings.map((f) => [f.finding_id, f.kind])).toEqual([
      [`credential-misuse:${KEY.writer}`, 'credential-used-outside'],
      [`credential-misuse:${KEY.target}`, 'credential-used-outside'],
    ]);
    expect(c.findings[0]!.message).toContain(`used from outside the cluster (${OUTSIDE})`);
    expect(c.findings[0]!.message).not.toContain('after the pod was gone');
    expect(c.findings[1]!.message).toContain('after the pod was gone');
  });
});
