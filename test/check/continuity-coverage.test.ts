/**
 * Gaps checks on small hand-made cases (test/helpers/check-baseline.ts): the complete baseline
 * produces no gap, and one defect at a time produces exactly the finding it explains:
 *   continuity  audit lines every 10 s except a 20-minute hole -> audit-silence over the hole;
 *               Tetragon rate_limit_info reports -> sensor-drops with the dropped count
 *   coverage    the audit log starting 30 min after the window start -> retention-before-window
 *               [window start, first event]
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIDENCE_GAP_KINDS } from '../../src/check/check-titles.js';
import { tgRateLimit } from '../helpers/handmade.js';
import { NODE_A, NODE_B, baselineSpec, buildCheckedCases, cleanupCheckedCases, notOk, secondsBetween, type CheckedCase, type Finding } from '../helpers/check-baseline.js';

const HOLE = { from: '2026-10-20T10:00:00Z', to: '2026-10-20T10:20:00Z' };
const AUDIT_STARTS = '2026-10-20T09:30:00Z';

const built = {} as Record<'clean' | 'continuity' | 'coverage', CheckedCase>;

beforeAll(async () => {
  const clean = baselineSpec();

  const continuity = baselineSpec();
  continuity.audit = continuity.audit.filter((l) => {
    const t = (JSON.parse(l) as { requestReceivedTimestamp: string }).requestReceivedTimestamp;
    return !(Date.parse(t) >= Date.parse(HOLE.from) && Date.parse(t) < Date.parse(HOLE.to));
  });
  continuity.tetragon[NODE_B] = [
    ...continuity.tetragon[NODE_B]!,
    tgRateLimit({ time: '2026-10-20T10:30:10Z', node: NODE_B, dropped: 42 }),
    tgRateLimit({ time: '2026-10-20T10:40:10Z', node: NODE_B, dropped: 8 }),
  ].sort((a, b) => ((JSON.parse(a) as { time: string }).time < (JSON.parse(b) as { time: string }).time ? -1 : 1));

  const coverage = baselineSpec();
  coverage.audit = coverage.audit.filter((l) => Date.parse((JSON.parse(l) as { requestReceivedTimestamp: string }).requestReceivedTimestamp) >= Date.parse(AUDIT_STARTS));

  await buildCheckedCases({ clean, continuity, coverage }, built);
}, 180_000);

afterAll(() => cleanupCheckedCases(built));

const kinds = (fs: Finding[], status: string) => fs.filter((f) => f.status === status).map((f) => f.kind).sort();

describe('the complete baseline case', () => {
  it('has no gap, and no finding of an evidence-gap kind', () => {
    const fs = built.clean.findings;
    expect(notOk(fs)).toEqual([]);
    expect(fs.filter((f) => EVIDENCE_GAP_KINDS.has(f.kind))).toEqual([]);
  });

  it('says so check by check, with the ok kinds', () => {
    expect(kinds(built.clean.findings, 'ok')).toEqual(
      [
        'aws-ip-ranges-missing',
        'binding-node-role',
        'clock-declared',
        'clock-declared',
        'cloudtrail-files-complete',
        'data-events-present',
        'inventory-covers-window',
        'no-rejects',
        'outside-source',
        'sensor-present',
        'sensor-present',
        'source-covers-window',
        'source-covers-window',
        'stream-continuous',
        'stream-continuous',
        'stream-continuous',
      ].sort(),
    );
  });
});

describe('continuity', () => {
  it('finds exactly the audit hole and the sensor drops', () => {
    expect(notOk(built.continuity.findings)).toEqual(['continuity/audit-silence/gap', 'continuity/sensor-drops/gap']);
  });

  it('audit-silence covers the 20-minute hole, within a few seconds', () => {
    const f = built.continuity.findings.find((x) => x.kind === 'audit-silence')!;
    expect({ source: f.source, node_name: f.node_name }).toEqual({ source: 'kube-audit', node_name: null });
    expect(secondsBetween(f.interval_from, HOLE.from), f.interval_from).toBeLessThanOrEqual(10);
    expect(secondsBetween(f.interval_to, HOLE.to), f.interval_to).toBeLessThanOrEqual(10);
    expect(Math.abs(f.seconds - 1200)).toBeLessThanOrEqual(20);
    expect(f.detail['to_end_of_range']).toBe(false);
    expect(f.message).toContain('kube-audit is silent');
  });

  it('sensor-drops sums what the sensor reports lost, over the reports\' span', () => {
    const f = built.continuity.findings.find((x) => x.kind === 'sensor-drops')!;
    expect({ source: f.source, node_name: f.node_name, value: f.value, interval_from: f.interval_from, interval_to: f.interval_to }).toEqual({
      source: 'tetragon',
      node_name: NODE_B,
      value: 50,
      interval_from: '2026-10-20T10:30:10.000000Z',
      interval_to: '2026-10-20T10:40:10.000000Z',
    });
    expect(f.message).toContain('50 events lost');
  });

  it('the other streams stay continuous', () => {
    const ok = built.continuity.findings.filter((f) => f.kind === 'stream-continuous').map((f) => `${f.source}:${f.node_name}`);
    expect(ok.sort()).toEqual([`tetragon:${NODE_A}`, `tetragon:${NODE_B}`]);
  });
});

describe('coverage', () => {
  it('finds exactly the late start of the audit log', () => {
    expect(notOk(built.coverage.findings)).toEqual(['coverage/retention-before-window/gap']);
  });

  it('retention-before-window runs from the window start to the first audit event', () => {
    const f = built.coverage.findings.find((x) => x.kind === 'retention-before-window')!;
    expect(f.source).toBe('kube-audit');
    expect(f.interval_from).toBe('2026-10-20T09:00:00.000000Z');
    expect(secondsBetween(f.interval_to, AUDIT_STARTS)).toBeLessThan(1);
    expect(Math.round(f.seconds)).toBe(1800);
  });
});
