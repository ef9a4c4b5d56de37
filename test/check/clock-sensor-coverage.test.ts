/**
 * The clock and sensor-coverage checks (sql/50_checks/chk_clock.sql, chk_sensor_coverage.sql) on
 * hand-made cases built from the complete baseline (test/helpers/check-baseline.ts), whose node
 * offsets are declared in case.yaml:
 *   clock   node-b's offset is no longer declared, and four calls through the S3 VPC endpoint pair
 *           with node-b connects stamped 40 s ahead -> measured, beyond the 5 s tolerance
 *   sensor  node-c joins at 09:30 and node-d leaves before the 12:05 snapshot, neither with
 *           Tetragon events -> no-sensor over the examined range clipped to each node's existence
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, ctEvent, identity, node, tgConnect } from '../helpers/handmade.js';
import { NODE_A, NODE_B, REMOVED_AT, baselineSpec, buildCheckedCases, cleanupCheckedCases, notOk, type CheckedCase } from '../helpers/check-baseline.js';

const S3_VPCE = '10.0.100.30';
const built = {} as Record<'clock' | 'sensor', CheckedCase>;

beforeAll(async () => {
  const clock = baselineSpec();
  delete clock.nodeOffsets[NODE_B];
  clock.endpoints = [{ service: 's3.amazonaws.com', addresses: [S3_VPCE], vpc_endpoint_id: 'vpce-0s3' }];
  for (let j = 0; j < 4; j++) {
    const ip = `10.0.2.${101 + j}`;
    const time = at('2026-10-20T09:10:00Z', 600 * j);
    clock.cloudtrail.push(
      ctEvent({
        id: `ev-clock-pair-${j}`,
        time,
        source: 's3.amazonaws.com',
        name: 'GetObject',
        identity: identity.iamUser({ user: 'ops-bot', key: 'AKIAOPSBOT0000000001' }),
        ip,
        vpce: 'vpce-0s3',
        category: 'Data',
        params: { bucketName: 'ops-reports', key: `r${j}` },
      }),
    );
    clock.tetragon[NODE_B]!.push(tgConnect({ time: at(time, 40 - 0.2), node: NODE_B, saddr: ip, daddr: S3_VPCE }));
  }

  const sensor = baselineSpec();
  sensor.nodes.push(node({ name: 'node-c', instanceId: 'i-0c000000000000003', ip: '10.0.3.10', created: '2026-10-20T09:30:00Z' }));
  const leaving = node({ name: 'node-d', instanceId: 'i-0d000000000000004', ip: '10.0.4.10' });
  (leaving['metadata'] as Record<string, unknown>)['annotations'] = { [REMOVED_AT]: '2026-10-20T12:05:00Z' };
  sensor.nodes.push(leaving);
  sensor.nodeOffsets['node-c'] = '0s';
  sensor.nodeOffsets['node-d'] = '0s';

  await buildCheckedCases({ clock, sensor }, built);
}, 180_000);

afterAll(() => cleanupCheckedCases(built));

describe('clock', () => {
  it('finds exactly one clock gap: the measured node beyond tolerance', () => {
    expect(notOk(built.clock.findings)).toEqual(['clock/clock-offset/gap']);
  });

  it('clock-offset: node-b runs ~40 s ahead, measured from 4 pairs', () => {
    const f = built.clock.findings.find((x) => x.kind === 'clock-offset')!;
    expect({ node_name: f.node_name, status: f.status, method: f.detail['method'], pairs: f.detail['pairs'] }).toEqual({ node_name: NODE_B, status: 'gap', method: 'measured', pairs: 4 });
    expect(Math.abs(f.value - 40)).toBeLessThanOrEqual(2);
    expect(f.message).toContain('ahead');
  });

  it('a declared offset is ok (clock-declared)', () => {
    const f = built.clock.findings.find((x) => x.node_name === NODE_A && x.check_id === 'clock')!;
    expect({ kind: f.kind, status: f.status, value: f.value, method: f.detail['method'] }).toEqual({ kind: 'clock-declared', status: 'ok', value: 0, method: 'declared' });
  });
});

describe('sensor coverage', () => {
  it('finds exactly the two nodes without a sensor', () => {
    expect(notOk(built.sensor.findings)).toEqual(['sensor-coverage/no-sensor/gap', 'sensor-coverage/no-sensor/gap']);
  });

  it('no-sensor covers the examined range clipped to the node\'s existence', () => {
    const interval = (n: string) => {
      const f = built.sensor.findings.find((x) => x.kind === 'no-sensor' && x.node_name === n)!;
      return { from: f.interval_from, to: f.interval_to, seconds: f.seconds, value: f.value };
    };
    // node-c was created at 09:30; the range runs to 12:15
    expect(interval('node-c')).toEqual({ from: '2026-10-20T09:30:00.000000Z', to: '2026-10-20T12:15:00.000000Z', seconds: 9900, value: 0 });
    // node-d existed before the range and is gone from the 12:05 snapshot
    expect(interval('node-d')).toEqual({ from: '2026-10-20T08:45:00.000000Z', to: '2026-10-20T12:05:00.000000Z', seconds: 12000, value: 0 });
  });

  it('the nodes with a sensor stay sensor-present', () => {
    const ok = built.sensor.findings.filter((f) => f.kind === 'sensor-present').map((f) => f.node_name);
    expect(ok).toEqual([NODE_A, NODE_B]);
  });
});
