/**
 * Conformance of credential sessions with the real CloudTrail samples (../shared/samples/cloudtrail*,
 * read in place with a wide window): the EKS Pod Identity AssumeRole by pods.eks.amazonaws.com, as
 * a trail record and as the copy `aws cloudtrail lookup-events` printed, opens a session whose
 * subject is the pod from its kubernetes-pod-uid tag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ingest, makeCase, query } from '../helpers/case.js';
import { SAMPLES, describeSamples } from '../helpers/samples.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';

describeSamples('credential sessions from the CloudTrail samples', () => {
  let caseDir: string;
  let cleanup: () => void;

  beforeAll(async () => {
    ({ caseDir, cleanup } = makeCase({ from: '2010-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' }));
    const dirs = readdirSync(SAMPLES)
      .filter((d) => d.startsWith('cloudtrail'))
      .sort()
      .map((d) => path.join(SAMPLES, d));
    expect(dirs.map((d) => path.basename(d))).toEqual(['cloudtrail', 'cloudtrail-digest', 'cloudtrail-lookup-events']);
    await ingest(caseDir, dirs);
    await correlateCase(caseDir);
  }, 120_000);

  afterAll(() => cleanup?.());

  it('the trail record of the Pod Identity AssumeRole: key ASIA37QFXJP5MQOWRZ6Q belongs to pod 0cda7f85-...', async () => {
    const r = await query(caseDir, `select subject_type, subject, subject_pod_uid, subject_namespace, subject_service_account, resolution from credential_sessions where access_key_id = 'ASIA37QFXJP5MQOWRZ6Q'`);
    expect(r).toEqual([
      { subject_type: 'pod', subject: '0cda7f85-c1f9-4dee-b6e9-a0b50c8f3012', subject_pod_uid: '0cda7f85-c1f9-4dee-b6e9-a0b50c8f3012', subject_namespace: 'ns-a', subject_service_account: 'sa1', resolution: 'issuing-event' },
    ]);
  });

  it('the lookup-events copy: key ASIAQAHCJ2QPJEYFB36U belongs to pod 91eee131-...', async () => {
    const r = await query(caseDir, `select s.subject_type, s.subject, s.subject_pod_uid, e.delivery from credential_sessions as s inner join cloud_events as e on e.event_id = s.issuing_event_id where s.access_key_id = 'ASIAQAHCJ2QPJEYFB36U'`);
    expect(r).toEqual([{ subject_type: 'pod', subject: '91eee131-74f3-49d4-8f7c-bcde305c120b', subject_pod_uid: '91eee131-74f3-49d4-8f7c-bcde305c120b', delivery: 'lookup-events' }]);
  });

  it('the AssumeRole events themselves are Pod Identity calls naming those pods as their only candidate', async () => {
    const r = await query(
      caseDir,
      `select a.path, a.rule_id, json_extract_string(a.candidates, '$[0].pod_uid') as candidate
       from attributions as a inner join credential_sessions as s on s.issuing_event_id = a.event_id
       where s.access_key_id in ('ASIA37QFXJP5MQOWRZ6Q', 'ASIAQAHCJ2QPJEYFB36U') order by s.access_key_id`,
    );
    // no inventory in the samples: the tag names the pod, which no snapshot shows running
    expect(r).toEqual([
      { path: 'pod-identity', rule_id: 'pod-identity-tag', candidate: '0cda7f85-c1f9-4dee-b6e9-a0b50c8f3012' },
      { path: 'pod-identity', rule_id: 'pod-identity-tag', candidate: '91eee131-74f3-49d4-8f7c-bcde305c120b' },
    ]);
  });

  it('a Pod Identity attribution names the pod, its namespace and service account from the session tags (no inventory in the samples)', async () => {
    const r = await query(
      caseDir,
      `select a.pod_uid, a.pod_namespace, a.pod_name, a.service_account,
              json_extract_string(a.candidates, '$[0].namespace') as cand_ns, json_extract_string(a.candidates, '$[0].name') as cand_name
       from attributions as a where a.path = 'pod-identity' and a.confidence = 'proven' order by a.pod_uid`,
    );
    expect(r).toEqual([
      { pod_uid: '0cda7f85-c1f9-4dee-b6e9-a0b50c8f3012', pod_namespace: 'ns-a', pod_name: 'app1', service_account: 'sa1', cand_ns: 'ns-a', cand_name: 'app1' },
      { pod_uid: '91eee131-74f3-49d4-8f7c-bcde305c120b', pod_namespace: 'ns-a', pod_name: 'app1', service_account: 'sa1', cand_ns: 'ns-a', cand_name: 'app1' },
    ]);
  });

  it('decided rows carry no reason text; every undecided row says why', async () => {
    const r = await query(
      caseDir,
      `select confidence, count(*)::INTEGER as n, count(reason)::INTEGER as with_reason from attributions group by confidence order by confidence`,
    );
    expect(r.length).toBeGreaterThan(1);
    for (const row of r) {
      if (row['confidence'] === 'proven' || row['confidence'] === 'strong') expect(row['with_reason']).toBe(0);
      else expect(row['with_reason']).toBe(row['n']);
    }
  });
});
