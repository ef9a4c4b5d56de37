/**
 * A hand-made case whose evidence is complete, for the gaps checks (sql/50_checks): every source
 * covers the examined range (window 09:00-12:00 UTC on 2026-10-20, margin 15 min, so 08:45-12:15)
 * at a steady rate, so `podtrail check` finds no gap. A test takes the spec, breaks one thing
 * (a silent hour, a late start, a node without a sensor, ...) and checks the case: the findings
 * that are not ok must then be exactly the ones that one defect explains.
 *
 *   kube-audit  a kubelet lease update every 10 s
 *   tetragon    node-a and node-b: a host exec every 60 s
 *   inventory   nodes, pods, service accounts at 08:50 and 12:05 (bracketing the window)
 *   cloudtrail  one S3 log file per hour, a call every 5 min (12/hour), one S3 PutObject data event
 *   case.yaml   clock offsets of node-a and node-b declared (0 s)
 */
import path from 'node:path';
import {
  at,
  auditHeartbeat,
  ctEvent,
  ctLogFile,
  ctLogKey,
  editCaseYaml,
  handmadeCase,
  identity,
  ingestInputs,
  kubeList,
  lines,
  node,
  pod,
  serviceAccount,
  snapshotName,
  tgHeartbeat,
  writeInput,
} from './handmade.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';
import { checkCase } from '../../src/check/check-case.js';
import type { Validation } from '../../src/check/validation.js';
import { query } from './case.js';

export const WINDOW = { from: '2026-10-20T09:00:00Z', to: '2026-10-20T12:00:00Z' };
export const RANGE = { from: '2026-10-20T08:45:00Z', to: '2026-10-20T12:15:00Z' };
export const SNAPSHOTS = ['2026-10-20T08:50:00Z', '2026-10-20T12:05:00Z'];
export const NODE_A = 'node-a';
export const NODE_B = 'node-b';

type Obj = Record<string, unknown>;

/** Annotation (test only) that leaves an object out of the snapshots taken at or after its value. */
export const REMOVED_AT = 'test.podtrail.dev/removed-at';

export interface CheckSpec {
  audit: string[];
  tetragon: Record<string, string[]>;
  nodes: Obj[];
  pods: Obj[];
  serviceAccounts: Obj[];
  /** CloudTrail records, written as one S3 log file per hour of eventTime. */
  cloudtrail: Obj[];
  nodeOffsets: Record<string, string>;
  endpoints: Obj[];
  /** Extra raw files under inputs/ (relative path -> content). */
  extraFiles: Record<string, string>;
}

/** A steady management call every 5 minutes over the range, plus one data event at 09:32:30. */
export function baselineCloudTrail(): Obj[] {
  const records: Obj[] = [];
  for (let i = 0, t = RANGE.from; Date.parse(t) < Date.parse(RANGE.to); i++, t = at(t, 300)) {
    records.push(
      ctEvent({
        id: `ev-base-${String(i).padStart(3, '0')}`,
        time: at(t, 30),
        source: 'ec2.amazonaws.com',
        name: 'DescribeInstances',
        identity: identity.iamUser({ user: 'ops-bot', key: 'AKIAOPSBOT0000000001' }),
        ip: '198.51.100.50',
      }),
    );
  }
  records.push(
    ctEvent({
      id: 'ev-base-data-put-object',
      time: '2026-10-20T09:32:30Z',
      source: 's3.amazonaws.com',
      name: 'PutObject',
      identity: identity.iamUser({ user: 'ops-bot', key: 'AKIAOPSBOT0000000001' }),
      ip: '198.51.100.50',
      category: 'Data',
      readOnly: false,
      params: { bucketName: 'ops-reports', key: 'daily.csv' },
    }),
  );
  return records;
}

export function baselineSpec(): CheckSpec {
  return {
    audit: auditHeartbeat(RANGE.from, RANGE.to, 10),
    tetragon: { [NODE_A]: tgHeartbeat(NODE_A, RANGE.from, RANGE.to, 60), [NODE_B]: tgHeartbeat(NODE_B, RANGE.from, RANGE.to, 60) },
    nodes: [node({ name: NODE_A, instanceId: 'i-0a000000000000001', ip: '10.0.1.10' }), node({ name: NODE_B, instanceId: 'i-0b000000000000002', ip: '10.0.2.10' })],
    pods: [pod({ uid: '0000000e-0000-4000-8000-000000000001', namespace: 'shop', name: 'web-1', node: NODE_A, ip: '10.0.1.31' })],
    serviceAccounts: [serviceAccount({ namespace: 'shop', name: 'default' })],
    cloudtrail: baselineCloudTrail(),
    nodeOffsets: { [NODE_A]: '0s', [NODE_B]: '0s' },
    endpoints: [],
    extraFiles: {},
  };
}

