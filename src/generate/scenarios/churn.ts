import type { Node } from '../model.js';
import type { ScenarioSpec } from '../world.js';
import { buildBase } from '../base-cluster.js';
import { churn } from '../plays/churn.js';
import { ATTACKER_IPS, SNAPSHOTS, SPAN, at } from './day.js';
import { replayOutside } from '../properties/replay-outside.js';
import { FIVE_NODES, assemble } from './layout.js';
import { cronJobBetweenSnapshots } from '../properties/between-snapshots.js';
import { ipv6Nodes } from '../properties/ipv6.js';

export const description =
  'Identity churn: a StatefulSet pod name reused with a new UID, a pod IP handed to another pod 35 s after its owner left, an image tag re-pushed with a new digest; the canary on the reused IP reads a secret and copies exports. Pods of a CronJob, 40 s each, live between inventory snapshots; two nodes are dual stack (pods call AWS over IPv6). Has malformed records.';

export function build(seed: number): ScenarioSpec {
  const base = buildBase({ seed, span: SPAN, nodes: FIVE_NODES });
  const n = base.nodes as [Node, Node, Node, Node, Node];
  const t0 = at('09:12:00');
  const play = churn(base, { t0, nodes: [n[1], n[4], n[0], n[2]] });
  // property: the keys of pods gone by then are replayed from outside
  const replay = replayOutside(base, { at: at('09:47:30'), ip: ATTACKER_IPS[0] as string });
  // property: a CronJob's 40-second pods, every 20 minutes, that no snapshot lists
  const cron = cronJobBetweenSnapshots(base, seed, { namespace: 'storefront', from: at('08:05:00'), to: at('10:25:00'), everyMin: 20, nodes: [n[2], n[3], n[4]], snapshots: SNAPSHOTS });
  // property (last: it addresses the pods already placed): two dual-stack nodes whose pods call AWS over IPv6
  ipv6Nodes(base, seed, [n[2], n[4]]);
  return assemble(
    {
      name: 'churn',
      base,
      plays: [play, replay, cron],
      namespaces: ['storefront'],
      firstActivity: t0,
      lookup: { from: at('08:45:00'), to: at('09:35:00') },
      malformed: { tetragon: { node: n[1], lines: [37, 111] }, audit: { hour: 1, lines: [33] }, tail: { source: 'falco', node: n[0] } },
    },
    seed,
  );
}
