import type { Node } from '../model.js';
import type { ScenarioSpec } from '../world.js';
import { buildBase } from '../base-cluster.js';
import { irsaExfil } from '../plays/irsa-exfil.js';
import { ATTACKER_IPS, SPAN, at } from './day.js';
import { FIVE_NODES, assemble } from './layout.js';
import { chainRoles } from '../properties/chained-roles.js';

export const description =
  'kubectl exec by a person into one of three pods sharing an IRSA service account; GetSecretValue, ListSecrets, a denied IAM call and PutObject from the shell; the pod tokens reused from outside. Clean inputs.';

export function build(seed: number): ScenarioSpec {
  const base = buildBase({ seed, span: SPAN, nodes: FIVE_NODES });
  const n = base.nodes as [Node, Node, Node, Node, Node];
  // property: the orders worker chains from its IRSA role into a role of its own
  chainRoles(base, seed, ['orders-worker']);
  const t0 = at('09:10:07');
  const play = irsaExfil(base, { t0, human: base.alice, nodes: [n[0], n[1], n[2]], attackerIp: ATTACKER_IPS[0] as string });
  return assemble({ name: 'irsa-exfil', base, plays: [play], namespaces: ['payments'], firstActivity: t0, lookup: { from: at('09:00:00'), to: at('09:40:00') } }, seed);
}