/** Writes the spec's inputs into a fresh case, ingests them in place, correlates and checks. */
export async function buildCheckedCase(
  spec: CheckSpec,
  o: { afterIngest?: (caseDir: string) => Promise<void> } = {},
): Promise<{ caseDir: string; cleanup: () => void; validation: Validation }> {
  const { caseDir, cleanup } = handmadeCase({ from: WINDOW.from, to: WINDOW.to, margin: '15m' });
  editCaseYaml(caseDir, (doc) => {
    (doc['clock'] as Obj)['node_offsets'] = spec.nodeOffsets;
    doc['endpoints'] = spec.endpoints;
  });
  writeInput(caseDir, 'kube-audit/audit.log', lines(spec.audit));
  for (const [n, events] of Object.entries(spec.tetragon)) if (events.length > 0) writeInput(caseDir, `tetragon/${n}.json`, lines(events));
  for (const snap of SNAPSHOTS) {
    // an object is in the snapshots taken after its creation and before its REMOVED_AT annotation
    const live = (items: Obj[]) =>
      items.filter((x) => {
        const m = x['metadata'] as Obj;
        const removed = (m['annotations'] as Obj | undefined)?.[REMOVED_AT];
        return String(m['creationTimestamp']) <= snap && (removed === undefined || snap < String(removed));
      });
    writeInput(caseDir, snapshotName('nodes', snap), kubeList(live(spec.nodes)));
    writeInput(caseDir, snapshotName('pods', snap), kubeList(live(spec.pods)));
    writeInput(caseDir, snapshotName('serviceaccounts', snap), kubeList(spec.serviceAccounts));
  }
  const byHour = new Map<string, Obj[]>();
  for (const r of spec.cloudtrail) {
    const hour = String(r['eventTime']).slice(0, 13);
    byHour.set(hour, [...(byHour.get(hour) ?? []), r]);
  }
  for (const [hour, records] of [...byHour.entries()].sort()) {
    writeInput(caseDir, ctLogKey(`${hour}:05:00Z`, `h${hour.slice(11, 13)}`), ctLogFile(records));
  }
  for (const [rel, content] of Object.entries(spec.extraFiles)) writeInput(caseDir, rel, content);
  await ingestInputs(caseDir);
  if (o.afterIngest) await o.afterIngest(caseDir);
  await correlateCase(caseDir);
  const validation = await checkCase(caseDir);
  return { caseDir, cleanup, validation };
}

export interface Finding {
  check_id: string;
  kind: string;
  finding_id: string;
  status: string;
  source: string | null;
  node_name: string | null;
  region: string | null;
  interval_from: string;
  interval_to: string;
  seconds: number;
  value: number;
  detail: Obj;
  message: string;
}

/** gap_findings with ISO-formatted intervals and parsed detail. */
export async function findings(caseDir: string): Promise<Finding[]> {
  const rows = await query(
    caseDir,
    `select check_id, kind, finding_id, status, source, node_name, region,
        strftime(interval_from, '%Y-%m-%dT%H:%M:%S.%fZ') as interval_from,
        strftime(interval_to, '%Y-%m-%dT%H:%M:%S.%fZ') as interval_to,
        seconds::DOUBLE as seconds, value::DOUBLE as value, detail::VARCHAR as detail, message
     from gap_findings
     -- the baseline trail has no digests, so its integrity is unknown hour by hour: that check is
     -- tested on its own (test/collect/aws-digest-validation.test.ts), not in these exact sets
     where check_id <> 'cloudtrail-integrity'
     order by check_id, kind, finding_id`,
  );
  return rows.map((r) => ({ ...r, detail: JSON.parse(String(r['detail'])) as Obj }) as unknown as Finding);
}

/** The findings that are not ok, as "check/kind/status" strings, sorted. */
export function notOk(fs: Finding[]): string[] {
  return fs
    .filter((f) => f.status !== 'ok')
    .map((f) => `${f.check_id}/${f.kind}/${f.status}`)
    .sort();
}

/** Seconds between two instants (ISO). */
export function secondsBetween(a: string, b: string): number {
  return Math.abs(Date.parse(a) - Date.parse(b)) / 1000;
}

export const inputsDir = (caseDir: string): string => path.join(caseDir, 'inputs');

/** A built, correlated and checked case with its findings. */
export interface CheckedCase {
  caseDir: string;
  cleanup: () => void;
  findings: Finding[];
}

/**
 * Builds one checked case per spec, one after the other, into `into` (filled as each completes, so
 * an afterAll can clean up what was built even when a later build fails).
 */
export async function buildCheckedCases<K extends string>(specs: Record<K, CheckSpec>, into: Partial<Record<K, CheckedCase>>): Promise<void> {
  for (const name of Object.keys(specs) as K[]) {
    const c = await buildCheckedCase(specs[name]);
    into[name] = { caseDir: c.caseDir, cleanup: c.cleanup, findings: await findings(c.caseDir) };
  }
}

/** Cleans up every case buildCheckedCases built. */
export function cleanupCheckedCases(built: Partial<Record<string, CheckedCase>>): void {
  for (const b of Object.values(built)) b?.cleanup();
}
