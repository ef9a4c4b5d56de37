import type { Node, Workload } from '../model.js';
import type { ScenarioSpec } from '../world.js';
import { buildBase } from '../base-cluster.js';
import { irsaExfil } from '../plays/irsa-exfil.js';
import { staticKeysNat } from '../plays/static-keys-nat.js';
import { addEgressGateway, addProxy, routeThrough } from '../relays.js';
import { ATTACKER_IPS, SPAN, at } from './day.js';
import { FIVE_NODES, assemble } from './layout.js';

export const description =
  'Pods reach AWS through other pods: an HTTP CONNECT proxy behind a Service cluster IP (the IRSA pods of irsa-exfil, spread over both NATs, the static-key exporter of static-keys-nat, cluster-autoscaler) and a mesh egress gateway (the shop\'s IRSA worker), both in the other AZ: CloudTrail sees the relay\'s address. Clean inputs.';

export function build(seed: number): ScenarioSpec {
  const base = buildBase({ seed, span: SPAN, nodes: FIVE_NODES });
  const n = base.nodes as [Node, Node, Node, Node, Node];
  const t0 = at('09:10:07');
  const exfil = irsaExfil(base, { t0, human: base.alice, nodes: [n[0], n[4], n[2]], attackerIp: ATTACKER_IPS[0] as string });
  const keys = staticKeysNat(base, { t0: at('09:41:09'), nodes: [n[3], n[2]], developer: base.bob });
  const proxy = addProxy(base, { nodes: [n[1]], front: 'cluster-ip' });
  const gateway = addEgressGateway(base, { nodes: [n[4]] });
  const named = (...names: string[]): Workload[] => base.b.cluster.workloads.filter((w) => names.includes(w.name));
  routeThrough(proxy, named('billing-api', 'partner-export', 'cluster-autoscaler'));
  routeThrough(gateway, named('orders-worker'));
  return assemble(
    {
      name: 'relay-egress',
      base,
      plays: [exfil, keys],
      namespaces: ['payments', 'integrations', 'tools', 'egress', 'istio-system'],
      firstActivity: t0,
      lookup: { from: at('09:00:00'), to: at('09:40:00') },
    },
    seed,
  );
}
