import { describe, expect, it } from 'vitest';
import { scoreReport } from '../../src/eval/report-score.js';

describe('report score', () => {
  const incidents = [{ play: 'a', pod_uid: 'p1' }, { play: 'b', pod_uid: 'p2' }];

  it('counts an incident told when the answer names its pod, with its rank', () => {
    const s = scoreReport(incidents, [
      { rank: 1, actor_kind: 'pod', actor_id: 'p2', named: true },
      { rank: 2, actor_kind: 'outside', actor_id: '203.0.113.9', named: true },
      { rank: 3, actor_kind: 'pod', actor_id: 'p1', named: true },
    ]);
    expect(s).toEqual({ incidents: 2, told: 2, ranks: [3, 1], others: 1, failures: [] });
  });

  it('fails an incident whose pod is only a candidate, or absent', () => {
    const s = scoreReport(incidents, [{ rank: 1, actor_kind: 'pod', actor_id: 'p1', named: false }]);
    expect(s.told).toBe(0);
    expect(s.ranks).toEqual([null, null]);
    expect(s.failures).toEqual([
      'the report does not name the pod of incident a (p1)',
      'the report does not name the pod of incident b (p2)',
    ]);
  });

  it('does not count a node or address that shares an id with a pod', () => {
    expect(scoreReport(incidents, [{ rank: 1, actor_kind: 'node', actor_id: 'p1', named: true }]).told).toBe(0);
  });
});
