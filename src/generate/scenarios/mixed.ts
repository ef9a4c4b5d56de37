import type { Node } from '../model.js';
import type { ScenarioSpec } from '../world.js';
import type { NodeOptions } from '../cluster-builder.js';
import { buildBase } from '../base-cluster.js';
import { irsaExfil } from '../plays/irsa-exfil.js';
import { podIdentity } from '../plays/pod-identity.js';
import { imdsNodeRole } from '../plays/imds-node-role.js';
import { staticKeysNat } from '../plays/static-keys-nat.js';
import { churn } from '../plays/churn.js';
import { ATTACKER_IPS, SNAPSHOTS, SPAN, at } from './day.js';
import { assemble } from './layout.js';
import { chainRoles } from '../properties/chained-roles.js';
import { replayOutside } from '../properties/replay-outside.js';
import { falcoOnly } from '../properties/falco-only.js';
import { cronJobBetweenSnapshots } from '../properties/between-snapshots.js';
import { ipv6Nodes } from '../properties/ipv6.js';

export const description =
  'All five incidents in one twelve-node cluster with every gap (audit silence and retention, a node without sensor, a node 40 s ahead, a missing CloudTrail hour, no data events) and malformed records; meant for scale runs.';

const NODES: NodeOptions[] = [
  { az: 0, sensor: 'v1.6.1', falco: true, clockOffsetS: 40 },
  { az: 1, sensor: 'v1.4.2', falco: true },
  { az: 2, sensor: 'v1.6.1', falco: false },
  falcoOnly({ az: 0 }, 'every-connect'),
  { az: 1, sensor: 'v1.6.1', falco: false },
  { az: 2, sensor: 'v1.6.1', falco: true },
  { az: 0, sensor: 'v1.6.1', falco: false },
  falcoOnly({ az: 1 }, 'stock'),
  { az: 2, sensor: 'v1.6.1', falco: false },
  { az: 0, sensor: 'v1.6.1', falco: true },
  { az: 1, sensor: 'v1.6.1', falco: false },
  { az: 2, sensor: null, falco: false },
];

export function build(seed: number): ScenarioSpec {
  const base = buildBase({ seed, span: SPAN, nodes: NODES });
  const m = base.nodes as Node[];
  const node = (i: number): Node => m[i] as Node;
  const plays = [
    irsaExfil(base, { t0: at('08:35:07'), human: base.alice, nodes: [node(0), node(4), node(11)], attackerIp: ATTACKER_IPS[0] as string }),
    podIdentity(base, { t0: at('08:55:13'), human: base.carol, nodes: [node(7), node(8), node(10)], attackerIp: ATTACKER_IPS[1] as string, rolloutAt: at('07:44:00') }),
    staticKeysNat(base, { t0: at('09:41:09'), nodes: [node(6), node(8)], developer: base.bob }),
    churn(base, { t0: at('09:22:00'), nodes: [node(9), node(3), node(1), node(2)] }),
    // Last: it fills its busy node up to 30 pods.
    imdsNodeRole(base, { t0: at('09:15:41'), busy: node(5), others: [node(2), node(6)], attackerIp: ATTACKER_IPS[2] as string }),
  ];
  // properties: Falco-only nodes (node 7 on the stock rules, node 3 declared every-connect), chained roles (IRSA and node role), and keys of pods gone replayed from outside
  chainRoles(base, seed, ['orders-worker', 'legacy-metrics']);
  plays.push(replayOutside(base, { at: at('09:50:00'), ip: ATTACKER_IPS[2] as string }));
  // property: a CronJob's 40-second pods that no snapshot lists (some fall in the audit gaps: then only runtime evidence knows them)
  plays.push(cronJobBetweenSnapshots(base, seed, { namespace: 'analytics', from: at('08:07:00'), to: at('10:27:00'), everyMin: 20, nodes: [node(6), node(9), node(4)], snapshots: SNAPSHOTS }));
  // property (last: it addresses the pods already placed): dual-stack nodes whose pods call AWS over IPv6
  ipv6Nodes(base, seed, [node(4), node(10)]);
  return assemble(
    {
      name: 'mixed',
      base,
      plays,
      namespaces: ['analytics', 'finance', 'integrations', 'payments', 'storefront', 'tools'],
      firstActivity: at('08:35:07'),
      lookup: { from: at('08:30:00'), to: at('09:30:00') },
      gaps: {
        auditSilence: { from: at('09:58:00'), to: at('10:58:00') },
        auditRetainedFrom: at('08:12:40'),
        cloudtrailMissing: { region: base.b.account.region, from: at('10:00:00'), to: at('11:00:00') },
        noDataEvents: true,
      },
      malformed: { tetragon: { node: node(4), lines: [40, 130] }, audit: { hour: 1, lines: [50] }, tail: { source: 'falco', node: node(0) } },
    },
    seed,
  );
}
