/**
 * A pod whose last snapshot shows it Succeeded or Failed ends at the first snapshot that shows it
 * so (or at its delete, when earlier), not at the end of the window: a finished Job's pod stays
 * listed by kubectl for hours, yet it can make no call after it finished. Hand-made kubectl
 * snapshots at 08:50 (Running), 09:20 and 10:05 (Succeeded / Failed); one pod still Running.
 * Runtime events of a sensor that gives no pod.uid (Tetragon before v1.6) carry in timeline rows the
 * UID correlation resolved: by container id, else by namespace and name at that time.
 * An IRSA call of service account batch:exporter while the only pod alive in batch that no
 * snapshot holds is known from audit alone (its service account unknown) is unattributed, and its
 * reason says so rather than "no pod of the service account ran".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvent, ctEvent, ctLogFile, ctLogKey, handmadeCase, identity, ingestAndCorrelate, kubeList, lines, node, pod, snapshotName, stsCredentials, tgExec, writeInput } from '../helpers/handmade.js';
import { query } from '../helpers/case.js';

type Obj = Record<string, unknown>;
const withPhase = (p: Obj, phase: string): Obj => ({ ...p, status: { ...(p['status'] as Obj), phase } });

const JOB = pod({ uid: '7e57e57e-0000-4000-8000-00000000a001', namespace: 'batch', name: 'report-29001-abcde', node: 'node-a', ip: '10.0.1.50' });
const FAILED = pod({ uid: '7e57e57e-0000-4000-8000-00000000a002', namespace: 'batch', name: 'import-29001-fghij', node: 'node-a', ip: '10.0.1.51' });
const WEB_UID = '7e57e57e-0000-4000-8000-00000000a003';
const WEB = pod({ uid: WEB_UID, namespace: 'shop', name: 'web-0', node: 'node-a', ip: '10.0.1.52' });

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  const nodes = kubeList([node({ name: 'node-a', instanceId: 'i-0a0000000000000a1', ip: '10.0.1.10' })]);
  const snaps: [string, Obj[]][] = [
    ['2026-10-20T08:50:00Z', [JOB, FAILED, WEB]],
    ['2026-10-20T09:20:00Z', [withPhase(JOB, 'Succeeded'), FAILED, WEB]],
    ['2026-10-20T10:05:00Z', [withPhase(JOB, 'Succeeded'), withPhase(FAILED, 'Failed'), WEB]],
  ];
  for (const [at, pods] of snaps) {
    writeInput(caseDir, snapshotName('nodes', at), nodes);
    writeInput(caseDir, snapshotName('pods', at), kubeList(pods));
  }
  const webCid = WEB_UID.replace(/[^0-9a-f]/g, '').padEnd(64, 'c').slice(0, 64);
  writeInput(
    caseDir,
    'tetragon/node-a.json',
    lines([
      // no pod.uid (Tetragon before v1.6): the container id names web-0
      tgExec({ time: '2026-10-20T09:05:00Z', node: 'node-a', pid: 501, pod: { namespace: 'shop', name: 'web-0', containerId: webCid } }),
      // a container id no inventory lists: namespace and name at that time name the job's pod
      tgExec({ time: '2026-10-20T09:06:00Z', node: 'node-a', pid: 502, pod: { namespace: 'batch', name: 'report-29001-abcde', containerId: 'f'.repeat(64) } }),
      // the same name after the pod finished: no pod to name
      tgExec({ time: '2026-10-20T09:50:00Z', node: 'node-a', pid: 503, pod: { namespace: 'batch', name: 'report-29001-abcde', containerId: 'e'.repeat(64) } }),
    ]),
  );
  // a pod created between snapshots, known from the audit log only (no service account in it)
  writeInput(
    caseDir,
    'audit/audit.log',
    lines([
      auditEvent({
        id: 'create-exporter', time: '2026-10-20T09:29:00.000000Z', verb: 'create', resource: 'pods', namespace: 'batch', name: 'exporter-29002-kq7zt', code: 201,
        responseObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'exporter-29002-kq7zt', namespace: 'batch', uid: '7e57e57e-0000-4000-8000-00000000a004' } },
      }),
    ]),
  );
  const session = 'botocore-session-1792488600';
  writeInput(
    caseDir,
    ctLogKey('2026-10-20T09:35:00Z', 'mends0001'),
    ctLogFile([
      ctEvent({
        id: 'ev-irsa-exporter', time: '2026-10-20T09:30:00Z', source: 'sts.amazonaws.com', name: 'AssumeRoleWithWebIdentity',
        identity: identity.webIdentityUser({ namespace: 'batch', serviceAccount: 'exporter' }), ip: '10.0.1.60',
        params: { roleArn: 'arn:aws:iam::111122223333:role/batch-exporter', roleSessionName: session },
        response: { ...stsCredentials({ key: 'ASIAEXPORTER00000001', role: 'batch-exporter', session }), subjectFromWebIdentityToken: 'system:serviceaccount:batch:exporter' },
      }),
    ]),
  );
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

describe('terminated pods end where the inventory shows them finished', () => {
  it('Succeeded at 09:20 and Failed at 10:05 end there; a Running pod stays open', async () => {
    const r = await query(
      caseDir,
      `select name, strftime(valid_to, '%Y-%m-%dT%H:%M:%SZ') as valid_to, to_evidence, to_row_id is not null as cited
       from pod_lifecycle where from_evidence <> 'audit-create' order by name`,
    );
    expect(r).toEqual([
      { name: 'import-29001-fghij', valid_to: '2026-10-20T10:05:00Z', to_evidence: 'inventory-terminated', cited: true },
      { name: 'report-29001-abcde', valid_to: '2026-10-20T09:20:00Z', to_evidence: 'inventory-terminated', cited: true },
      { name: 'web-0', valid_to: null, to_evidence: 'open', cited: false },
    ]);
  });

  it('cites the first snapshot row that shows the pod finished', async () => {
    const r = await query(
      caseDir,
      `select p.phase, strftime(p.snapshot_at, '%H:%M') as at from pod_lifecycle as l inner join k8s_pods as p on p.row_id = l.to_row_id where l.name = 'report-29001-abcde'`,
    );
    expect(r).toEqual([{ phase: 'Succeeded', at: '09:20' }]);
  });
});

describe('timeline rows of runtime events without pod.uid', () => {
  it('carry the pod UID correlation resolved, and say how', async () => {
    const r = await query(
      caseDir,
      `select json_extract_string(line::JSON, '$.pod') as pod, json_extract_string(line::JSON, '$.pod_uid') as pod_uid,
              json_extract_string(line::JSON, '$.pod_uid_from') as pod_uid_from
       from mart_timeline where source = 'tetragon' order by ts`,
    );
    expect(r).toEqual([
      { pod: 'web-0', pod_uid: WEB_UID, pod_uid_from: 'container-id' },
      { pod: 'report-29001-abcde', pod_uid: '7e57e57e-0000-4000-8000-00000000a001', pod_uid_from: 'namespace-name-time' },
      { pod: 'report-29001-abcde', pod_uid: null, pod_uid_from: null },
    ]);
  });
});

describe('statements that follow the evidence', () => {
  it('an unattributed IRSA call does not say no pod ran when audit shows one whose service account is unknown', async () => {
    const r = await query(caseDir, `select confidence, reason from attributions where event_id = 'ev-irsa-exporter'`);
    expect(r).toEqual([
      {
        confidence: 'unattributed',
        reason: 'no pod known to run with service account batch:exporter at that time; 1 pod of namespace batch whose service account no evidence shows was running (exporter-29002-kq7zt)',
      },
    ]);
  });
});
