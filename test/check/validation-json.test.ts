/**
 * CASE/validation.json (schema podtrail.validation/v1, src/check/validation.ts) on a hand-made case
 * with several gaps that weaken attributions: a 20-minute audit hole (the unproven calls in it), an
 * EKS Pod Identity session without its pod-uid tag (the calls made with its key) and a node without
 * a sensor. The file must list every finding with the attributions it weakens (gap_impacts), count
 * them right, and come out byte-identical on every run, in any time zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ACCOUNT, ctEvent, identity, node, stsCredentials } from '../helpers/handmade.js';
import { query } from '../helpers/case.js';
import { CLI, REPO, distIsFresh } from '../helpers/dist.js';
import { baselineSpec, buildCheckedCase } from '../helpers/check-baseline.js';
import { checkCase } from '../../src/check/check-case.js';
import { CHECKS } from '../../src/check/check-titles.js';
import type { Validation } from '../../src/check/validation.js';
import { createClock } from '../../src/core/clock.js';

let caseDir: string;
let cleanup: () => void;
let bytes: string;
let validation: Validation;

beforeAll(async () => {
  const spec = baselineSpec();
  spec.audit = spec.audit.filter((l) => {
    const t = Date.parse((JSON.parse(l) as { requestReceivedTimestamp: string }).requestReceivedTimestamp);
    return !(t >= Date.parse('2026-10-20T10:00:00Z') && t < Date.parse('2026-10-20T10:20:00Z'));
  });
  spec.nodes.push(node({ name: 'node-c', instanceId: 'i-0c000000000000003', ip: '10.0.3.10', created: '2026-10-20T09:30:00Z' }));
  spec.nodeOffsets['node-c'] = '0s';
  const session = 'eks-shop-web-1-0000000e-0000-4000-8000-000000000001';
  const role = 'shop-web-pod-identity';
  spec.cloudtrail.push(
    ctEvent({
      id: 'ev-untagged-assume-role',
      time: '2026-10-20T11:00:00Z',
      source: 'sts.amazonaws.com',
      name: 'AssumeRole',
      identity: identity.awsService('pods.eks.amazonaws.com'),
      ip: 'pods.eks.amazonaws.com',
      params: { roleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`, roleSessionName: session },
      response: stsCredentials({ key: 'ASIAUNTAGGED00000002', role, session }),
    }),
    ...[1, 2].map((i) =>
      ctEvent({
        id: `ev-untagged-use-${i}`,
        time: `2026-10-20T11:0${i}:00Z`,
        source: 's3.amazonaws.com',
        name: 'ListBuckets',
        identity: identity.assumedRole({ role, session, key: 'ASIAUNTAGGED00000002' }),
        ip: '10.0.1.31',
        vpce: 'vpce-0s3',
      }),
    ),
  );
  const c = await buildCheckedCase(spec);
  ({ caseDir, cleanup, validation } = c);
  bytes = readFileSync(path.join(caseDir, 'validation.json'), 'utf8');
}, 120_000);

afterAll(() => cleanup?.());

type F = Validation['checks'][number]['findings'][number];
const allFindings = (): F[] => validation.checks.flatMap((c) => c.findings);

describe('validation.json', () => {
  it('is the podtrail.validation/v1 document checkCase returned', () => {
    expect(JSON.parse(bytes)).toEqual(JSON.parse(JSON.stringify(validation)));
    expect(validation.schema).toBe('podtrail.validation/v1');
    expect(validation.case.window).toEqual({ from: '2026-10-20T09:00:00.000Z', to: '2026-10-20T12:00:00.000Z', reason: 'test', margin_seconds: 900 });
  });

  it('lists the checks in order, each as bad as its worst finding', () => {
    expect(validation.checks.map((c) => [c.id, c.title])).toEqual(CHECKS.map((c) => [c.id, c.title]));
    const rank = { ok: 0, unknown: 1, gap: 2 } as const;
    for (const c of validation.checks) {
      const worst = c.findings.reduce<keyof typeof rank>((s, f) => (rank[f['status'] as keyof typeof rank] > rank[s] ? (f['status'] as keyof typeof rank) : s), 'ok');
      expect(c.status, c.id).toBe(worst);
    }
  });

  it('holds every gap_findings row, and nothing else', async () => {
    const rows = await query(caseDir, `select finding_id, kind, status from gap_findings order by finding_id`);
    const listed = allFindings().map((f) => ({ finding_id: f['finding_id'], kind: f['kind'], status: f['status'] }));
    expect(listed.sort((a, b) => (String(a.finding_id) < String(b.finding_id) ? -1 : 1))).toEqual(rows);
    expect(allFindings().filter((f) => f['status'] === 'gap').map((f) => f['kind']).sort()).toEqual(['audit-silence', 'no-sensor', 'pod-identity-tags-disabled']);
  });

  it('every gap finding lists the attributions it weakens, exactly as gap_impacts has them', async () => {
    const impacts = await query(caseDir, `select finding_id, event_id from gap_impacts order by finding_id, event_id`);
    const listed = allFindings().flatMap((f) => (f['weakens'] as string[]).map((e) => ({ finding_id: f['finding_id'], event_id: e })));
    expect(listed.sort((a, b) => (`${a.finding_id} ${a.event_id}` < `${b.finding_id} ${b.event_id}` ? -1 : 1))).toEqual(impacts);
    for (const f of allFindings()) {
      expect([...(f['weakens'] as string[])], `${f['finding_id']}: sorted`).toEqual([...(f['weakens'] as string[])].sort());
      if (f['status'] !== 'gap') expect(f['weakens'], `${f['finding_id']} is not a gap`).toEqual([]);
    }
    const weakens = (kind: string) => allFindings().find((f) => f['kind'] === kind)!['weakens'] as string[];
    // the audit hole 10:00-10:20 holds the unattributed baseline calls at 10:00:30 .. 10:15:30
    expect(weakens('audit-silence')).toEqual(['ev-base-015', 'ev-base-016', 'ev-base-017', 'ev-base-018']);
    expect(weakens('pod-identity-tags-disabled')).toEqual(['ev-untagged-use-1', 'ev-untagged-use-2']);
  });

  it('summary counts match the findings and the checks', () => {
    const count = (xs: { status: string }[]) => {
      const out: Record<string, number> = { ok: 0, gap: 0, unknown: 0 };
      for (const x of xs) out[x.status] = (out[x.status] ?? 0) + 1;
      return out;
    };
    expect(validation.summary.findings).toEqual(count(allFindings() as unknown as { status: string }[]));
    expect(validation.summary.checks).toEqual(count(validation.checks));
    expect(validation.summary.findings['gap']).toBe(3);
    expect(validation.summary.gaps).toEqual(allFindings().filter((f) => f['status'] === 'gap').map((f) => f['message']));
  });

  it('lists every input file once', async () => {
    const files = await query(caseDir, `select evidence_file_id from evidence_files order by evidence_file_id`);
    expect(validation.inputs.map((i) => i['evidence_file_id']).sort()).toEqual(files.map((f) => f['evidence_file_id']));
  });

  it('is byte-identical when the checks run again', async () => {
    await checkCase(caseDir, () => {}, createClock('2026-11-29T00:00:00Z'));
    expect(readFileSync(path.join(caseDir, 'validation.json'), 'utf8')).toBe(bytes);
  });

  it.skipIf(!distIsFresh())('is byte-identical from `podtrail check` under TZ=UTC and TZ=Asia/Kolkata', () => {
    for (const tz of ['UTC', 'Asia/Kolkata']) {
      const r = spawnSync(process.execPath, [CLI, 'check', caseDir, '--as-of', '2026-11-29T00:00:00Z'], { cwd: REPO, env: { ...process.env, TZ: tz }, encoding: 'utf8' });
      expect(r.status, `${tz}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('3 gaps; validation.json written');
      expect(readFileSync(path.join(caseDir, 'validation.json'), 'utf8'), tz).toBe(bytes);
    }
  });
});
