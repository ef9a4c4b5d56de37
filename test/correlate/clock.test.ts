/**
 * Node clock offsets (sql/30_intermediate/int_clock__*.sql -> node_clock_offsets) on a hand-made
 * case. Each pair is a call from a private address through the S3 VPC endpoint and the one
 * Tetragon tcp_connect from that address to the endpoint within 120 s. The connect precedes the
 * logged call by 0.2 s on a true clock; clock-n1 runs 40 s ahead; clock-n2..n4 keep time (the
 * latency baseline: their offsets lie inside CloudTrail's whole second, so they are not measurable);
 * clock-n5 keeps time but case.yaml declares +7 s; clock-n6 has only 2 pairs; clock-n7 runs 3 s
 * ahead and its calls are node-role calls (session name = its instance id) from its own private
 * address: each qualifies as a node-role pair and a source-ip pair, and counts once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, ctEvent, ctLogFile, ctLogKey, editCaseYaml, handmadeCase, identity, ingestAndCorrelate, kubeList, lines, node, snapshotName, tgConnect, writeInput } from '../helpers/handmade.js';
import { query } from '../helpers/case.js';

const S3_VPCE = '10.0.100.30';
const NODES: { name: string; skew: number; pairs: number }[] = [
  { name: 'clock-n1', skew: 40, pairs: 4 },
  { name: 'clock-n2', skew: 0, pairs: 3 },
  { name: 'clock-n3', skew: 0, pairs: 4 },
  { name: 'clock-n4', skew: 0, pairs: 3 },
  { name: 'clock-n5', skew: 0, pairs: 3 },
  { name: 'clock-n6', skew: 0, pairs: 2 },
  { name: 'clock-n7', skew: 3, pairs: 3 },
];
const N7_INSTANCE = 'i-0c10c7000000000a7';

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = handmadeCase());
  editCaseYaml(caseDir, (doc) => {
    doc['endpoints'] = [{ service: 's3.amazonaws.com', addresses: [S3_VPCE], vpc_endpoint_id: 'vpce-0s3' }];
    (doc['clock'] as Record<string, unknown>)['node_offsets'] = { 'clock-n5': '+7s' };
  });
  const records: Record<string, unknown>[] = [];
  let minute = 0;
  for (const [k, n] of NODES.entries()) {
    const connects: string[] = [];
    for (let j = 0; j < n.pairs; j++) {
      // one source address per call, calls a minute apart: each call has exactly one connect within 120 s
      const ip = `10.0.${k + 1}.${100 + j}`;
      // clock-n7's calls 5 min apart: a node-role call pairs with any connect of its node, so only one may lie within 120 s
      const time = at('2026-10-20T09:05:00Z', 60 * minute);
      minute += n.name === 'clock-n7' ? 5 : 1;
      const latency = 0.15 + 0.05 * (j % 3);
      records.push(
        ctEvent({
          id: `ev-clock-${n.name}-${j}`,
          time,
          source: 's3.amazonaws.com',
          name: 'GetObject',
          identity: n.name === 'clock-n7'
            ? identity.assumedRole({ role: 'eks-node-role', session: N7_INSTANCE, key: 'ASIANODE7000000000001', ec2RoleDelivery: '2.0' })
            : identity.iamUser({ user: 'ci-bot', key: 'AKIACIBOT00000000001' }),
          ip,
          vpce: 'vpce-0s3',
          category: 'Data',
          params: { bucketName: 'shop-data', key: `k${minute}` },
        }),
      );
      connects.push(tgConnect({ time: at(time, n.skew - latency), node: n.name, saddr: ip, daddr: S3_VPCE }));
    }
    writeInput(caseDir, `tetragon/${n.name}.json`, lines(connects));
  }
  writeInput(caseDir, ctLogKey('2026-10-20T09:45:00Z', 'clock0001'), ctLogFile(records));
  for (const t of ['2026-10-20T08:50:00Z', '2026-10-20T10:05:00Z']) {
    writeInput(caseDir, snapshotName('nodes', t), kubeList([node({ name: 'clock-n7', instanceId: N7_INSTANCE, ip: '10.0.7.100' })]));
  }
  await ingestAndCorrelate(caseDir);
}, 120_000);

afterAll(() => cleanup?.());

type Offset = { node_name: string; offset_seconds: number | null; method: string; pairs: string };
async function offsets(): Promise<Map<string, Offset>> {
  const r = (await query(caseDir, `select node_name, offset_seconds, method, pairs from node_clock_offsets order by node_name`)) as unknown as Offset[];
  return new Map(r.map((o) => [o.node_name, o]));
}

describe('node clock offsets', () => {
  it('lists every node the runtime evidence names', async () => {
    expect([...(await offsets()).keys()]).toEqual(NODES.map((n) => n.name));
  });

  it('measures the node that runs 40 s ahead at ~40 s from its pairs, against the nodes that keep time', async () => {
    const o = (await offsets()).get('clock-n1')!;
    expect(o.method).toBe('measured');
    expect(Number(o.pairs)).toBe(4);
    expect(Math.abs(Number(o.offset_seconds) - 40), `offset ${o.offset_seconds}`).toBeLessThanOrEqual(2);
  });

  it('nodes that keep time are not measurable: their offset lies inside CloudTrail\'s whole-second eventTime, so no value is claimed', async () => {
    for (const name of ['clock-n2', 'clock-n3', 'clock-n4']) {
      const g = (await offsets()).get(name)!;
      expect({ method: g.method, offset_seconds: g.offset_seconds }, name).toEqual({ method: 'not-measurable', offset_seconds: null });
    }
  });

  it('the clock check reports them as below CloudTrail\'s resolution, with no value', async () => {
    const r = await query(caseDir, `select kind, status, value, message from chk_clock where node_name = 'clock-n2'`);
    expect(r).toEqual([
      {
        kind: 'clock-below-resolution',
        status: 'ok',
        value: null,
        message: 'clock-n2: offset not measurable: 3 pairs put it within 0.5 s, inside the whole second CloudTrail gives eventTime; joins assume 0 within the 5.0 s tolerance',
      },
    ]);
  });

  it('a node 3 s ahead is measured; each of its calls is one pair although it qualifies as node-role and source-ip', async () => {
    const o = (await offsets()).get('clock-n7')!;
    expect(o.method).toBe('measured');
    expect(Number(o.pairs)).toBe(3);
    expect(Math.abs(Number(o.offset_seconds) - 3), `offset ${o.offset_seconds}`).toBeLessThanOrEqual(0.5);
    const kinds = await query(caseDir, `select kind, count(*)::INTEGER as n from int_clock__pairs where node_name = 'clock-n7' group by kind`);
    expect(kinds).toEqual([{ kind: 'node-role+source-ip', n: 3 }]);
  });

  it('a declared offset wins over the pairs', async () => {
    const o = (await offsets()).get('clock-n5')!;
    expect({ method: o.method, offset_seconds: o.offset_seconds }).toEqual({ method: 'declared', offset_seconds: 7 });
    expect(Number(o.pairs)).toBe(3);
  });

  it('a node with fewer than 3 pairs is unknown, never 0', async () => {
    const o = (await offsets()).get('clock-n6')!;
    expect({ method: o.method, offset_seconds: o.offset_seconds, pairs: Number(o.pairs) }).toEqual({ method: 'unknown', offset_seconds: null, pairs: 2 });
  });

  it('each measurement cites its pairs: the runtime row and the cloud event', async () => {
    const r = await query(caseDir, `select evidence::VARCHAR as evidence from node_clock_offsets where node_name = 'clock-n1'`);
    const pairs = JSON.parse(String(r[0]!['evidence'])) as { row_id: string; event_id: string; kind: string; offset_seconds: number }[];
    expect(pairs.map((p) => p.event_id)).toEqual([0, 1, 2, 3].map((j) => `ev-clock-clock-n1-${j}`));
    for (const p of pairs) {
      expect(p.kind).toBe('source-ip');
      expect(Math.abs(p.offset_seconds - 40)).toBeLessThanOrEqual(2);
      const row = await query(caseDir, `select node_name, kind from runtime_events where row_id = '${p.row_id}'`);
      expect(row).toEqual([{ node_name: 'clock-n1', kind: 'connect' }]);
    }
  });
});
