/**
 * Identity bindings that follow the evidence (sql/50_checks/chk_identity_bindings.sql), on a
 * hand-made case in the real formats:
 *   shop:cart  annotated for IRSA (role shop-cart-irsa) and also issued a Pod Identity session
 *              (role shop-cart-pi): reported as both, with each role; each call follows the
 *              credential it used (the Pod Identity key's call is pod-identity, the IRSA key's irsa)
 *   shop:web   no workload identity: on the node role; its pod's node-role call (the one connect to
 *              the EC2 endpoint around it) shows as cloud evidence of that binding
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
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
import { query } from '../helpers/case.js';
import { checkCase } from '../../src/check/check-case.js';

const NS = 'shop';
const CART = { uid: 'c0ffee00-0000-4000-8000-00000000ca01', name: 'cart-0', node: 'node-a', ip: '10.0.1.21', sa: 'cart' };
const WEB = { uid: 'c0ffee00-0000-4000-8000-00000000eb01', name: 'web-0', node: 'node-b', ip: '10.0.2.21', sa: 'web' };
const STS_VPCE = '10.0.100.20';
const S3_VPCE = '10.0.100.30';
const EC2_VPCE = '10.0.100.50';
const IRSA_ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-cart-irsa`;
const PI_ROLE = `arn:aws:iam::${ACCOUNT}:role/shop-cart-pi`;
const KEY = { pi: 'ASIACARTPI0000000001', irsa: 'ASIACARTIRSA00000001', nodeB: 'ASIANODEB00000000001' };

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['endpoints'] = [
      { service: 'sts.amazonaws.com', addresses: [STS_VPCE], vpc_endpoint_id: 'vpce-0sts' },
      { service: 's3.amazonaws.com', addresses: [S3_VPCE], vpc_endpoint_id: 'vpce-0s3' },
      { service: 'ec2.amazonaws.com', addresses: [EC2_VPCE], vpc_endpoint_id: 'vpce-0ec2' },
    ];
  });
  const nodes = [node({ name: 'node-a', instanceId: 'i-0a000000000000001', ip: '10.0.1.10' }), node({ name: 'node-b', instanceId: 'i-0b000000000000002', ip: '10.0.2.10' })];
  const pods = [CART, WEB].map((p) => pod({ uid: p.uid, namespace: NS, name: p.name, node: p.node, ip: p.ip, serviceAccount: p.sa }));
  const sas = [serviceAccount({ namespace: NS, name: 'cart', roleArn: IRSA_ROLE }), serviceAccount({ namespace: NS, name: 'web' })];
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T10:05:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(sas));
  }
  const piSession = `eks-shop-prod-cart-0-${CART.uid}`;
  const irsaSession = 'botocore-session-1792487400';
  const records = [
    ctEvent({
      id: 'ev-1-pi-assume', time: '2026-10-20T09:10:00Z', source: 'sts.amazonaws.com', name: 'AssumeRole',
      identity: identity.awsService('pods.eks.amazonaws.com'), ip: 'pods.eks.amazonaws.com',
      params: {
        roleArn: PI_ROLE, roleSessionName: piSession,
        tags: [
          { key: 'eks-cluster-name', value: 'shop-prod' }, { key: 'kubernetes-namespace', value: NS }, { key: 'kubernetes-service-account', value: 'cart' },
          { key: 'kubernetes-pod-name', value: CART.name }, { key: 'kubernetes-pod-uid', value: CART.uid },
        ],
      },
      response: stsCredentials({ key: KEY.pi, role: 'shop-cart-pi', session: piSession }),
    }),
    ctEvent({ id: 'ev-2-pi-call', time: '2026-10-20T09:11:00Z', source: 's3.amazonaws.com', name: 'ListBuckets', identity: identity.assumedRole({ role: 'shop-cart-pi', session: piSession, key: KEY.pi }), ip: CART.ip, vpce: 'vpce-0s3' }),
    ctEvent({
      id: 'ev-3-irsa-assume', time: '2026-10-20T09:20:00Z', source: 'sts.amazonaws.com', name: 'AssumeRoleWithWebIdentity',
      identity: identity.webIdentityUser({ namespace: NS, serviceAccount: 'cart' }), ip: CART.ip, vpce: 'vpce-0sts',
      params: { roleArn: IRSA_ROLE, roleSessionName: irsaSession },
      response: { ...stsCredentials({ key: KEY.irsa, role: 'shop-cart-irsa', session: irsaSession }), subjectFromWebIdentityToken: `system:serviceaccount:${NS}:cart` },
    }),
    ctEvent({ id: 'ev-4-irsa-call', time: '2026-10-20T09:21:00Z', source: 's3.amazonaws.com', name: 'ListBuckets', identity: identity.assumedRole({ role: 'shop-cart-irsa', session: irsaSession, key: KEY.irsa, webIdentity: true }), ip: CART.ip, vpce: 'vpce-0s3' }),
    ctEvent({
      id: 'ev-5-node-role-call', time: '2026-10-20T09:30:00Z', source: 'ec2.amazonaws.com', name: 'DescribeInstances',
      identity: identity.assumedRole({ role: 'eks-node-role', session: 'i-0b000000000000002', key: KEY.nodeB, ec2RoleDelivery: '2.0' }), ip: '10.0.2.10', vpce: 'vpce-0ec2',
    }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:35:00Z', 'idb0001'), ctLogFile(records));
  writeInput(caseDir, 'tetragon/node-a.json', lines(tgHeartbeat('node-a', '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z')));
  writeInput(
    caseDir,
    'tetragon/node-b.json',
    lines([
      ...tgHeartbeat('node-b', '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'),
      tgConnect({ time: '2026-10-20T09:29:59.600Z', node: 'node-b', saddr: WEB.ip, daddr: EC2_VPCE, pod: { namespace: NS, name: WEB.name, uid: WEB.uid } }),
    ]),
  );
  await ingestAndCorrelate(caseDir);
  await checkCase(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

async function finding(sa: string): Promise<{ kind: string; status: string; message: string; detail: Record<string, unknown> }> {
  const r = await query(caseDir, `select kind, status, message, detail::VARCHAR as detail from gap_findings where finding_id = 'identity-bindings:${NS}:${sa}'`);
  expect(r).toHaveLength(1);
  return { ...(r[0] as never), detail: JSON.parse(String(r[0]!['detail'])) };
}

describe('a service account with IRSA and Pod Identity', () => {
  it('is reported as both, with each role', async () => {
    const f = await finding('cart');
    expect(f.kind).toBe('binding-irsa+pod-identity');
    expect(f.detail).toMatchObject({ binding: 'irsa+pod-identity', irsa_role_arn: IRSA_ROLE, pod_identity_role_arn: PI_ROLE, cloud_evidence: true });
    expect(f.message).toBe(`${NS}:cart -> IRSA role ${IRSA_ROLE} and EKS Pod Identity role ${PI_ROLE} (each call follows the credential it used)`);
  });

  it('each call follows the credential it used', async () => {
    const r = await query(caseDir, `select event_id, path, confidence, pod_uid from attributions where event_id in ('ev-2-pi-call', 'ev-4-irsa-call') order by event_id`);
    expect(r).toEqual([
      { event_id: 'ev-2-pi-call', path: 'pod-identity', confidence: 'proven', pod_uid: CART.uid },
      { event_id: 'ev-4-irsa-call', path: 'irsa', confidence: expect.stringMatching(/^(proven|strong)$/), pod_uid: CART.uid },
    ]);
  });
});

describe('a service account on the node role', () => {
  it('shows the node-role calls attributed to its pods as cloud evidence', async () => {
    const a = await query(caseDir, `select path, confidence, pod_uid from attributions where event_id = 'ev-5-node-role-call'`);
    expect(a).toEqual([{ path: 'node-role', confidence: 'strong', pod_uid: WEB.uid }]);
    const f = await finding('web');
    expect(f.kind).toBe('binding-node-role');
    expect(f.detail).toMatchObject({ binding: 'node-role', cloud_evidence: true, node_role_calls: 1 });
    expect(f.message).toContain('; 1 node-role call attributed to its pods');
  });
});
