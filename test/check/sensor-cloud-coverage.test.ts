/**
 * Coverage statements that follow the evidence (sql/50_checks/chk_coverage.sql and
 * chk_sensor_coverage.sql), on a hand-made case in the real formats (window 09:00-10:00, margin 15 min):
 *   node-a  Tetragon from 09:05 (5 min into the window, 20 min after the margin starts): covered
 *   node-c  Tetragon from 09:20: its sensor starts late, by the same rule as node-a's
 *   node-b  Falco alerts only: it has a sensor, whose silence proves nothing (unknown, not "no sensor")
 *   node-d  nothing at all: no sensor
 * and no CloudTrail evidence: a coverage gap, never "0 gaps".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handmadeCase, ingestInputs, kubeList, lines, node, snapshotName, tgHeartbeat, writeInput } from '../helpers/handmade.js';
import { query } from '../helpers/case.js';
import { checkCase } from '../../src/check/check-case.js';
import { correlateCase } from '../../src/correlate/correlate-case.js';

const NODES = [
  node({ name: 'node-a', instanceId: 'i-0a0000000000000a1', ip: '10.0.1.10' }),
  node({ name: 'node-b', instanceId: 'i-0b0000000000000b1', ip: '10.0.1.11' }),
  node({ name: 'node-c', instanceId: 'i-0c0000000000000c1', ip: '10.0.1.12' }),
  node({ name: 'node-d', instanceId: 'i-0d0000000000000d1', ip: '10.0.1.13' }),
];

function falcoAlert(time: string): string {
  return JSON.stringify({
    hostname: 'node-b',
    output: `${time.slice(11, 19)}: Warning Terminal shell in container`,
    output_fields: { 'evt.type': 'execve', 'k8s.ns.name': 'shop', 'k8s.pod.name': 'web-0', 'proc.cmdline': 'sh', 'proc.pid': 4242 },
    priority: 'Warning',
    rule: 'Terminal shell in container',
    source: 'syscall',
    tags: ['shell'],
    time,
  });
}

let caseDir: string;
let cleanup: () => void;
let rows: Record<string, { kind: string; status: string; source: string; message: string; interval_from: string }>;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  for (const at of ['2026-10-20T08:50:00Z', '2026-10-20T10:05:00Z']) writeInput(caseDir, snapshotName('nodes', at), kubeList(NODES));
  writeInput(caseDir, 'tetragon/node-a.json', lines(tgHeartbeat('node-a', '2026-10-20T09:05:00Z', '2026-10-20T10:15:00Z')));
  writeInput(caseDir, 'tetragon/node-c.json', lines(tgHeartbeat('node-c', '2026-10-20T09:20:00Z', '2026-10-20T10:15:00Z')));
  writeInput(caseDir, 'falco/node-b.jsonl', lines([falcoAlert('2026-10-20T09:30:00.000000001Z'), falcoAlert('2026-10-20T09:41:00Z')]));
  await ingestInputs(caseDir);
  await correlateCase(caseDir);
  await checkCase(caseDir);
  const r = await query(
    caseDir,
    `select finding_id, kind, status, source, message, strftime(interval_from, '%Y-%m-%dT%H:%M:%SZ') as interval_from
     from gap_findings where check_id in ('sensor-coverage', 'coverage')`,
  );
  rows = Object.fromEntries(r.map((x) => [String(x['finding_id']), x as never]));
}, 120_000);

afterAll(() => cleanup?.());

describe('sensor coverage, one rule for every node', () => {
  it('a sensor that starts 5 min into the window is present; the margin before the window is not required', () => {
    expect(rows['sensor-coverage:node-a']).toMatchObject({ kind: 'sensor-present', status: 'ok' });
  });

  it('a sensor that starts 20 min into the window starts late, measured from the window start', () => {
    expect(rows['sensor-coverage:node-c']).toMatchObject({ kind: 'sensor-late', status: 'gap', interval_from: '2026-10-20T09:00:00Z' });
    expect(rows['sensor-coverage:node-c']!.message).toBe('node-c: runtime events start only at 2026-10-20T09:20:00Z, 20.0 min after the window start');
  });

  it('a node with only Falco alerts has a sensor: unknown, not "without a sensor"', () => {
    expect(rows['sensor-coverage:node-b']).toMatchObject({ kind: 'falco-only', status: 'unknown', source: 'falco' });
    expect(rows['sensor-coverage:node-b']!.message).toContain('has a Falco sensor (2 alerts');
    expect(rows['sensor-coverage:node-b']!.message).not.toContain('no runtime sensor');
  });

  it('a node with nothing has no sensor', () => {
    expect(rows['sensor-coverage:node-d']).toMatchObject({ kind: 'no-sensor', status: 'gap' });
  });
});

describe('coverage without cloud evidence', () => {
  it('no CloudTrail in the case is a gap of the coverage check', () => {
    expect(rows['coverage:missing:cloudtrail']).toMatchObject({ kind: 'source-missing', status: 'gap', source: 'cloudtrail' });
    expect(rows['coverage:missing:cloudtrail']!.message).toBe('no CloudTrail evidence in the case: no cloud call can be attributed');
  });

  it('validation.json does not say the coverage check found 0 gaps', async () => {
    const r = await query(caseDir, `select count(*)::INTEGER as n from gap_findings where check_id = 'coverage' and status = 'gap'`);
    expect(r[0]!['n']).toBeGreaterThan(0);
  });
});
