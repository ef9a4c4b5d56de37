import type { Node } from '../model.js';
import type { ScenarioSpec } from '../world.js';
import { buildBase } from '../base-cluster.js';
import { podIdentity } from '../plays/pod-identity.js';
import { ATTACKER_IPS, SPAN, at } from './day.js';
import { FIVE_NODES, assemble } from './layout.js';

export const description =
  'The same exec-and-exfiltrate attack on a workload bound through EKS Pod Identity (eks-auth + pods.eks AssumeRole with session tags); the victim sits on a pre-v1.6 Tetragon node (no pod.uid); credentials later used from outside. Clean inputs.';

export function build(seed: number): ScenarioSpec {
  const base = buildBase({ seed, span: SPAN, nodes: FIVE_NODES });
  const n = base.nodes as [Node, Node, Node, Node, Node];
  const t0 = at('09:20:13');
  const play = podIdentity(base, { t0, human: base.carol, nodes: [n[3], n[4], n[2]], attackerIp: ATTACKER_IPS[1] as string, rolloutAt: at('07:41:00') });
  return assemble({ name: 'pod-identity', base, plays: [play], namespaces: ['finance'], firstActivity: t0, lookup: { from: at('09:10:00'), to: at('09:50:00') } }, seed);
}
