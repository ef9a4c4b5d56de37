import type { Node } from '../model.js';
import type { ScenarioSpec } from '../world.js';
import { buildBase } from '../base-cluster.js';
import { imdsNodeRole } from '../plays/imds-node-role.js';
import { ATTACKER_IPS, SPAN, at } from './day.js';
import { FIVE_NODES, assemble } from './layout.js';
import { chainRoles } from '../properties/chained-roles.js';

export const description =
  'A pod on a busy node (30 pods) is exploited, reads the node role from IMDS and calls iam:CreateAccessKey; the new AKIA key is used from the pod through a NAT shared by two AZs, then from outside. Clean inputs.';

export function build(seed: number): ScenarioSpec {
  const base = buildBase({ seed, span: SPAN, nodes: FIVE_NODES });
  const n = base.nodes as [Node, Node, Node, Node, Node];
  const t0 = at('09:05:41');
  const play = imdsNodeRole(base, { t0, busy: n[0], others: [n[3], n[2]], attackerIp: ATTACKER_IPS[2] as string });
  // property: the node-role collector chains from the node role into a role of its own
  chainRoles(base, seed, ['legacy-metrics']);
  return assemble({ name: 'imds-node-role', base, plays: [play], namespaces: ['analytics'], firstActivity: t0, lookup: { from: at('09:00:00'), to: at('09:45:00') } }, seed);
}
