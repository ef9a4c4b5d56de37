/**
 * Node-role credentials and the instance metadata service: the candidates for a node-role call
 * are the pods of the node that reached the metadata service's credentials (a connect to it, or a
 * command line naming the credentials path) within the key's validity, plus the host and its
 * host-network agents; no pod reached it: the host, with that evidence. Hand-written inputs in the
 * real formats (Tetragon exec and tcp_connect, kubectl Lists, CloudTrail).
 *
 *   node-a 10.0.1.10 (Tetragon all along): web-1 reads the credentials with curl at 09:09:30 and
 *     calls EC2 at 09:10; cache-1 calls EC2 the same second with its own (IRSA) credentials and never
 *     reached IMDS; aws-node-a is a host-network agent
 *   node-b 10.0.2.10 (no sensor): job-1
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
  tgExec,
  tgHeartbeat,
  writeInput,
} from '../helpers/handmade.js';
import { query } from '../helpers/case.js';

const EC2 = '10.0.100.50';
const uid = (n: number): string => `00000000-0000-4000-8000-0000000004${String(n).padStart(2, '0')}`;
const WEB = { uid: uid(1), ns: 'shop', name: 'web-1', node: 'node-a', ip: '10.0.1.51' };
const CACHE = { uid: uid(2), ns: 'shop', name: 'cache-1', node: 'node-a', ip: '10.0.1.52' };
const AGENT = { uid: uid(3), ns: 'kube-system', name: 'aws-node-a', node: 'node-a', ip: '10.0.1.10' };
const JOB = { uid: uid(4), ns: 'shop', name: 'job-1', node: 'node-b', ip: '10.0.2.51' };
const I = { a: 'i-0a000000000000401', b: 'i-0b000000000000402' };
const EV = { read: 'imds-01-web-after-reading-credentials', later: 'imds-02-new-key-nobody-read', blind: 'imds-03-node-without-sensor' };

let caseDir: string;
let cleanup: () => void;

const nodeRole = (instance: string, key: string, created: string) =>
  identity.assumedRole({ role: 'eks-node-role', session: instance, key, ec2RoleDelivery: '2.0', created });

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['endpoints'] = [{ service: 'ec2.amazonaws.com', addresses: [EC2], vpc_endpoint_id: 'vpce-0ec2' }];
  });
  const nodes = [node({ name: 'node-a', instanceId: I.a, ip: '10.0.1.10' }), node({ name: 'node-b', instanceId: I.b, ip: '10.0.2.10' })];
  const pods = [WEB, CACHE, JOB].map((p) => pod({ uid: p.uid, namespace: p.ns, name: p.name, node: p.node, ip: p.ip }));
  pods.push(pod({ uid: AGENT.uid, namespace: AGENT.ns, name: AGENT.name, node: AGENT.node, ip: AGENT.ip, hostNetwork: true, hostIP: '10.0.1.10' }));
  for (const snap of ['2026-10-20T08:50:00Z', '2026-10-20T09:55:00Z']) {
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(nodes));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(pods));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList([serviceAccount({ namespace: 'shop', name: 'default' }), serviceAccount({ namespace: 'kube-system', name: 'default' })]));
  }
  const ref = (p: typeof WEB) => ({ namespace: p.ns, name: p.name, uid: p.uid });
  writeInput(
    caseDir,
    'tetragon/node-a.json',
    lines([
      ...tgHeartbeat('node-a', '2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z'),
      tgExec({
        time: '2026-10-20T09:09:30Z',
        node: 'node-a',
        pod: ref(WEB),
        binary: '/usr/bin/curl',
        args: '-s -H X-aws-ec2-metadata-token:AQAEAexampletoken== http://169.254.169.254/latest/meta-data/iam/security-credentials/eks-node-role',
      }),
      tgConnect({ time: at('2026-10-20T09:10:00Z', -0.3), node: 'node-a', saddr: WEB.ip, daddr: EC2, pod: ref(WEB) }),
      tgConnect({ time: at('2026-10-20T09:10:00Z', -0.2), node: 'node-a', saddr: CACHE.ip, daddr: EC2, pod: ref(CACHE) }),
    ]),
  );
  writeInput(caseDir, 'kube-audit/audit.log', lines(auditHeartbeat('2026-10-20T08:45:00Z', '2026-10-20T10:15:00Z', 60)));
  const records = [
    ctEvent({ id: EV.read, time: '2026-10-20T09:10:00Z', source: 'ec2.amazonaws.com', name: 'DescribeInstances', identity: nodeRole(I.a, 'ASIANODEA00000000401', '2026-10-20T09:00:00Z'), ip: '10.0.1.10', vpce: 'vpce-0ec2' }),
    ctEvent({ id: EV.later, time: '2026-10-20T09:40:00Z', source: 'ec2.amazonaws.com', name: 'DescribeInstances', identity: nodeRole(I.a, 'ASIANODEA00000000402', '2026-10-20T09:30:00Z'), ip: '10.0.1.10', vpce: 'vpce-0ec2' }),
    ctEvent({ id: EV.blind, time: '2026-10-20T09:20:00Z', source: 'ec2.amazonaws.com', name: 'DescribeInstances', identity: nodeRole(I.b, 'ASIANODEB00000000403', '2026-10-20T09:00:00Z'), ip: '10.0.2.10', vpce: 'vpce-0ec2' }),
  ];
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'nodeimds000001'), ctLogFile(records));
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

async function row(id: string): Promise<Record<string, unknown>> {
  const r = await query(caseDir, `select confidence, rule_id, pod_uid, reason, candidates::VARCHAR as candidates from attributions where event_id = '${id}'`);
  return r[0]!;
}
const uids = (r: Record<string, unknown>): string[] => (JSON.parse(String(r['candidates'])) as { pod_uid: string }[]).map((c) => c.pod_uid).sort();

describe('node-role calls and the metadata service', () => {
  it('records who reached the credentials: the curl naming the credentials path', async () => {
    const r = await query(caseDir, `select pod_uid, via from int_cloud__imds_readers order by ref_ts`);
    expect(r).toEqual([{ pod_uid: WEB.uid, via: 'command-line' }]);
  });

  it('the pod that read the credentials and connected is strong; the pod that connected but never reached IMDS is no candidate', async () => {
    const r = await row(EV.read);
    expect({ confidence: r['confidence'], rule_id: r['rule_id'], pod_uid: r['pod_uid'] }).toEqual({ confidence: 'strong', rule_id: 'node-role-runtime-connect', pod_uid: WEB.uid });
  });

  it('a key issued after every read of the node\'s pods: the host, with that evidence', async () => {
    const r = await row(EV.later);
    expect({ confidence: r['confidence'], rule_id: r['rule_id'], pod_uid: r['pod_uid'] }).toEqual({ confidence: 'unattributed', rule_id: 'node-role-host', pod_uid: null });
    expect(String(r['reason'])).toContain('no pod of node node-a reached the instance metadata service');
    expect(String(r['reason'])).toContain('2026-10-20T09:30:00Z');
  });

  it('a node without a sensor: every pod of it stays a candidate (the reads cannot be seen)', async () => {
    const r = await row(EV.blind);
    expect(r['confidence']).toBe('ambiguous');
    expect(uids(r)).toEqual([JOB.uid, 'host:node-b'].sort());
  });

  it('nothing is learned from a key a pod of its node may hold', async () => {
    const r = await query(caseDir, `select access_key_id from int_cloud__suspect_keys order by 1`);
    expect(r).toEqual([{ access_key_id: 'ASIANODEA00000000401' }]);
  });
});
