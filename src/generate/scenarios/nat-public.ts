import type { Node } from '../model.js';
import type { ScenarioSpec } from '../world.js';
import { buildBase, OWN_ECR } from '../base-cluster.js';
import { irsaExfil } from '../plays/irsa-exfil.js';
import { staticKeysNat } from '../plays/static-keys-nat.js';
import { container, profile } from '../profiles.js';
import { service } from '../aws-catalog.js';
import { ATTACKER_IPS, SPAN, at } from './day.js';
import { FIVE_NODES, assemble } from './layout.js';

export const description =
  'Pods reach AWS\'s public endpoints through the NATs with no endpoint declared for them (only the VPC endpoints are), the analyst acquired AWS\'s ip-ranges.json, and other pods talk to AWS all day without calls of this account (a cache pulling from public S3 buckets, a SaaS on EC2): the irsa-exfil pods spread over both NATs and the static-keys-nat incident. Clean inputs.';

export function build(seed: number): ScenarioSpec {
  const base = buildBase({ seed, span: SPAN, nodes: FIVE_NODES });
  const n = base.nodes as [Node, Node, Node, Node, Node];
  const t0 = at('09:10:07');
  const exfil = irsaExfil(base, { t0, human: base.alice, nodes: [n[0], n[4], n[2]], attackerIp: ATTACKER_IPS[0] as string });
  const keys = staticKeysNat(base, { t0: at('09:41:09'), nodes: [n[3], n[2]], developer: base.bob });
  // Background AWS traffic: connects to AWS addresses that no call of this account explains.
  const b = base.b;
  const s3 = service(b.account, 's3').publicIps;
  const cache = b.addWorkload({
    name: 'artifact-cache',
    namespace: 'tools',
    sa: b.addServiceAccount('tools', 'artifact-cache', { kind: 'none' }, b.longAgo(SPAN.from)),
    containers: [container('artifact-cache', `${OWN_ECR}/tools/artifact-cache`, '1.4.0', '/usr/local/bin/cache', 'serve --upstream https://public-artifacts.s3.us-west-2.amazonaws.com', { uid: 1000 })],
    profile: profile({
      connectsPerMin: 1.2,
      peers: [{ ip: s3[0] as string, port: 443 }, { ip: s3[1] as string, port: 443 }, { ip: '44.230.17.91', port: 443 }],
    }),
  });
  b.addPod(cache, { node: n[1], createdNs: b.longAgo(SPAN.from) });
  b.addPod(cache, { node: n[4], createdNs: b.longAgo(SPAN.from) });
  return assemble(
    {
      name: 'nat-public',
      base,
      plays: [exfil, keys],
      namespaces: ['payments', 'integrations', 'tools'],
      firstActivity: t0,
      lookup: { from: at('09:00:00'), to: at('09:40:00') },
      publicEndpoints: 'undeclared',
      ipRanges: true,
    },
    seed,
  );
}
