/**
 * Credentials used outside their pod when the evidence never shows them issued: a Pod Identity key
 * or an IRSA key issued before the window, whose pod was deleted without using it in the window,
 * then replayed from outside. No issuing call, no session tag and no decided call name the pod; the
 * call's own record (a Pod Identity session name, or web identity federation in its session
 * context) and its role (serving one service account) name the account: credential_misuse lists
 * the call as the account's credential. Precision: a pre-window key its pod really used (from its
 * pod IP, and from the node's declared NAT address) is no misuse, and a key of a role no service
 * account uses is none either. Hand-written inputs in the real formats (kubectl Lists, Tetragon
 * tcp_connect, CloudTrail log files).
 *
 *   node-a 10.0.1.10, NAT 198.51.100.10 declared for it; S3 through a VPC endpoint.
 *   finance:ledger (Pod Identity, role finance-ledger): ledger-1 (gone after the 08:50 snapshot),
 *     ledger-2 (created 09:05: EKS's AssumeRole with its tags is in the trail), ledger-3 (all along).
 *   finance:reporter (IRSA, role finance-reporter): reporter-1 (gone after the 08:50 snapshot).
 *   ledger-1's and reporter-1's keys, issued before the window and never used in it by them, are
 *   used from 203.0.113.60 at 09:40 and 09:45; ledger-3 uses its own pre-window key from its pod IP
 *   at 09:20 and through the NAT at 09:25; a CI role's key is used from 203.0.113.60 at 09:50.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
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
} from '../helpers/handmade.js';
import { AS_OF, query } from '../helpers/case.js';
import { checkCase } from '../../src/check/check-case.js';
import { createClock } from '../../src/core/clock.js';

const S3 = '10.0.100.70';
const NAT = '198.51.100.10';
const OUTSIDE = '203.0.113.60';
const uid = (n: number): string => `00000000-0000-4000-8000-0000000006${String(n).padStart(2, '0')}`;
const LED1 = { uid: uid(1), ns: 'finance', name: 'ledger-1', node: 'node-a', ip: '10.0.1.61', sa: 'ledger' };
const LED2 = { uid: uid(2), ns: 'finance', name: 'ledger-2', node: 'node-a', ip: '10.0.1.62', sa: 'ledger' };
const LED3 = { uid: uid(3), ns: 'finance', name: 'ledger-3', node: 'node-a', ip: '10.0.1.63', sa: 'ledger' };
const REP1 = { uid: uid(4), ns: 'finance', name: 'reporter-1', node: 'node-a', ip: '10.0.1.64', sa: 'reporter' };
const KEY = {
  led1: 'ASIAPODIDLEDGER00601',
  led2: 'ASIAPODIDLEDGER00602',
  led3: 'ASIAPODIDLEDGER00603',
  rep1: 'ASIAIRSAREPORTER0604',
  ci: 'ASIACIDEPLOYER000605',
};
const SESSION = {
  led1: 'eks-shop-prod-ledger-1-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  led2: 'eks-shop-prod-ledger-2-1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e',
  led3: 'eks-shop-prod-ledger-3-2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f',
};
const EV = {
  led2Assume: 'pre-01-ledger-2-pod-identity',
  led3Own: 'pre-02-ledger-3-own-key-pod-ip',
  led3Nat: 'pre-03-ledger-3-own-key-through-nat',
  led1Out1: 'pre-04-ledger-1-key-outside',
  led1Out2: 'pre-05-ledger-1-key-outside-again',
  rep1Out: 'pre-06-reporter-1-irsa-key-outside',
  ciOut: 'pre-07-ci-key-outside',
};

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['endpoints'] = [{ service: 's3.amazonaws.com', addresses: [S3], vpc_endpoint_id: 'vpce-0s3' }];
    doc['egress'] = [{ label: 'nat-a', public: [NAT], nodes: ['node-a'], subnets: [] }];
  });
  const nodes = [node({ name: 'node-a', instanceId: 'i-0a000000000000601', ip: '10.0.1.10' })];
  const mk = (p: typeof LED1, created = '2026-10-20T08:00:00Z') =>
    pod({ uid: p.uid, namespace: p.ns, name: p.name, node: p.node, ip: p.ip, hostIP: '10.0.1.10', serviceAccount: p.sa, created });
  const sas = [
    serviceAccount({ namespace: 'finance', name: 'ledger' }),
    serviceAccount({ namespace: 'finance', name: 'reporter', roleArn: `arn:aws:iam::${ACCOUNT}:role/finance-reporter` }),
  ];
  const before = [mk(LED1), mk(LED3), mk(REP1)];
  const after = [mk(LED2, '2026-10-20T09:05:00Z'), mk(LED3)];
  for (const [snap, pods] of [
    ['2026-10-20T08:50:00Z', before],
    ['2026-10-20T09:30:00Z', after],
    ['2026-10-20T10:00:00Z', after],
  ] as const) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList([...pods]));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(sas));
  }
  const ref = (p: typeof LED1) => ({ namespace: p.ns, name: p.name, uid: p.uid });
  writeInput(
    caseDir,
    'tetragon/node-a.json',
    lines([
      ...tgHeartbeat('node-a', '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'),
      tgConnect({ time: at('2026-10-20T09:20:00Z', -0.3), node: 'node-a', saddr: LED3.ip, daddr: S3, dport: 443, pod: ref(LED3) }),
      tgConnect({ time: at('2026-10-20T09:25:00Z', -0.3), node: 'node-a', saddr: LED3.ip, daddr: '52.218.200.10', dport: 443, pod: ref(LED3) }),
    ]),
  );
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));
  const piSession = (key: string, session: string, created: string) => identity.assumedRole({ role: 'finance-ledger', session, key, created });
  const records = [
    // EKS Pod Identity issues ledger-2's key: the role's service account is in the tags
    ctEvent({
      id: EV.led2Assume,
      time: '2026-10-20T09:05:30Z',
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: identity.awsService('pods.eks.amazonaws.com'),
      ip: 'pods.eks.amazonaws.com',
      params: {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/finance-ledger`,
        roleSessionName: SESSION.led2,
        tags: [
          { key: 'eks-cluster-name', value: 'shop-prod' },
          { key: 'kubernetes-namespace', value: 'finance' },
          { key: 'kubernetes-service-account', value: 'ledger' },
          { key: 'kubernetes-pod-name', value: LED2.name },
          { key: 'kubernetes-pod-uid', value: LED2.uid },
        ],
      },
      response: stsCredentials({ key: KEY.led2, role: 'finance-ledger', session: SESSION.led2 }),
    }),
    // ledger-3 uses its own key (issued before the window) from its pod IP, then through the NAT
    ctEvent({ id: EV.led3Own, time: '2026-10-20T09:20:00Z', source: 's3.amazonaws.com', name: 'GetObject', identity: piSession(KEY.led3, SESSION.led3, '2026-10-20T07:10:00Z'), ip: LED3.ip, vpce: 'vpce-0s3', params: { bucketName: 'ledger', key: 'a' }, category: 'Data' }),
    ctEvent({ id: EV.led3Nat, time: '2026-10-20T09:25:00Z', source: 's3.amazonaws.com', name: 'GetObject', identity: piSession(KEY.led3, SESSION.led3, '2026-10-20T07:10:00Z'), ip: NAT, params: { bucketName: 'ledger', key: 'b' }, category: 'Data' }),
    // ledger-1's and reporter-1's keys, issued before the window, replayed from outside once they are gone
    ctEvent({ id: EV.led1Out1, time: '2026-10-20T09:40:00Z', source: 'secretsmanager.amazonaws.com', name: 'ListSecrets', identity: piSession(KEY.led1, SESSION.led1, '2026-10-20T06:40:00Z'), ip: OUTSIDE }),
    ctEvent({ id: EV.led1Out2, time: '2026-10-20T09:40:04Z', source: 's3.amazonaws.com', name: 'ListBuckets', identity: piSession(KEY.led1, SESSION.led1, '2026-10-20T06:40:00Z'), ip: OUTSIDE }),
    ctEvent({
      id: EV.rep1Out,
      time: '2026-10-20T09:45:00Z',
      source: 's3.amazonaws.com',
      name: 'ListBuckets',
      identity: identity.assumedRole({ role: 'finance-reporter', session: 'botocore-session-1792480100', key: KEY.rep1, created: '2026-10-20T08:20:00Z', webIdentity: true }),
      ip: OUTSIDE,
    }),
    // a key of a role no service account uses: nobody's pod credential
    ctEvent({ id: EV.ciOut, time: '2026-10-20T09:50:00Z', source: 's3.amazonaws.com', name: 'ListBuckets', identity: identity.assumedRole({ role: 'ci-deployer', session: 'gha-run-4711', key: KEY.ci, created: '2026-10-20T09:49:00Z' }), ip: OUTSIDE }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:55:00Z', 'prewindow0001'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
  await checkCase(caseDir, () => {}, createClock(AS_OF));
}, 120_000);

afterAll(() => cleanup?.());

describe('credentials issued before the window, replayed from outside', () => {
  it('no issuing call, tag or decided call names their pod: the evidence has no session subject for them', async () => {
    const r = await query(caseDir, `select access_key_id, issuing_event_id, subject_type from credential_sessions where access_key_id in ('${KEY.led1}', '${KEY.rep1}') order by 1`);
    expect(r).toEqual([
      { access_key_id: KEY.rep1, issuing_event_id: null, subject_type: 'unknown' },
      { access_key_id: KEY.led1, issuing_event_id: null, subject_type: 'unknown' },
    ]);
    const decided = await query(caseDir, `select count(*)::INTEGER as n from attributions where access_key_id in ('${KEY.led1}', '${KEY.rep1}') and confidence in ('proven', 'strong')`);
    expect(decided[0]!['n']).toBe(0);
  });

  it("credential_misuse lists every replayed call as its service account's credential (Pod Identity session name, web identity federation)", async () => {
    const r = await query(
      caseDir,
      `select event_id, access_key_id, owned_by, pod_uid, owner_namespace, owner_service_account, pod_gone, source_ip from credential_misuse order by event_id`,
    );
    const sa = (event_id: string, key: string, account: string) => ({
      event_id,
      access_key_id: key,
      owned_by: 'service-account',
      pod_uid: null,
      owner_namespace: 'finance',
      owner_service_account: account,
      pod_gone: null,
      source_ip: OUTSIDE,
    });
    expect(r).toEqual([sa(EV.led1Out1, KEY.led1, 'ledger'), sa(EV.led1Out2, KEY.led1, 'ledger'), sa(EV.rep1Out, KEY.rep1, 'reporter')]);
  });

  it('precision: no row for the calls a pod really made with its pre-window key (pod IP, declared NAT), nor for a key no service account uses', async () => {
    const r = await query(
      caseDir,
      `select event_id, confidence, pod_uid, egress_fact_id is not null as via_egress from attributions where event_id in ('${EV.led3Own}', '${EV.led3Nat}') order by event_id`,
    );
    expect(r.map((x) => x['event_id'])).toEqual([EV.led3Own, EV.led3Nat]);
    expect(r[1]!['via_egress']).toBe(true);
    for (const x of r) expect(x['pod_uid'] === null || x['pod_uid'] === LED3.uid).toBe(true);
    const rows = await query(caseDir, `select event_id from credential_misuse where event_id in ('${EV.led3Own}', '${EV.led3Nat}', '${EV.ciOut}', '${EV.led2Assume}')`);
    expect(rows).toEqual([]);
  });

  it('validation.json: one credential-misuse finding per key, naming the service account, not claiming the pod was gone', () => {
    const v = JSON.parse(readFileSync(path.join(caseDir, 'validation.json'), 'utf8')) as { checks: { id: string; status: string; findings: { finding_id: string; message: string; detail: Record<string, unknown> }[] }[] };
    const c = v.checks.find((x) => x.id === 'credential-misuse')!;
    expect(c.status).toBe('gap');
    expect(c.findings.map((f) => f.finding_id).sort()).toEqual([`credential-misuse:${KEY.rep1}`, `credential-misuse:${KEY.led1}`].sort());
    const of = (key: string) => c.findings.find((f) => f.finding_id === `credential-misuse:${key}`)!;
    expect(of(KEY.led1).message).toContain('of service account finance:ledger used from outside the cluster (203.0.113.60): 2 calls');
    expect(of(KEY.rep1).message).toContain('of service account finance:reporter used from outside the cluster (203.0.113.60): 1 call');
    for (const f of c.findings) {
      expect(f.message).not.toContain('after the pod was gone');
      expect(f.detail['pod_gone']).toBeNull();
    }
  });

  it("the report's misuse view carries pod_gone, unknown (null) when no one pod owns the credential", async () => {
    const r = await query(caseDir, `select event_id, pod_gone from rpt_credential_misuse order by event_id`);
    expect(r).toEqual([
      { event_id: EV.led1Out1, pod_gone: null },
      { event_id: EV.led1Out2, pod_gone: null },
      { event_id: EV.rep1Out, pod_gone: null },
    ]);
  });
});
