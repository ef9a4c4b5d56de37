import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { renderCaseConfig, validateCaseConfig } from '../../src/case/case-config.js';
import { buildCaseConfig } from '../../src/case/init-case.js';
import { parseDurationSeconds, formatDuration } from '../../src/core/duration.js';

describe('case.yaml', () => {
  it('round-trips: what init writes validates to the same config', () => {
    const cfg = buildCaseConfig('/cases/incident-42', {
      from: '2026-10-20T09:00:00Z',
      to: '2026-10-20T13:00:00+02:00',
      namespaces: ['payments', 'checkout', 'payments'],
      reason: 'first alert 09:00; contained 09:00 UTC + 2h',
      margin: '10m',
    });
    expect(cfg.window).toEqual({ from: '2026-10-20T09:00:00.000Z', to: '2026-10-20T11:00:00.000Z', reason: 'first alert 09:00; contained 09:00 UTC + 2h', margin_seconds: 600 });
    expect(cfg.scope.namespaces).toEqual(['checkout', 'payments']);
    expect(cfg.case_id).toBe('incident-42');
    const again = validateCaseConfig(parseDocument(renderCaseConfig(cfg)).toJS(), 'case.yaml');
    expect(again).toEqual(cfg);
  });

  it('reports every problem at once, with its path', () => {
    const doc = {
      schema: 'podtrail.case/v0',
      window: { from: '2026-10-20 09:00', to: '2026-10-20T08:00:00Z', margin: 'ten minutes' },
      clock: { tolerance: '5s', node_offsets: { 'node-a': 'fast' } },
      egress: [{ label: 'nat', public: ['300.1.1.1'] }],
      endpoints: [{ service: 'sts.amazonaws.com', addresses: [] }],
      gaps: { expected_gap_floor: '1h', expected_gap_ceiling: '5m' },
      colour: 'blue',
    };
    let message = '';
    try {
      validateCaseConfig(doc, 'case.yaml');
    } catch (e) {
      message = (e as Error).message;
    }
    for (const fragment of [
      'schema: must be "podtrail.case/v1"',
      'window.from: "2026-10-20 09:00" is not an ISO-8601 instant',
      'window.margin: "ten minutes" is not a duration',
      'clock.node_offsets.node-a',
      'egress[0].public: "300.1.1.1" is not an IP or CIDR',
      'endpoints[0].addresses: needs at least one',
      'gaps: expected_gap_floor must not exceed expected_gap_ceiling',
      '.colour: unknown key',
    ]) expect(message).toContain(fragment);
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => buildCaseConfig('/c', { from: '2026-10-20T10:00:00Z', to: '2026-10-20T09:00:00Z', namespaces: [] })).toThrow(/must be before/);
  });

  it('parses and prints durations', () => {
    expect(parseDurationSeconds('1h30m', 'x')).toBe(5400);
    expect(parseDurationSeconds('+40s', 'x')).toBe(40);
    expect(parseDurationSeconds('-2.5s', 'x')).toBe(-2.5);
    expect(parseDurationSeconds('500ms', 'x')).toBe(0.5);
    expect(() => parseDurationSeconds('2 hours', 'x')).toThrow(/not a duration/);
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(-40)).toBe('-40s');
  });
});

describe('case.yaml problems, each with its path', () => {
  const problems = (doc: unknown): string => {
    try {
      validateCaseConfig(doc, 'case.yaml');
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  const base = { schema: 'podtrail.case/v1', case_id: 'c1', window: { from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z' } };

  it('names the path of each problem, nested keys and list items included', () => {
    const m = problems({
      ...base,
      case_id: 42,
      window: { from: '2026-10-20T09:00:00Z', to: '2026-10-20T10:00:00Z', margn: '5m' },
      scope: { namespaces: ['a', 7] },
      clock: { node_offsets: { 'node-a': '+2 days' } },
      egress: [{ label: 'nat', public: ['1.2.3.4'], nodes: 'node-a' }],
      endpoints: 'sts',
    });
    expect(m.split('\n').slice(1, -1)).toEqual([
      '  - case_id: must be a string, got number',
      '  - window.margn: unknown key (allowed: from, to, reason, margin)',
      '  - scope.namespaces[1]: must be a string, got number',
      '  - clock.node_offsets.node-a: "+2 days" is not a duration (examples: 30s, 15m, 2h)',
      '  - egress[0].nodes: must be a list of strings',
      '  - endpoints: must be a list',
    ]);
  });

  it('a missing window and a wrong schema are both said; empty optional sections take the defaults', () => {
    expect(problems({ schema: 'x', case_id: 'c1' })).toMatch(/schema: must be "podtrail\.case\/v1" \(got "x"\)\n {2}- window: is required \(from, to, reason, margin\)/);
    const cfg = validateCaseConfig({ ...base, scope: null, clock: null, egress: null, endpoints: null, gaps: null }, 'case.yaml');
    expect(cfg.scope.namespaces).toEqual([]);
    expect(cfg.clock).toEqual({ tolerance_seconds: 5, node_offsets_seconds: {} });
    expect(cfg.gaps).toEqual({ expected_gap_floor_seconds: 300, expected_gap_ceiling_seconds: 1800 });
    expect(cfg.window.margin_seconds).toBe(900);
  });
});
