import type { Node } from '../model.js';
import type { ScenarioSpec } from '../world.js';
import { buildBase } from '../base-cluster.js';
import { churn } from '../plays/churn.js';
import { ATTACKER_IPS, SPAN, at } from './day.js';
import { replayOutside } from '../properties/replay-outside.js';
import { FIVE_NODES, assemble } from './layout.js';

export const description =
  'Identity churn: a StatefulSet pod name reused with a new UID, a pod IP handed to another pod 35 s after its owner left, an image tag re-pushed with a new digest; the canary on the reused IP reads a secret and copies exports. Has malformed records.';

export function build(seed: number): ScenarioSpec {
  const base = buildBase({ seed, span: SPAN, nodes: FIVE_NODES });
  const n = base.nodes as [Node, Node, Node, Node, Node];
  const t0 = at('09:12:00');
  const play = churn(base, { t0, nodes: [n[1], n[4], n[0], n[2]] });
  // property: the keys of pods gone by then are replayed from outside
  const replay = replayOutside(base, { at: at('09:47:30'), ip: ATTACKER_IPS[0] as string });
  return assemble(
    {
      name: 'churn',
      base,
      plays: [play, replay],
      namespaces: ['storefront'],
      firstActivity: t0,
      lookup: { from: at('08:45:00'), to: at('09:35:00') },
      malformed: { tetragon: { node: n[1], lines: [37, 111] }, audit: { hour: 1, lines: [33] }, tail: { source: 'falco', node: n[0] } },
    },
    seed,
  );
}
