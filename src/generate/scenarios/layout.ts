import type { NodeOptions } from '../cluster-builder.js';
import type { Base } from '../base-cluster.js';
import type { GapPlan, MalformedPlan, Play, ScenarioSpec } from '../world.js';
import { type Ns, hours } from '../ns-time.js';
import { MARGIN_S, SNAPSHOTS, SPAN, TOLERANCE_S, WINDOW_FROM, WINDOW_TO } from './day.js';

/**
 * Node layouts and the assembly of a ScenarioSpec. Five nodes in three AZs: the first and third
 * AZ share one NAT. Tetragon is mid-upgrade (v1.6.1 nodes report pod.uid, v1.4.2 nodes do not);
 * Falco runs on three of the five.
 */
export const FIVE_NODES: NodeOptions[] = [
  { az: 0, sensor: 'v1.6.1', falco: true },
  { az: 1, sensor: 'v1.4.2', falco: true },
  { az: 2, sensor: 'v1.6.1', falco: false },
  { az: 0, sensor: 'v1.4.2', falco: true },
  { az: 1, sensor: 'v1.6.1', falco: false },
];

export const NO_GAPS: GapPlan = { auditSilence: null, auditRetainedFrom: null, cloudtrailMissing: null, noDataEvents: false };
export const NO_DAMAGE: MalformedPlan = { tetragon: null, audit: null, tail: null };

export interface Assembly {
  name: string;
  base: Base;
  plays: Play[];
  namespaces: string[];
  firstActivity: Ns;
  gaps?: GapPlan;
  malformed?: MalformedPlan;
  lookup: { from: Ns; to: Ns };
  windowFrom?: Ns;
  publicEndpoints?: ScenarioSpec['publicEndpoints'];
  ipRanges?: boolean;
}

export function assemble(a: Assembly, seed: number): ScenarioSpec {
  a.base.b.ensureDefaultServiceAccounts(a.base.b.longAgo(SPAN.from) - hours(200));
  const from = a.windowFrom ?? WINDOW_FROM;
  const lead = Number((a.firstActivity - from) / 60_000_000_000n);
  return {
    name: a.name,
    span: SPAN,
    window: {
      from,
      to: WINDOW_TO,
      reason: `synthetic scenario ${a.name} (seed ${seed}): earliest suspected activity ${lead} min after the window start, which leaves room for the credential issuance before it; end = containment + 2h`,
    },
    marginS: MARGIN_S,
    toleranceS: TOLERANCE_S,
    namespaces: a.namespaces,
    cluster: a.base.b.cluster,
    plays: a.plays,
    gaps: a.gaps ?? NO_GAPS,
    malformed: a.malformed ?? NO_DAMAGE,
    lookup: a.lookup,
    snapshots: SNAPSHOTS,
    publicEndpoints: a.publicEndpoints ?? 'declared',
    ipRanges: a.ipRanges ?? false,
  };
}
