import type { ScenarioSpec } from '../world.js';
import type { Node } from '../model.js';
import { buildBase } from '../base-cluster.js';
import { irsaExfil } from '../plays/irsa-exfil.js';
import { ATTACKER_IPS, SPAN, at } from './day.js';
import { FIVE_NODES, assemble } from './layout.js';

export const description =
  'The irsa-exfil attack with the evidence damaged: audit log silent for an hour and rotated away before the window, a node with no sensor, the victim node clock 40 s ahead (not declared), a CloudTrail hour missing, no data events (the PutObject is absent). Has malformed records.';

export function build(seed: number): ScenarioSpec {
  const base = buildBase({
    seed,
    span: SPAN,
    nodes: [{ ...FIVE_NODES[0], az: 0, clockOffsetS: 40 }, ...FIVE_NODES.slice(1), { az: 1, sensor: null, falco: false }],
  });
  const n = base.nodes as [Node, Node, Node, Node, Node, Node];
  const t0 = at('09:10:07');
  const play = irsaExfil(base, { t0, human: base.alice, nodes: [n[0], n[1], n[5]], attackerIp: ATTACKER_IPS[0] as string });
  return assemble(
    {
      name: 'gaps',
      base,
      plays: [play],
      namespaces: ['payments'],
      firstActivity: t0,
      lookup: { from: at('08:50:00'), to: at('09:40:00') },
      gaps: {
        auditSilence: { from: at('09:40:00'), to: at('10:40:00') },
        auditRetainedFrom: at('08:24:30'),
        cloudtrailMissing: { region: base.b.account.region, from: at('08:00:00'), to: at('09:00:00') },
        noDataEvents: true,
      },
      malformed: { tetragon: { node: n[2], lines: [44, 120] }, audit: { hour: 2, lines: [15, 90] }, tail: { source: 'tetragon', node: n[3] } },
    },
    seed,
  );
}
