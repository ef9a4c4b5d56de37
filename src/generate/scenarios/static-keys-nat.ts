import type { Node } from '../model.js';
import type { ScenarioSpec } from '../world.js';
import { buildBase } from '../base-cluster.js';
import { staticKeysNat } from '../plays/static-keys-nat.js';
import { SPAN, at } from './day.js';
import { FIVE_NODES, assemble } from './layout.js';

export const description =
  'A leaked IAM user key (AKIA) mounted by two pods in different namespaces behind the same NAT, also used by a developer from the office; one pod is compromised and enumerates IAM, S3 and Secrets Manager. Clean inputs.';

export function build(seed: number): ScenarioSpec {
  const base = buildBase({ seed, span: SPAN, nodes: FIVE_NODES });
  const n = base.nodes as [Node, Node, Node, Node, Node];
  const t0 = at('09:31:09');
  const play = staticKeysNat(base, { t0, nodes: [n[3], n[2]], developer: base.bob });
  return assemble({ name: 'static-keys-nat', base, plays: [play], namespaces: ['integrations', 'tools'], firstActivity: t0, lookup: { from: at('09:20:00'), to: at('10:00:00') } }, seed);
}
